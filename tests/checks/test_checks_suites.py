"""Built-in and declared suites: which expectations, on which columns, counting for which dimension."""

import subprocess
import sys
from collections.abc import Callable

import pytest

from catalog.errors import DeclarationError
from catalog.models import CleanConfig, Dataset, ExpectationDecl, Source, Suite
from checks.suites import builtin_expectations, suite_expectations


def _by_kind(decls: list[ExpectationDecl]) -> set[tuple[str, str, str | None]]:
    return {(d.expect, d.column or ",".join(d.columns or ()), d.dimension) for d in decls}


def test_text_builtins_restate_the_record_contract(make_source: Callable[..., Source]):
    dataset = Dataset(
        name="corpus",
        kind="text",
        sources=["news", "blog"],
        purpose="model-training",
        clean=CleanConfig(accepted_languages=["zh", "yue"]),
    )
    decls = builtin_expectations(dataset, [make_source("news"), make_source("blog"), make_source("other")])
    assert _by_kind(decls) == {
        ("not_null", "id", "完整性"),
        ("unique", "id", "准确性"),
        ("in_set", "source_id", "规范性"),
        ("not_null", "text", "完整性"),
        ("length_between", "text", "规范性"),
        ("between", "quality_score", "准确性"),
        ("in_set", "lang", "规范性"),
        ("regex", "content_sha256", "规范性"),
    }
    values = {d.column: d.values for d in decls if d.expect == "in_set"}
    assert values == {"source_id": ["news", "blog"], "lang": ["zh", "yue"]}
    assert all(d.severity == "error" for d in decls)


def _table_source(make_source: Callable[..., Source]) -> Source:
    return make_source(
        "stations",
        kind="table",
        format="csv",
        fields={},
        schema={
            "station": {"type": "string", "required": True, "key": True, "pattern": r"^5\d{4}$"},
            "day": {"type": "date", "key": True, "min": 0},
            "level": {"type": "int", "values": ["1", "2", "3"]},
            "temp": {"type": "float", "min": -40, "max": 50},
        },
    )


def test_table_builtins_follow_the_schema(make_source: Callable[..., Source]):
    dataset = Dataset(name="weather", kind="table", sources=["stations"], purpose="model-training")
    decls = builtin_expectations(dataset, [_table_source(make_source)])
    assert _by_kind(decls) == {
        ("not_null", "id", "完整性"),
        ("unique", "id", "准确性"),
        ("in_set", "source_id", "规范性"),
        ("not_null", "station", "完整性"),
        ("regex", "station", "规范性"),
        ("not_null", "day", "完整性"),  # keys must be present even when not marked required
        ("in_set", "level", "规范性"),
        ("between", "temp", "准确性"),
        ("unique_together", "station,day", "一致性"),
    }
    level = next(d for d in decls if d.column == "level")
    assert level.values == [1, 2, 3]


def test_value_rules_only_warn_when_invalid_rows_are_kept(make_source: Callable[..., Source]):
    dataset = Dataset(
        name="weather",
        kind="table",
        sources=["stations"],
        purpose="model-training",
        clean=CleanConfig(drop_invalid_rows=False),
    )
    severities = {(d.expect, d.column): d.severity for d in builtin_expectations(dataset, [_table_source(make_source)])}
    assert severities[("between", "temp")] == severities[("regex", "station")] == "warn"
    assert severities[("not_null", "station")] == "error"


def test_single_key_is_unique(make_source: Callable[..., Source]):
    source = make_source("codes", kind="table", format="csv", fields={}, schema={"code": {"key": True}})
    dataset = Dataset(name="codes", kind="table", sources=["codes"], purpose="model-training")
    assert ("unique", "code", "一致性") in _by_kind(builtin_expectations(dataset, [source]))


def test_bad_reference_values_name_the_column(make_source: Callable[..., Source]):
    source = make_source("codes", kind="table", format="csv", fields={}, schema={"n": {"type": "int", "values": ["x"]}})
    dataset = Dataset(name="codes", kind="table", sources=["codes"], purpose="model-training")
    with pytest.raises(DeclarationError, match=r"schema\.n\.values"):
        builtin_expectations(dataset, [source])


def test_declared_suites_get_default_dimensions():
    suite = Suite(
        name="tourism-extra",
        expectations=[
            ExpectationDecl(expect="regex", column="source_uri", pattern="^file://"),
            ExpectationDecl(expect="unique", column="text", dimension="准确性"),
        ],
    )
    dataset = Dataset(name="corpus", kind="text", sources=["news"], purpose="p", suites=["tourism-extra"])
    decls = suite_expectations(dataset, {"tourism-extra": suite})
    assert [d.dimension for d in decls] == ["规范性", "准确性"]


def test_unknown_suite_suggests_the_closest():
    dataset = Dataset(name="corpus", kind="text", sources=["news"], purpose="p", suites=["tourism-extr"])
    suite = Suite(name="tourism-extra", expectations=[ExpectationDecl(expect="not_null", column="text")])
    with pytest.raises(DeclarationError, match="did you mean 'tourism-extra'"):
        suite_expectations(dataset, {"tourism-extra": suite})


def test_reading_results_does_not_import_great_expectations():
    code = (
        "import sys, checks.suites, checks.report, checks.scoring, checks.metrics; "
        "sys.exit('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
