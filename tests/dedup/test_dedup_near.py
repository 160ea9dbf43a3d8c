"""Near-duplicate removal end to end: what merges, what must not, ledger, sizes, stats."""

import random
import re

import polars as pl
import pytest
from dedup_helpers import RecordsFactory, jaccard, mutate, random_cjk, reference_ngrams, utc

from catalog.errors import SchemaMismatchError
from catalog.models import DedupConfig
from pipelines.dedup.lsh import banding
from pipelines.dedup.near import dedup_near

CONFIG = DedupConfig()
DETAIL = re.compile(r"^dedup_near_duplicate jaccard=(0\.\d\d|1\.00)$")


def article(rng: random.Random, length: int) -> str:
    """Random Chinese sentences with punctuation and paragraph breaks."""
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(
            random_cjk(rng.randint(8, 25), rng) + rng.choice("，。！？；") + ("\n" if rng.random() < 0.1 else "")
        )
    return "".join(parts)[:length]


def outcomes(records: pl.DataFrame, config: DedupConfig = CONFIG) -> dict[str, str]:
    return dict(dedup_near(records, config=config).removed.select("record_id", "outcome").iter_rows())


def test_reposts_with_light_edits_are_removed(make_records: RecordsFactory) -> None:
    rng = random.Random(11)
    originals = [article(rng, rng.randint(300, 1500)) for _ in range(40)]
    reposts = {
        "edited": mutate(originals[0], 0.01, rng),
        "re-punctuated": originals[1].replace("，", "、").replace("。", "！"),
        "spaced": " ".join(originals[2][i : i + 40] for i in range(0, len(originals[2]), 40)),
        "tail cut": originals[3][: int(len(originals[3]) * 0.92)],
    }
    texts = originals + list(reposts.values())
    records = make_records(texts, quality_score=[0.8] * 40 + [0.5] * 4)
    result = dedup_near(records, config=CONFIG)
    removed = dict(result.removed.select("record_id", "outcome").iter_rows())
    assert removed == {
        "r40": "duplicate_of:r0",
        "r41": "duplicate_of:r1",
        "r42": "duplicate_of:r2",
        "r43": "duplicate_of:r3",
    }
    assert all(DETAIL.match(detail) for detail in result.removed.get_column("detail"))
    assert result.kept.get_column("id").to_list() == [f"r{i}" for i in range(40)]
    assert result.kept.get_column("dup_cluster_size").to_list() == [2, 2, 2, 2] + [1] * 36


def test_short_articles_sharing_a_long_footer_are_not_duplicates(make_records: RecordsFactory) -> None:
    rng = random.Random(5)
    footer = "\n" + article(rng, 200)
    texts = [article(rng, 100) + footer for _ in range(20)]
    assert all(290 <= len(text) <= 310 for text in texts)
    result = dedup_near(make_records(texts), config=CONFIG)
    assert result.removed.is_empty()
    assert result.stats["dedup_near_clusters"] == 0


def test_precision_and_recall_on_a_repost_corpus(make_records: RecordsFactory) -> None:
    rng = random.Random(23)
    texts = [article(rng, rng.randint(200, 1200)) for _ in range(300)]
    copies = {}
    for source in rng.sample(range(300), 60):
        copies[len(texts)] = source
        texts.append(mutate(texts[source], rng.choice([0.0, 0.002, 0.005, 0.01]), rng))
    records = make_records(texts, quality_score=[0.9] * 300 + [0.4] * 60)
    assert outcomes(records) == {f"r{copy}": f"duplicate_of:r{source}" for copy, source in copies.items()}


def test_clusters_keep_the_best_record_and_sum_sizes(make_records: RecordsFactory) -> None:
    rng = random.Random(8)
    base = article(rng, 800)
    texts = [mutate(base, 0.005, rng), article(rng, 600), base, mutate(base, 0.005, rng)]
    records = make_records(
        texts,
        quality_score=[0.7, 0.9, 0.7, 0.7],
        original_time=[utc(3), utc(1), utc(2), None],
        dup_cluster_size=pl.Series([2, 1, 4, None], dtype=pl.UInt32),
    )
    result = dedup_near(records, config=CONFIG)
    assert dict(result.removed.select("record_id", "outcome").iter_rows()) == {
        "r0": "duplicate_of:r2",
        "r3": "duplicate_of:r2",
    }
    assert result.kept.select("id", "dup_cluster_size").rows() == [("r1", 1), ("r2", 7)]
    assert result.kept.columns == records.columns


def test_chains_join_into_one_cluster(make_records: RecordsFactory) -> None:
    rng = random.Random(4)
    first = article(rng, 1000)
    middle = first[:900] + article(rng, 100)
    last = middle[100:] + article(rng, 100)
    records = make_records([last, middle, first], quality_score=[0.5, 0.5, 0.9])
    assert outcomes(records) == {"r0": "duplicate_of:r2", "r1": "duplicate_of:r2"}


def spaced_edits(text: str, edits: int, rng: random.Random) -> str:
    """``text`` with ``edits`` characters replaced, apart and off the ends, so each costs 5 five-grams."""
    chars = list(text)
    for position in rng.sample(range(4, len(chars) - 4, 6), edits):
        chars[position] = "丁" if chars[position] != "丁" else "万"
    return "".join(chars)


def planted_pairs(rng: random.Random, n_pairs: int, edits: range) -> tuple[list[str], list[float]]:
    """Pairs (texts 2k and 2k+1) of random 400-character texts and their exact 5-gram Jaccard."""
    texts, similarity = [], []
    for _ in range(n_pairs):
        base = random_cjk(400, rng)
        copy = spaced_edits(base, rng.choice(edits), rng)
        texts += [base, copy]
        similarity.append(jaccard(reference_ngrams(base, 5), reference_ngrams(copy, 5)))
    return texts, similarity


