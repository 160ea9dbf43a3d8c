"""LSH banding: recall-oriented parameters, candidate pairs, capped buckets, order independence."""

import random

import numpy as np
import polars as pl
import pytest
from datasketch.lsh import _false_positive_probability
from dedup_helpers import mutate, random_cjk

from catalog.models import DedupConfig
from pipelines.dedup.lsh import MAX_PARTNERS, Banding, banding, candidate_pairs, candidate_probability
from pipelines.dedup.minhash import signatures


@pytest.mark.parametrize(
    ("threshold", "num_perm", "recall"),
    [(0.7, 128, 0.95), (0.7, 128, 0.99), (0.5, 64, 0.9), (0.85, 256, 0.95), (0.3, 16, 0.95), (0.9, 16, 0.5)],
)
def test_banding_reaches_recall_with_fewest_false_positives(threshold: float, num_perm: int, recall: float) -> None:
    """The oracle tries every bands x rows that fits, weighing false positives as datasketch does."""
    chosen = banding(threshold, num_perm, recall=recall)
    assert chosen.bands * chosen.rows <= num_perm
    assert candidate_probability(threshold, chosen) >= recall
    feasible = [
        (_false_positive_probability(threshold, bands, rows), bands, rows)
        for rows in range(1, num_perm + 1)
        for bands in range(1, num_perm // rows + 1)
        if candidate_probability(threshold, Banding(bands=bands, rows=rows)) >= recall
    ]
    fewest = min(feasible)[0]
    assert _false_positive_probability(threshold, chosen.bands, chosen.rows) == pytest.approx(fewest, rel=1e-9)


def test_default_banding_and_its_s_curve() -> None:
    config = DedupConfig()
    chosen = banding(config.threshold, config.num_perm, recall=config.candidate_recall)
    assert chosen == Banding(bands=17, rows=5)
    curve = {s: round(candidate_probability(s, chosen), 4) for s in (0.3, 0.5, 0.7, 0.75, 0.8)}
    assert curve == {0.3: 0.0405, 0.5: 0.4171, 0.7: 0.9562, 0.75: 0.99, 0.8: 0.9988}


def test_unreachable_recall_takes_the_closest_banding() -> None:
    chosen = banding(0.05, 16, recall=0.99)
    assert chosen == Banding(bands=16, rows=1)
    assert candidate_probability(0.05, chosen) < 0.99


def test_pairs_are_distinct_ordered_and_need_one_equal_band() -> None:
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(6, 8), dtype=np.uint32)
    sig[3] = sig[1]
    sig[5, :4] = sig[0, :4]  # one band of two equal
    sig[4, 1:4] = sig[2, 1:4]  # three of four rows of a band are not enough
    pairs = candidate_pairs(sig, banding=Banding(bands=2, rows=4))
    assert pairs.tolist() == [[0, 5], [1, 3]]
    assert pairs.dtype == np.int64


def test_empty_and_single_inputs_have_no_pairs() -> None:
    for n in (0, 1):
        sig = np.zeros((n, 16), dtype=np.uint32)
        assert candidate_pairs(sig, banding=Banding(bands=4, rows=4)).shape == (0, 2)


def test_huge_bucket_is_capped_but_stays_connected() -> None:
    sig = np.zeros((2_000, 16), dtype=np.uint32)
    priority = np.arange(2_000)[::-1].copy()
    pairs = candidate_pairs(sig, banding=Banding(bands=4, rows=4), priority=priority)
    assert len(pairs) <= MAX_PARTNERS * 2_000
    best = int(np.argmin(priority))
    partners_of_best = {int(j) for i, j in pairs if i == best} | {int(i) for i, j in pairs if j == best}
    assert partners_of_best == set(range(2_000)) - {best}


def test_result_does_not_depend_on_row_order() -> None:
    sig = np.random.default_rng(1).integers(0, 4, size=(300, 16), dtype=np.uint32)
    sig[:, 4:] = 0  # three bands shared by everyone: heavily capped buckets
    priority = np.random.default_rng(2).permutation(300)
    pairs = {tuple(p) for p in candidate_pairs(sig, banding=Banding(bands=4, rows=4), priority=priority).tolist()}
    shuffle = np.random.default_rng(3).permutation(300)
    moved = candidate_pairs(sig[shuffle], banding=Banding(bands=4, rows=4), priority=priority[shuffle])
    mapped = {tuple(sorted((int(shuffle[i]), int(shuffle[j])))) for i, j in moved.tolist()}
    assert mapped == pairs


def test_similar_pairs_become_candidates() -> None:
    """At J >= 0.9 a pair is missed with probability < 1e-7 under the default banding; seeds are fixed."""
    rng = random.Random(7)
    config = DedupConfig()
    texts = []
    for _ in range(40):
        base = random_cjk(rng.randint(200, 600), rng)
        texts += [base, mutate(base, 0.005, rng)]
    sig = signatures(pl.Series(texts), config=config)
    pairs = candidate_pairs(sig, banding=banding(config.threshold, config.num_perm, recall=config.candidate_recall))
    found = {tuple(p) for p in pairs.tolist()}
    assert all((i, i + 1) in found for i in range(0, len(texts), 2))
