"""Candidate pairs verified by the exact Jaccard similarity of the two texts' shingle sets.

LSH candidates are chosen for recall; a pair joins a cluster only when ``|A ∩ B| / |A ∪ B|`` of
the texts' distinct shingle hashes (see :mod:`pipelines.dedup.shingles`) reaches the threshold,
so the decision at the threshold does not carry the MinHash estimate's noise (σ ≈ 0.04 at
J = 0.7 with 128 permutations). The hashes are 32-bit: two different shingles of a pair collide
with probability about ``|A ∪ B|**2 / 2**33`` (~0.2% for two 2,000-character texts), and a
collision moves the Jaccard by ``1 / |A ∪ B|``.

Signatures screen the candidates first: a pair whose estimate lies more than
:data:`SCREEN_SIGMAS` standard errors below the threshold is dropped unchecked. A pair at the
threshold is dropped so with probability < 3e-7, while a template shared by thousands of texts no
longer costs an exact check per candidate pair it creates.
"""

import math

import numpy as np
import polars as pl

from catalog.models import DedupConfig
from pipelines.dedup.minhash import agreement
from pipelines.dedup.shingles import TokenMode, shingle_hashes

SCREEN_SIGMAS = 5.0
# Signature pairs compared at once, bounding the (pairs x num_perm) comparison.
SCREEN_BATCH = 65_536
# Shingles (both sides of every pair) checked at once: 4M uint64 sort keys, 32 MiB.
CHECK_SHINGLES = 1 << 22
# Sort keys: pair index from bit 33 up, the 32-bit shingle hash in bits 1-32, the side in bit 0.
_ONE = np.uint64(1)
_PAIR_SHIFT = np.uint64(33)


def screen(signatures: np.ndarray, pairs: np.ndarray, *, threshold: float) -> np.ndarray:
    """Per pair: whether its estimated Jaccard could come from a pair at ``threshold`` or above."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    num_perm = signatures.shape[1]
    floor = threshold - SCREEN_SIGMAS * math.sqrt(threshold * (1 - threshold) / num_perm)
    estimates = np.concatenate(
        [
            agreement(signatures[chunk[:, 0]], signatures[chunk[:, 1]])
            for chunk in np.array_split(pairs, -(-len(pairs) // SCREEN_BATCH))
        ]
    )
    return estimates >= floor


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[k] : starts[k] + lengths[k]`` for every k, concatenated."""
    before = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) + np.repeat(starts - before, lengths)


def _pair_jaccard(hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Jaccard of the shingle sets of texts ``left[k]`` and ``right[k]`` (shingle_hashes' layout).

    One sort does it. Each shingle of pair k becomes the key ``(k, hash, side)``, so pair k keeps
    its place in the sorted keys, and the copies of one hash in it lie together, left side first.
    A key one above its predecessor, which is on the left, is a shingle both texts have; one
    equal to its predecessor is a repeat. Every other key starts a shingle of the union.
    """
    sizes = np.diff(offsets)
    starts = np.stack((offsets[left], offsets[right]), axis=1).ravel()
    lengths = np.stack((sizes[left], sizes[right]), axis=1).ravel()
    segment = np.arange(len(lengths), dtype=np.uint64)
    keys = hashes[_segments(starts, lengths)].astype(np.uint64)
    keys <<= _ONE
    keys |= np.repeat((segment >> _ONE << _PAIR_SHIFT) | (segment & _ONE), lengths)
    keys.sort()
    step = np.diff(keys)
    shared = np.append(False, (step == 1) & ((keys[:-1] & _ONE) == 0))
    repeated = np.append(False, step == 0)
    pair_sizes = lengths[::2] + lengths[1::2]
    pair_starts = np.cumsum(pair_sizes) - pair_sizes
    common = np.add.reduceat(shared, pair_starts, dtype=np.int64)
    union = pair_sizes - common - np.add.reduceat(repeated, pair_starts, dtype=np.int64)
    return common / union


def exact_jaccard(texts: pl.Series, pairs: np.ndarray, *, ngram: int, tokens: TokenMode = "auto") -> np.ndarray:
    """Jaccard of the shingle sets of each pair of ``texts`` (pairs: n x 2 row indices).

    Pairs are checked in batches of about :data:`CHECK_SHINGLES` shingles, each shingling only
    the texts its pairs involve, so memory stays bounded however many texts have candidates.
    """
    result = np.empty(len(pairs), dtype=np.float64)
    if len(pairs) == 0:
        return result
    lengths = texts.cast(pl.String).fill_null("").str.len_chars().to_numpy().astype(np.int64) + 1
    cost = lengths[pairs[:, 0]] + lengths[pairs[:, 1]]
    batch = (np.cumsum(cost) - cost) // CHECK_SHINGLES
    bounds = np.flatnonzero(np.diff(batch, prepend=-1, append=batch[-1] + 1))
    for first, stop in zip(bounds[:-1], bounds[1:], strict=True):
        involved, local = np.unique(pairs[first:stop], return_inverse=True)
        hashes, offsets = shingle_hashes(texts.gather(involved), ngram=ngram, tokens=tokens)
        local = local.reshape(-1, 2)
        result[first:stop] = _pair_jaccard(hashes, offsets, local[:, 0], local[:, 1])
    return result


def verify(
    texts: pl.Series, signatures: np.ndarray, pairs: np.ndarray, *, config: DedupConfig, tokens: TokenMode = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs whose exact Jaccard reaches ``config.threshold``, and those values."""
    plausible = pairs[screen(signatures, pairs, threshold=config.threshold)]
    similarity = exact_jaccard(texts, plausible, ngram=config.ngram, tokens=tokens)
    confirmed = similarity >= config.threshold
    return plausible[confirmed], similarity[confirmed]
