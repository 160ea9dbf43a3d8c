"""Every test that runs Great Expectations lives here: importing it takes seconds."""

from collections.abc import Callable
from datetime import UTC, date, datetime

import polars as pl
import pytest

from catalog.models import ColumnSpec, Dataset, ExpectationDecl, Source
from checks.expectations import run_suite
from checks.facts import ReleaseFacts
from checks.report import build_report
from checks.suites import builtin_expectations

KINDS = [
    ExpectationDecl(expect="not_null", column="id"),
    ExpectationDecl(expect="unique", column="id"),
    ExpectationDecl(expect="unique_together", columns=["city", "day"]),
    ExpectationDecl(expect="between", column="temp", min=-40, max=50),
    ExpectationDecl(expect="in_set", column="city", values=["贵阳", "遵义"]),
    ExpectationDecl(expect="regex", column="code", pattern=r"^52\d{4}$"),
    ExpectationDecl(expect="length_between", column="code", min=6, max=6),
]
CLEAN = pl.DataFrame(
    {
        "id": ["a", "b", "c", "d"],
        "city": ["贵阳", "贵阳", "遵义", "遵义"],
        "day": [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 1), date(2026, 11, 2)],
        "temp": [12.5, 9.0, -3.0, 30.0],
        "code": ["520100", "520100", "520300", "520300"],
    }
)
FAULTY = pl.DataFrame(
    {
        "id": ["a", "a", None, "d"],
        "city": ["贵阳", "贵阳", "遵义", "安顺"],
        "day": [date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 2)],
        "temp": [12.5, 9.0, 99.0, 30.0],
        "code": ["520100", "520100", "5203", "ABC123"],
    }
)
# What each kind must flag in FAULTY (by the order of KINDS).
FLAGGED = ["null", "a", None, "99", "安顺", "5203", "5203"]


@pytest.fixture(scope="module")
def clean_result():
    return run_suite(CLEAN, KINDS, suite_name="kinds")


@pytest.fixture(scope="module")
def faulty_result():
    return run_suite(FAULTY, KINDS, suite_name="kinds")


def test_every_kind_passes_on_clean_frame(clean_result):
    assert [o.success for o in clean_result.outcomes] == [True] * len(KINDS)
    assert clean_result.passed
    assert all(o.element_count == 4 and o.unexpected_count == 0 for o in clean_result.outcomes)


@pytest.mark.parametrize("index", range(len(KINDS)), ids=[d.expect for d in KINDS])
def test_every_kind_catches_its_fault(faulty_result, index):
    outcome = faulty_result.outcomes[index]
    assert outcome.decl == KINDS[index]
    assert not outcome.success
    assert outcome.unexpected_count >= 1
    assert outcome.message.startswith("FAILED")
    assert len(outcome.partial_unexpected) <= 10
    if FLAGGED[index] is not None:
        assert FLAGGED[index] in outcome.partial_unexpected


def test_faulty_suite_blocks_and_maps_gx_types(faulty_result):
    assert not faulty_result.passed
    assert len(faulty_result.blocking_failures) == len(KINDS)
    assert faulty_result.outcomes[2].gx_type == "ExpectCompoundColumnsToBeUnique"
    assert faulty_result.outcomes[6].gx_type == "ExpectColumnValueLengthsToBeBetween"


def test_missing_column_fails_clearly_and_others_still_run():
    decls = [
        ExpectationDecl(expect="not_null", column="nope"),
        ExpectationDecl(expect="unique_together", columns=["id", "missing_too"]),
        ExpectationDecl(expect="not_null", column="id"),
    ]
    result = run_suite(CLEAN, decls, suite_name="missing")
    missing, compound, present = result.outcomes
    assert not missing.success
    assert "'nope' is not in the data" in missing.message
    assert missing.unexpected_count == missing.element_count == CLEAN.height
    assert "'missing_too'" in compound.message
    assert present.success


def test_mostly_and_warn_severity_do_not_block():
    decls = [
        ExpectationDecl(expect="between", column="temp", min=-40, max=50, mostly=0.7),
        ExpectationDecl(expect="in_set", column="city", values=["贵阳"], severity="warn"),
    ]
    result = run_suite(FAULTY, decls, suite_name="lenient")
    mostly, warn = result.outcomes
    assert mostly.success
    assert mostly.unexpected_count == 1
    assert not warn.success
    assert result.passed
    assert result.blocking_failures == []


