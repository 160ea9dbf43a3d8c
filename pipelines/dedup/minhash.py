"""MinHash signatures for many texts at once, vectorised with numpy.

Permutation k maps a 32-bit shingle hash ``h`` to ``(a_k * h + b_k) mod 2**32`` with ``a_k`` odd,
a bijection on 32-bit values, and the signature keeps its minimum over the text's shingles. This
is the scheme datasketch 2.0 calls ``affine32``: the shingle hashes are already avalanched by
MurmurHash3's finaliser (see :mod:`pipelines.dedup.shingles`), and the bijection avoids the
collision bias of folding ``(a*h + b) mod (2**61 - 1)`` down to 32 bits. ``a_k`` and ``b_k`` come from
splitmix64 of the configured seed, pure arithmetic that no library upgrade can change, so
signatures can be stored and compared across runs.

The work is done permutation by permutation over blocks of ~128k shingles (which stay in the
CPU cache), with one ``np.minimum.reduceat`` per block and permutation for all its texts.
"""

import numpy as np
import polars as pl

from catalog.models import DedupConfig
from pipelines.dedup.shingles import TokenMode, fmix64, shingle_hashes

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_U32_SHIFT = np.uint64(32)
# Texts are shingled in chunks of about this many UTF-8 bytes, which bounds the memory used.
CHUNK_BYTES = 1 << 18
# Shingles permuted together: 128k uint32 values (512 KiB) stay in a core's L2 cache.
BLOCK_SHINGLES = 1 << 17


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The odd multipliers ``a`` and offsets ``b`` (uint32) of the ``num_perm`` permutations."""
    counter = np.arange(1, 2 * num_perm + 1, dtype=np.uint64) * _GOLDEN + np.uint64(seed % (1 << 64))
    mixed = (fmix64(counter) >> _U32_SHIFT).astype(np.uint32)
    return mixed[:num_perm] | np.uint32(1), mixed[num_perm:]


def signatures_from_hashes(hashes: np.ndarray, offsets: np.ndarray, *, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signatures (texts x permutations, uint32) of texts whose shingle hashes are ``hashes``.

    Text ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``, which must not be empty.
    """
    n_docs = len(offsets) - 1
    signatures = np.empty((len(a), n_docs), dtype=np.uint32)
    if n_docs == 0:
        return signatures.T
    if np.any(np.diff(offsets) <= 0):
        raise ValueError("every text needs at least one shingle hash; shingle_hashes() guarantees this")
    first = 0
    while first < n_docs:
        stop = int(np.searchsorted(offsets, offsets[first] + BLOCK_SHINGLES, side="right")) - 1
        last = max(stop, first + 1)
        begin, end = int(offsets[first]), int(offsets[last])
        block = hashes[begin:end]
        starts = offsets[first:last] - begin
        work = np.empty(end - begin, dtype=np.uint32)
        for k in range(len(a)):
            np.multiply(block, a[k], out=work)
            np.add(work, b[k], out=work)
            np.minimum.reduceat(work, starts, out=signatures[k, first:last])
        first = last
    return np.ascontiguousarray(signatures.T)


def signatures(texts: pl.Series, *, config: DedupConfig, tokens: TokenMode = "auto") -> np.ndarray:
    """MinHash signatures (len(texts) x ``config.num_perm``, uint32) of the normalised texts."""
    a, b = permutations(config.num_perm, config.seed)
    result = np.empty((len(texts), config.num_perm), dtype=np.uint32)
    sizes = texts.cast(pl.String).fill_null("").str.len_bytes().to_numpy().astype(np.int64)
    ends = np.cumsum(sizes)
    first = 0
    while first < len(texts):
        base = ends[first - 1] if first else 0
        last = max(int(np.searchsorted(ends, base + CHUNK_BYTES, side="right")), first + 1)
        hashes, offsets = shingle_hashes(texts.slice(first, last - first), ngram=config.ngram, tokens=tokens)
        result[first:last] = signatures_from_hashes(hashes, offsets, a=a, b=b)
        first = last
    return result


def agreement(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of row pairs: the share of permutations whose minima agree."""
    return (left == right).mean(axis=1)