def test_pairs_at_075_or_more_are_found_whatever_the_seed(make_records: RecordsFactory) -> None:
    """Each pair becomes a candidate with probability >= 0.990 (17 bands of 5 rows at J = 0.75) and
    is then verified exactly; 2,000 trials over 20 seeds put 0.98 at 4.5 standard deviations."""
    texts, similarity = planted_pairs(random.Random(31), 100, range(9, 12))
    assert 0.75 <= min(similarity) <= max(similarity) < 0.8
    records = make_records(texts)
    found = 0
    for seed in range(20):
        removed = outcomes(records, DedupConfig(seed=seed))
        found += sum(removed.get(f"r{2 * k + 1}") == f"duplicate_of:r{2 * k}" for k in range(100))
        assert len(removed) <= 100
    assert found / 2_000 >= 0.98


def test_pairs_below_the_threshold_are_never_merged(make_records: RecordsFactory) -> None:
    """Pairs at J 0.64-0.6996 become candidates with probability 0.86-0.956; exact checks turn them down."""
    texts, similarity = planted_pairs(random.Random(32), 50, range(14, 18))
    assert 0.6 <= min(similarity) <= max(similarity) < CONFIG.threshold
    records = make_records(texts)
    for seed in range(10):
        result = dedup_near(records, config=DedupConfig(seed=seed))
        assert result.removed.is_empty()
        assert result.stats["dedup_candidate_pairs"] >= 25


def test_detail_carries_the_exact_jaccard_to_the_kept_record(make_records: RecordsFactory) -> None:
    rng = random.Random(12)
    first = article(rng, 1000)
    middle = first[:900] + article(rng, 100)
    last = middle[100:] + article(rng, 100)
    texts = [last, middle, first]
    result = dedup_near(make_records(texts, quality_score=[0.5, 0.5, 0.9]), config=CONFIG)
    grams = [reference_ngrams(text, CONFIG.ngram) for text in texts]
    assert dict(result.removed.select("record_id", "detail").iter_rows()) == {
        "r0": f"dedup_near_duplicate jaccard={jaccard(grams[0], grams[2]):.2f}",
        "r1": f"dedup_near_duplicate jaccard={jaccard(grams[1], grams[2]):.2f}",
    }
    assert jaccard(grams[0], grams[2]) < CONFIG.threshold  # joined through r1, computed all the same


def test_disabled_returns_records_unchanged(make_records: RecordsFactory) -> None:
    records = make_records(["同一段文字"] * 3)
    result = dedup_near(records, config=DedupConfig(enabled=False))
    assert result.kept.drop("dup_cluster_size").equals(records)
    assert result.kept.get_column("dup_cluster_size").to_list() == [1, 1, 1]
    assert result.removed.is_empty()
    assert result.stats["dedup_near_removed"] == 0


@pytest.mark.parametrize("texts", [[], ["唯一的记录"], [None, ""]])
def test_empty_single_and_blank_inputs(make_records: RecordsFactory, texts: list[str | None]) -> None:
    result = dedup_near(make_records(texts), config=CONFIG)
    assert result.kept.height + result.removed.height == len(texts)
    assert result.kept.schema["dup_cluster_size"] == pl.UInt32
    assert result.kept.get_column("dup_cluster_size").sum() == len(texts)


def test_stats(make_records: RecordsFactory) -> None:
    rng = random.Random(2)
    base = article(rng, 500)
    result = dedup_near(make_records([base, base + "。", article(rng, 500)]), config=CONFIG)
    lsh = banding(CONFIG.threshold, CONFIG.num_perm, recall=CONFIG.candidate_recall)
    assert result.stats == {
        "dedup_near_removed": 1.0,
        "dedup_near_clusters": 1.0,
        "dedup_candidate_pairs": 1.0,
        "dedup_bands": float(lsh.bands),
        "dedup_rows": float(lsh.rows),
    }


def test_result_does_not_depend_on_row_order(make_records: RecordsFactory) -> None:
    rng = random.Random(9)
    bases = [article(rng, 600) for _ in range(10)]
    texts = bases + [mutate(base, 0.01, rng) for base in bases for _ in range(3)]
    records = make_records(texts, quality_score=[rng.choice([0.5, 0.6]) for _ in texts])
    expected = dedup_near(records, config=CONFIG)
    for seed in range(3):
        shuffled = dedup_near(records.sample(fraction=1.0, shuffle=True, seed=seed), config=CONFIG)
        assert set(shuffled.kept.select("id", "dup_cluster_size").rows()) == set(
            expected.kept.select("id", "dup_cluster_size").rows()
        )
        assert set(shuffled.removed.rows()) == set(expected.removed.rows())


def test_english_reposts_are_compared_by_words(make_records: RecordsFactory) -> None:
    rng = random.Random(6)
    vocabulary = [f"{rng.choice('bcdfgklmnprst')}{rng.choice('aeiou')}{rng.choice('nrstl')}{i}" for i in range(400)]
    original = " ".join(rng.choices(vocabulary, k=300)) + "."
    repost = "Reposted: " + original.replace(" ", "  ").upper()
    other = " ".join(rng.choices(vocabulary, k=300)) + "."
    assert outcomes(make_records([original, repost, other])) == {"r1": "duplicate_of:r0"}


def test_records_without_score_or_time(make_records: RecordsFactory) -> None:
    text = article(random.Random(3), 400)
    assert outcomes(make_records([text + "！", text])) == {"r1": "duplicate_of:r0"}


def test_missing_text_column_is_named(make_records: RecordsFactory) -> None:
    with pytest.raises(SchemaMismatchError, match="'content'"):
        dedup_near(make_records(["文字"]), config=CONFIG, text_column="content")