def test_temporal_and_categorical_columns_convert():
    frame = pl.DataFrame(
        {
            "ts": [datetime(2026, 11, 1, 8, tzinfo=UTC), None],
            "naive": [datetime(2026, 11, 1, 8), datetime(2026, 11, 2, 8)],
            "d": [date(2026, 11, 1), date(2026, 11, 2)],
            "cat": pl.Series(["zh", "en"], dtype=pl.Categorical),
        }
    )
    decls = [
        ExpectationDecl(expect="not_null", column="ts"),
        ExpectationDecl(expect="unique", column="naive"),
        ExpectationDecl(expect="unique_together", columns=["d", "cat"]),
        ExpectationDecl(expect="in_set", column="cat", values=["zh"]),
        ExpectationDecl(expect="between", column="ts", min=0, max=1),
    ]
    ts, naive, compound, cat, bad_between = run_suite(frame, decls, suite_name="temporal").outcomes
    assert not ts.success
    assert ts.unexpected_count == 1
    assert naive.success
    assert compound.success
    assert not cat.success
    assert cat.partial_unexpected == ["en"]
    assert not bad_between.success
    assert "could not evaluate" in bad_between.message


def test_builtin_text_suite_passes_on_contract_records(make_facts: Callable[..., ReleaseFacts]):
    facts = make_facts()
    decls = builtin_expectations(facts.dataset, facts.sources)
    result = run_suite(facts.records, decls, suite_name="builtin")
    assert result.passed, [o.message for o in result.outcomes if not o.success]
    broken = facts.records.with_columns(lang=pl.lit("en"), content_sha256=pl.lit("XYZ"))
    failed = {o.decl.column for o in run_suite(broken, decls, suite_name="builtin").blocking_failures}
    assert failed == {"lang", "content_sha256"}


def _weather_source() -> Source:
    return Source.model_validate(
        {
            "id": "weather",
            "title": "贵州气象日值",
            "kind": "table",
            "format": "csv",
            "location": "data/weather.csv",
            "license": "CC-BY-4.0",
            "classification": "general-1",
            "update_cycle": "daily",
            "schema": {
                "station": ColumnSpec(type="string", required=True, key=True, pattern=r"^5\d{4}$"),
                "day": ColumnSpec(type="date", required=True, key=True),
                "temp": ColumnSpec(type="float", required=True, min=-40, max=50),
                "sky": ColumnSpec(type="string", values=["晴", "阴", "雨"]),
            },
            "authorisation": {
                "grant_id": "G-weather",
                "grantor": "贵州省气象局",
                "grantee": "贵州大数据集团",
                "scope": "domain",
                "purposes": ["model-training"],
                "valid_from": date(2026, 1, 1),
                "valid_until": date(2027, 12, 31),
            },
        }
    )


def _weather(rows: list[tuple[str | None, date, float | None, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=["station", "day", "temp", "sky"], orient="row")
    return frame.with_columns(
        id=pl.concat_str(pl.col("station").fill_null("?"), pl.col("day").cast(pl.String), separator=":")
        + pl.int_range(pl.len()).cast(pl.String),
        source_id=pl.lit("weather"),
        grant_id=pl.lit("G-weather"),
        source_key=pl.int_range(pl.len()).cast(pl.String),
        ingested_at=pl.lit(datetime(2026, 11, 22, tzinfo=UTC)),
        content_sha256=pl.lit("0" * 64),
    )


def test_faulty_table_scores_lower_on_each_affected_dimension(make_facts: Callable[..., ReleaseFacts]):
    dataset = Dataset(name="weather-daily", kind="table", sources=["weather"], purpose="model-training")
    sources = [_weather_source()]
    decls = builtin_expectations(dataset, sources)
    day = date(2026, 11, 21)
    clean = _weather([("57816", day, 12.0, "晴"), ("57713", day, 9.5, "阴"), ("57806", day, 11.0, "雨")])
    faulty = _weather([("57816", day, 12.0, "晴"), ("57816", day, 99.0, "雾"), ("X1", day, None, "雨")])

    def dimensions(records: pl.DataFrame) -> dict[str, float | None]:
        facts = make_facts(
            dataset=dataset,
            sources=sources,
            records=records,
            suite=run_suite(records, decls, suite_name="builtin"),
        )
        return build_report(facts).summary["dimensions"]

    good, bad = dimensions(clean), dimensions(faulty)
    for dim in ("规范性", "完整性", "准确性", "一致性"):
        assert bad[dim] < good[dim], dim
    assert bad["可访问性"] == good["可访问性"]
