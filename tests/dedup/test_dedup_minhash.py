"""MinHash signatures: accuracy against exact Jaccard and datasketch, determinism, stability."""

import math
import random

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from dedup_helpers import jaccard, mutate, random_cjk, reference_ngrams
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.models import DedupConfig
from pipelines.dedup import minhash
from pipelines.dedup.minhash import agreement, permutations, signatures, signatures_from_hashes

CONFIG = DedupConfig()
K = CONFIG.num_perm


def estimate(left: str, right: str, config: DedupConfig = CONFIG) -> float:
    sig = signatures(pl.Series([left, right]), config=config, tokens="chars")
    return float(agreement(sig[:1], sig[1:])[0])


def text_pair(length: int, rate: float, seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    base = random_cjk(length, rng)
    return base, mutate(base, rate, rng)


def sigma(similarity: float) -> float:
    return math.sqrt(similarity * (1 - similarity) / K)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.integers(min_value=20, max_value=400),
    st.floats(min_value=0.0, max_value=0.3),
    st.integers(min_value=0, max_value=10_000),
)
def test_estimate_is_within_the_minhash_error_of_exact_jaccard(length: int, rate: float, seed: int) -> None:
    left, right = text_pair(length, rate, seed)
    truth = jaccard(reference_ngrams(left, 5), reference_ngrams(right, 5))
    # 4 standard deviations (not 3) so 60 examples cannot fail by chance; 1/k for J near 0 or 1.
    assert abs(estimate(left, right) - truth) <= 4 * sigma(truth) + 1 / K


def test_error_distribution_matches_classic_minhash_and_datasketch() -> None:
    ours, oracle, beyond = [], [], 0
    for seed in range(250):
        left, right = text_pair(150, 0.02 + 0.25 * (seed % 10) / 10, seed)
        left_grams, right_grams = reference_ngrams(left, 5), reference_ngrams(right, 5)
        truth = jaccard(left_grams, right_grams)
        sketches = []
        for grams in (left_grams, right_grams):
            sketch = MinHash(num_perm=K)
            sketch.update_batch([gram.encode() for gram in grams])
            sketches.append(sketch)
        ours.append(estimate(left, right) - truth)
        oracle.append(sketches[0].jaccard(sketches[1]) - truth)
        beyond += abs(ours[-1]) > 3 * sigma(truth) + 1 / K
    rmse, oracle_rmse = float(np.sqrt(np.mean(np.square(ours)))), float(np.sqrt(np.mean(np.square(oracle))))
    assert abs(float(np.mean(ours))) < 0.01, "biased estimate"
    assert rmse <= 1.25 * oracle_rmse, (rmse, oracle_rmse)
    assert beyond <= 5


def test_identical_texts_agree_everywhere_and_unrelated_texts_almost_nowhere() -> None:
    rng = random.Random(1)
    text = random_cjk(500, rng)
    assert estimate(text, text) == 1.0
    assert estimate(text, random_cjk(500, rng)) < 0.05


def test_permutations_are_deterministic_odd_and_seeded() -> None:
    a, b = permutations(128, 1)
    again_a, again_b = permutations(128, 1)
    other_a, _ = permutations(128, 2)
    assert a.dtype == b.dtype == np.uint32
    assert (a % 2 == 1).all()
    assert np.array_equal(a, again_a)
    assert np.array_equal(b, again_b)
    assert not np.array_equal(a, other_a)
    assert len(set(a.tolist())) == 128


def test_signatures_are_stable_across_runs_and_versions() -> None:
    """Signatures are persisted (index of published versions): these values must never change."""
    sig = signatures(pl.Series(["床前明月光，疑是地上霜"]), config=DedupConfig(num_perm=16))
    assert sig.shape == (1, 16)
    assert sig[0, :4].tolist() == [79880029, 37168920, 2979595968, 710993569]


def test_signatures_do_not_depend_on_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    texts = pl.Series([random_cjk(rng.randint(0, 900), rng) for _ in range(60)] + [None, ""])
    whole = signatures(texts, config=CONFIG)
    monkeypatch.setattr(minhash, "CHUNK_BYTES", 700)
    monkeypatch.setattr(minhash, "BLOCK_SHINGLES", 50)
    assert np.array_equal(signatures(texts, config=CONFIG), whole)


def test_empty_input_and_missing_shingles() -> None:
    assert signatures(pl.Series([], dtype=pl.String), config=CONFIG).shape == (0, K)
    a, b = permutations(K, 1)
    with pytest.raises(ValueError, match="at least one shingle"):
        signatures_from_hashes(np.array([1], dtype=np.uint32), np.array([0, 0, 1]), a=a, b=b)
