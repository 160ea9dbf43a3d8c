"""Metric values (A, B, value) on known counts, and what is not evaluated."""

from collections.abc import Callable
from datetime import UTC, date, datetime

import polars as pl
import pytest

from catalog.models import Dataset, ExpectationDecl, Source
from checks.expectations import ExpectationOutcome, SuiteResult
from checks.facts import ReleaseFacts
from checks.metrics import Metric, compute_metrics, ratio

MakeFacts = Callable[..., ReleaseFacts]


def _metrics(facts: ReleaseFacts) -> dict[str, Metric]:
    return {m.id: m for m in compute_metrics(facts)}


def _abv(metric: Metric) -> tuple[float | None, float | None, float | None]:
    return metric.A, metric.B, metric.value


def test_ledger_rates_on_known_counts(make_facts: MakeFacts):
    # conftest ledger: 6 published, 1 quarantined, 2 filtered, 1 duplicate = 10 ingested
    m = _metrics(make_facts())
    assert _abv(m["parse_rate"]) == (9, 10, 0.9)
    assert _abv(m["duplicate_rate"]) == (8, 9, pytest.approx(8 / 9, abs=1e-6))
    assert _abv(m["dirty_data_rate"]) == (7, 9, pytest.approx(7 / 9, abs=1e-6))
    assert "clean_too_short 1" in m["dirty_data_rate"].evidence
    assert m["parse_rate"].dimension == "规范性"
    assert m["duplicate_rate"].dimension == "准确性"


def test_clean_release_metrics_are_all_perfect(make_facts: MakeFacts):
    m = _metrics(make_facts())
    perfect = [
        "pii_masking",
        "content_safety",
        "required_completeness",
        "record_completeness",
        "id_uniqueness",
        "content_hash_consistency",
        "provenance_consistency",
        "time_validity",
        "source_freshness",
        "authorisation_validity",
        "licence_declared",
    ]
    assert {k: m[k].value for k in perfect} == dict.fromkeys(perfect, 1.0)
    assert all(metric.rule for metric in m.values())


def test_every_metric_is_a_ratio_in_unit_interval_or_not_evaluated(make_facts: MakeFacts):
    for metric in compute_metrics(make_facts(unmasked_valid_pii=50, harmful_hits=99)):
        if metric.status == "evaluated":
            assert 0 <= metric.value <= 1
            assert metric.B > 0
        else:
            assert metric.value is None


def test_nothing_to_count_is_not_evaluated_never_one():
    metric = ratio("x", "x", "准确性", None, a=0, b=0, rule="bad / all")
    assert metric.status == "not_evaluated"
    assert metric.value is None
    assert ratio("x", "x", "准确性", None, a=3, b=3, rule="").value is None


def test_empty_release_is_not_evaluated(make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]):
    empty = make_records().clear()
    m = _metrics(make_facts(records=empty, ledger=pl.DataFrame(schema=make_facts().ledger.schema)))
    for key in ("parse_rate", "pii_masking", "record_completeness", "id_uniqueness", "duplicate_rate"):
        assert (m[key].status, m[key].value) == ("not_evaluated", None), key


def test_unevaluated_inputs_are_not_evaluated(make_facts: MakeFacts):
    m = _metrics(make_facts(harmful_hits=None))
    assert m["content_safety"].status == "not_evaluated"
    assert m["scale"].status == "not_evaluated"
    m = _metrics(make_facts(size_target=12))
    assert _abv(m["scale"]) == (6, 12, 0.5)


def test_pii_and_harmful_hits(make_facts: MakeFacts):
    m = _metrics(make_facts(unmasked_valid_pii=2, harmful_hits={"news": 1, "blog": 2}))
    assert _abv(m["pii_masking"]) == (4, 6, pytest.approx(4 / 6, abs=1e-6))
    assert _abv(m["content_safety"]) == (3, 6, 0.5)


def test_expectation_pass_rates_per_dimension(make_facts: MakeFacts, make_outcome: Callable[..., ExpectationOutcome]):
    suite = SuiteResult(
        suite_name="s",
        row_count=6,
        outcomes=[
            make_outcome(ExpectationDecl(expect="not_null", column="text"), rows=6, unexpected=2),
            make_outcome(ExpectationDecl(expect="not_null", column="lang"), rows=6, unexpected=1),
            make_outcome(ExpectationDecl(expect="in_set", column="lang", values=["zh"]), rows=6),
        ],
    )
    m = _metrics(make_facts(suite=suite))
    assert _abv(m["expectations.completeness"]) == (9, 12, 0.75)
    assert _abv(m["expectations.conformance"]) == (6, 6, 1.0)
    assert "expectations.accuracy" not in m


