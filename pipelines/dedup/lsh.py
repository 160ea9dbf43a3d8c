"""Candidate pairs from MinHash signatures by banding (locality-sensitive hashing), in numpy.

Signatures are cut into ``bands`` slices of ``rows`` values; two texts become a candidate pair
when all values of at least one slice agree, so a pair at Jaccard ``s`` becomes a candidate with
probability ``1 - (1 - s**rows)**bands``. Candidates are verified exactly afterwards (see
:mod:`pipelines.dedup.verify`), so a false positive costs only a check while a false negative is a
duplicate kept for good: the banding is chosen for recall at the threshold, not for balance.
"""

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch.lsh import _false_positive_probability

from pipelines.dedup.shingles import fmix64

# A text in a bucket pairs with at most this many of the bucket's best-ranked members. Buckets
# up to MAX_PARTNERS + 1 texts give every pair; a larger one (a template shared by thousands of
# texts) gives a star around its first members instead of a quadratic number of pairs, which
# still connects every verified member into one cluster.
MAX_PARTNERS = 32

_M = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Banding:
    """How signatures are cut: ``bands`` slices of ``rows`` values each."""

    bands: int
    rows: int


def candidate_probability(similarity: float, banding: Banding) -> float:
    """Probability that a pair at Jaccard ``similarity`` shares at least one band."""
    return 1.0 - (1.0 - similarity**banding.rows) ** banding.bands


@cache
def banding(threshold: float, num_perm: int, *, recall: float) -> Banding:
    """The bands x rows that make a pair at Jaccard ``threshold`` a candidate with probability at
    least ``recall``, with the fewest false positives among those that do.

    False positives are weighed as datasketch's ``MinHashLSH`` weighs them (the area under the
    S-curve below the threshold, ``_false_positive_probability`` in datasketch 2.0); for each row
    count only the fewest bands reaching ``recall`` can be best. With the defaults (threshold 0.7,
    128 permutations, recall 0.95) this is 17 bands of 5 rows: a pair becomes a candidate with
    probability 0.956 at J = 0.7, 0.990 at 0.75 and 0.9988 at 0.8 (and 0.42 at 0.5, 0.04 at 0.3),
    where datasketch's equal weights (14 x 9) give 0.44, 0.66 and 0.87. When no banding within
    ``num_perm`` reaches ``recall`` (a very low threshold), the one that comes closest is used:
    ``num_perm`` bands of one row.
    """
    best, fewest = Banding(bands=num_perm, rows=1), math.inf
    for rows in range(1, num_perm + 1):
        needed = math.log1p(-recall) / math.log1p(-(threshold**rows))
        if needed > num_perm // rows:
            break  # more rows need more bands and leave room for fewer
        bands = max(1, math.ceil(needed))
        if candidate_probability(threshold, Banding(bands=bands, rows=rows)) < recall:
            bands += 1  # the logarithms rounded the other way
        if bands * rows > num_perm:
            continue
        false_positives = _false_positive_probability(threshold, bands, rows)
        if false_positives < fewest:
            best, fewest = Banding(bands=bands, rows=rows), false_positives
    return best


def band_keys(signatures: np.ndarray, *, banding: Banding) -> np.ndarray:
    """One 64-bit key per text and band (texts x bands); equal slices give equal keys."""
    n_docs = len(signatures)
    keys = np.empty((n_docs, banding.bands), dtype=np.uint64)
    for band in range(banding.bands):
        rows = signatures[:, band * banding.rows : (band + 1) * banding.rows].astype(np.uint64)
        key = np.full(n_docs, band, dtype=np.uint64)
        for column in range(banding.rows):
            key *= _M
            key += rows[:, column]
        keys[:, band] = fmix64(key)
    return keys


def _bucket_pairs(keys: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Pairs (n x 2, lower index first) of texts sharing a key, capped per bucket."""
    order = np.lexsort((priority, keys))
    sorted_keys = keys[order]
    new_bucket = np.ones(len(keys), dtype=bool)
    new_bucket[1:] = sorted_keys[1:] != sorted_keys[:-1]
    bucket_start = np.flatnonzero(new_bucket)
    first = np.repeat(bucket_start, np.diff(np.append(bucket_start, len(keys))))
    partners = np.minimum(np.arange(len(keys)) - first, MAX_PARTNERS)
    total = int(partners.sum())
    if total == 0:
        return np.empty((0, 2), dtype=np.int64)
    later = np.repeat(order, partners)
    step = np.arange(total) - np.repeat(np.cumsum(partners) - partners, partners)
    earlier = order[np.repeat(first, partners) + step]
    return np.stack((np.minimum(later, earlier), np.maximum(later, earlier)), axis=1)


def candidate_pairs(signatures: np.ndarray, *, banding: Banding, priority: np.ndarray | None = None) -> np.ndarray:
    """Distinct candidate pairs (n x 2 int64, ``i < j``, sorted) among the signatures' texts.

    ``priority`` orders the members of a bucket (lowest first; default: row order), so that a
    capped bucket pairs with its best records and the result does not depend on row order.
    """
    n_docs = len(signatures)
    if n_docs < 2:
        return np.empty((0, 2), dtype=np.int64)
    rank = np.arange(n_docs) if priority is None else priority
    keys = band_keys(signatures, banding=banding)
    pairs = [_bucket_pairs(keys[:, band], rank) for band in range(banding.bands)]
    codes = np.unique(np.concatenate([p[:, 0] * n_docs + p[:, 1] for p in pairs]))
    return np.stack((codes // n_docs, codes % n_docs), axis=1)
