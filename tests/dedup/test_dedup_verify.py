"""Exact verification: Jaccard equal to a slow reference, the threshold decided exactly, screening."""

import random

import numpy as np
import polars as pl
import pytest
from dedup_helpers import jaccard, mutate, random_cjk, reference_ngrams

from catalog.models import DedupConfig
from pipelines.dedup import verify as verify_module
from pipelines.dedup.lsh import banding, candidate_pairs
from pipelines.dedup.minhash import signatures
from pipelines.dedup.verify import exact_jaccard, screen, verify

CONFIG = DedupConfig()
BASE = "黄果树瀑布是中国最大的瀑布之一位于贵州省安顺市"


def reference(texts: list[str], pairs: list[tuple[int, int]], ngram: int = 5) -> list[float]:
    grams = [reference_ngrams(text, ngram) for text in texts]
    return [jaccard(grams[i], grams[j]) for i, j in pairs]


@pytest.mark.parametrize(
    ("title", "left", "right"),
    [
        ("light edit", BASE, BASE[:10] + "大" + BASE[11:]),
        ("punctuation and spacing only", "黄果树瀑布，是中国最大的瀑布之一。", "黄果树 瀑布是中国最大的瀑布之一"),
        (
            "traditional vs simplified, not converted here",
            "貴州黃果樹瀑布是中國最大的瀑布之一",
            "贵州黄果树瀑布是中国最大的瀑布之一",
        ),
        ("repeated shingles within a text", "哈哈哈哈哈哈哈哈哈哈好的", "哈哈哈哈好的"),
        ("shorter than the n-gram", "黄果树", "黄果树"),
        ("short vs long", "黄果树", BASE),
        ("empty texts", "", ""),
        ("mixed scripts", "使用Polars库处理GB级别的数据", "使用polars库处理gb级别的数据集合"),
        ("nothing in common", BASE, "梵净山是武陵山脉的主峰"),
    ],
)
def test_exact_jaccard_matches_the_reference(title: str, left: str, right: str) -> None:
    (value,) = exact_jaccard(pl.Series([left, right]), np.array([[0, 1]]), ngram=5)
    assert value == pytest.approx(reference([left, right], [(0, 1)])[0], abs=1e-12), title


def test_space_delimited_texts_are_compared_by_word_ngrams() -> None:
    words = [f"w{i}" for i in range(20)]
    left, right = " ".join(words), " ".join(words[:15] + ["x", "y", "z", "u", "v"])
    (value,) = exact_jaccard(pl.Series([left, right]), np.array([[0, 1]]), ngram=5)
    assert value == pytest.approx(11 / 21)  # 16 word 5-grams each, 11 shared


def test_batches_give_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(1)
    texts = [random_cjk(rng.randint(1, 400), rng) for _ in range(30)]
    texts += [mutate(text, 0.02, rng) for text in texts]
    pairs = np.array([(i, j) for i in range(60) for j in range(i + 1, 60) if (i + j) % 7 == 0])
    whole = exact_jaccard(pl.Series(texts), pairs, ngram=5)
    monkeypatch.setattr(verify_module, "CHECK_SHINGLES", 500)
    assert np.array_equal(exact_jaccard(pl.Series(texts), pairs, ngram=5), whole)
    assert whole.tolist() == pytest.approx(reference(texts, [tuple(p) for p in pairs.tolist()]), abs=1e-12)


def test_no_pairs() -> None:
    assert exact_jaccard(pl.Series(["甲", "乙"]), np.empty((0, 2), dtype=np.int64), ngram=5).shape == (0,)
    pairs, values = verify(pl.Series(["甲"]), np.zeros((1, 128), np.uint32), np.empty((0, 2), np.int64), config=CONFIG)
    assert pairs.shape == (0, 2)
    assert values.shape == (0,)


def test_the_threshold_is_decided_exactly() -> None:
    """7 shared 5-grams of 10 is 0.7 exactly; 7 of 11 falls short, however close the estimates."""
    base = "一二三四五六七八九十百千"  # 8 five-grams
    at_threshold = base[:11] + "甲乙"  # 7 shared + 2 new: 7/10
    below = base[:11] + "甲乙丙"  # 7 shared + 3 new: 7/11
    texts = pl.Series([base, at_threshold, below])
    pairs = np.array([[0, 1], [0, 2]])
    assert exact_jaccard(texts, pairs, ngram=5).tolist() == [0.7, 7 / 11]
    confirmed, values = verify(texts, signatures(texts, config=CONFIG), pairs, config=CONFIG)
    assert confirmed.tolist() == [[0, 1]]
    assert values.tolist() == [0.7]


def test_screen_drops_only_estimates_far_below_the_threshold() -> None:
    """At 0.7 with 128 permutations the floor is 0.7 - 5 * 0.0405 = 0.497."""
    sig = np.zeros((3, 128), dtype=np.uint32)
    sig[1, :64] = 1  # agrees with row 0 on 64 of 128: 0.5
    sig[2, :66] = 2  # 62 of 128: 0.484
    assert screen(sig, np.array([[0, 1], [0, 2]]), threshold=0.7).tolist() == [True, False]


def test_verified_pairs_reach_the_threshold_and_similar_ones_are_verified() -> None:
    rng = random.Random(7)
    texts = []
    for _ in range(60):
        base = random_cjk(rng.randint(200, 600), rng)
        texts += [base, mutate(base, rng.choice([0.002, 0.01, 0.03, 0.05, 0.07, 0.1, 0.3]), rng)]
    series = pl.Series(texts)
    sig = signatures(series, config=CONFIG)
    pairs = candidate_pairs(sig, banding=banding(CONFIG.threshold, CONFIG.num_perm, recall=CONFIG.candidate_recall))
    confirmed, values = verify(series, sig, pairs, config=CONFIG)
    expected = reference(texts, [tuple(p) for p in confirmed.tolist()])
    assert values.tolist() == pytest.approx(expected, abs=1e-12)
    assert min(expected) >= CONFIG.threshold
    candidates = reference(texts, [tuple(p) for p in pairs.tolist()])
    above = {tuple(p) for p, value in zip(pairs.tolist(), candidates, strict=True) if value >= CONFIG.threshold}
    assert {tuple(p) for p in confirmed.tolist()} == above
    assert any(value < CONFIG.threshold for value in candidates), "some candidates must be turned down"