def test_completeness_counts_empty_required_cells(
    make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame], make_source: Callable[..., Source]
):
    records = make_records().with_columns(
        text=pl.Series(["", "  ", *make_records()["text"].to_list()[2:]]),
        original_time=pl.Series([None, None, None, *make_records()["original_time"].to_list()[3:]]),
    )
    # blog does not map original_time, so its missing times are not required
    blog = make_source("blog", fields={"text": "content"})
    m = _metrics(make_facts(records=records, sources=[make_source("news"), blog]))
    # 10 required columns × 6 records + original_time for the 3 news records = 63 cells; 2 + 2 empty
    assert _abv(m["required_completeness"]) == (59, 63, pytest.approx(59 / 63, abs=1e-6))
    # records 0 (text, time), 1 (text), 2 (time): 3 incomplete of 6
    assert _abv(m["record_completeness"]) == (3, 6, 0.5)
    assert "text 2 empty" in m["required_completeness"].evidence


def test_missing_required_column_counts_as_empty(make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]):
    m = _metrics(make_facts(records=make_records().drop("lang")))
    assert m["record_completeness"].value == 0.0
    assert m["required_completeness"].A == m["required_completeness"].B - 6


def test_duplicate_ids_and_hash_mismatches(make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]):
    records = make_records().with_columns(
        id=pl.Series(["doc-0", "doc-0", "doc-2", None, "doc-4", "doc-5"]),
        content_sha256=pl.Series(["0" * 64, *make_records()["content_sha256"].to_list()[1:]]),
    )
    m = _metrics(make_facts(records=records))
    assert _abv(m["id_uniqueness"]) == (3, 6, 0.5)
    assert "doc-0" in m["id_uniqueness"].evidence
    assert _abv(m["content_hash_consistency"]) == (5, 6, pytest.approx(5 / 6, abs=1e-6))


def test_provenance_needs_declared_source_and_its_grant(
    make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]
):
    records = make_records().with_columns(
        source_id=pl.Series(["news", "blog", "rogue", "blog", "news", "blog"]),
        grant_id=pl.Series(["G-news", "G-news", "G-rogue", "G-blog", "G-news", "G-blog"]),
    )
    assert _abv(_metrics(make_facts(records=records))["provenance_consistency"]) == (
        4,
        6,
        pytest.approx(4 / 6, abs=1e-6),
    )


def test_timeliness(
    make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame], make_source: Callable[..., Source]
):
    times = [
        datetime(2026, 11, 21, tzinfo=UTC),  # news, fine
        datetime(2026, 1, 1, tzinfo=UTC),  # blog, old but valid
        datetime(2026, 11, 23, tzinfo=UTC),  # news, after ingestion and the run date
        None,  # blog, missing
        datetime(2026, 11, 20, tzinfo=UTC),  # news
        datetime(2026, 2, 1, tzinfo=UTC),  # blog
    ]
    records = make_records().with_columns(original_time=pl.Series(times))
    m = _metrics(make_facts(records=records, sources=[make_source("news"), make_source("blog", update_cycle="weekly")]))
    assert _abv(m["time_validity"]) == (4, 6, pytest.approx(4 / 6, abs=1e-6))
    # news newest valid 2026-11-21 (lag 1 d ≤ 2 d); blog newest 2026-02-01 (lag 294 d > 14 d)
    assert _abv(m["source_freshness"]) == (1, 2, 0.5)
    assert "blog: newest 2026-02-01" in m["source_freshness"].evidence


def test_string_times_parse_and_irregular_sources_are_not_dated(
    make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame], make_source: Callable[..., Source]
):
    records = make_records().with_columns(original_time=pl.lit("2026-11-21 08:00:00"))
    sources = [make_source("news", update_cycle="irregular"), make_source("blog", update_cycle="irregular")]
    m = _metrics(make_facts(records=records, sources=sources))
    assert m["time_validity"].value == 1.0
    assert m["source_freshness"].status == "not_evaluated"


def test_timeliness_not_evaluated_without_mapped_time(make_facts: MakeFacts, make_source: Callable[..., Source]):
    sources = [make_source(i, fields={"text": "content"}) for i in ("news", "blog")]
    m = _metrics(make_facts(sources=sources))
    assert m["time_validity"].status == m["source_freshness"].status == "not_evaluated"


def test_accessibility(make_facts: MakeFacts, make_source: Callable[..., Source]):
    expired = make_source("blog", license="unknown").model_dump(by_alias=True)
    expired["authorisation"]["valid_until"] = date(2026, 6, 30)
    m = _metrics(make_facts(sources=[make_source("news"), Source.model_validate(expired)]))
    assert _abv(m["authorisation_validity"]) == (1, 2, 0.5)
    assert "valid_until 2026-06-30 has passed" in m["authorisation_validity"].evidence
    assert _abv(m["licence_declared"]) == (1, 2, 0.5)


def test_table_dataset_skips_text_only_metrics(make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]):
    dataset = Dataset(name="t", kind="text", sources=["news", "blog"], purpose="model-training").model_copy(
        update={"kind": "table"}
    )
    m = _metrics(make_facts(dataset=dataset))
    assert m["content_hash_consistency"].status == "not_evaluated"
