"""Table cleaning: each declared rule drops its rows with the rule's reason; rows are scored."""

import polars as pl
import pytest

from catalog.errors import DeclarationError
from catalog.models import ColumnSpec
from pipelines.tables.validate import validate_rows

SCHEMA = {
    "station_id": ColumnSpec(type="string", required=True, key=True, pattern=r"^\d{5}$"),
    "level": ColumnSpec(type="string", values=["A", "B"]),
    "t_max": ColumnSpec(type="float", required=True, min=-30, max=45),
    "t_min": ColumnSpec(type="float", min=-30, max=45),
}
RULES = {"min_not_above_max": "t_min <= t_max"}


def rows(*values: tuple[object, ...]) -> pl.DataFrame:
    frame = pl.DataFrame(
        values,
        schema={"station_id": pl.String, "level": pl.String, "t_max": pl.Float64, "t_min": pl.Float64},
        orient="row",
    )
    return frame.with_columns(
        id=pl.format("r{}", pl.int_range(pl.len())),
        source_id=pl.lit("w"),
        source_key=pl.format("w.csv:{}", pl.int_range(pl.len()) + 2),
    )


@pytest.mark.parametrize(
    ("row", "outcome", "detail"),
    [
        pytest.param(
            (None, "A", 10.0, 1.0), "filtered:clean_required_null", "station_id is required but empty", id="required"
        ),
        pytest.param(("57816", "A", 99.9, 1.0), "filtered:clean_out_of_range", "t_max=99.9 > max 45", id="above-max"),
        pytest.param(
            ("57816", "A", 10.0, -60.0), "filtered:clean_out_of_range", "t_min=-60.0 < min -30", id="below-min"
        ),
        pytest.param(
            ("57816", "Z", 10.0, 1.0), "filtered:clean_not_in_set", "level=Z not in the declared values", id="set"
        ),
        pytest.param(
            ("5781", "A", 10.0, 1.0),
            "filtered:clean_pattern_mismatch",
            r"station_id=5781 does not match ^\d{5}$",
            id="pattern",
        ),
        pytest.param(
            ("57816", "A", 1.0, 10.0),
            "filtered:clean_row_rule",
            "rule min_not_above_max: t_min <= t_max is false",
            id="rule",
        ),
    ],
)
def test_each_rule_drops_with_its_reason(row: tuple[object, ...], outcome: str, detail: str) -> None:
    result = validate_rows(rows(("57817", "B", 12.0, 3.0), row), schema=SCHEMA, rules=RULES)
    assert result.kept["station_id"].to_list() == ["57817"]
    assert result.removed.select("record_id", "outcome", "detail", "stage").row(0) == ("r1", outcome, detail, "clean")


def test_optional_nulls_are_kept_and_lower_the_score() -> None:
    result = validate_rows(rows(("57816", "A", 10.0, 1.0), ("57817", None, 10.0, None)), schema=SCHEMA, rules={})
    assert result.removed.height == 0
    assert result.kept["quality_score"].to_list() == [1.0, 0.5]


def test_first_broken_rule_wins_and_stats_count_reasons() -> None:
    result = validate_rows(rows((None, "Z", 99.0, 1.0), ("57816", "A", 99.0, 1.0)), schema=SCHEMA, rules=RULES)
    assert result.removed["outcome"].to_list() == ["filtered:clean_required_null", "filtered:clean_out_of_range"]
    assert result.stats["filtered_clean_required_null"] == 1
    assert result.stats["filtered_clean_out_of_range"] == 1


def test_keeping_invalid_rows_is_a_choice() -> None:
    result = validate_rows(rows(("x", "A", 99.0, 1.0)), schema=SCHEMA, rules=RULES, drop_invalid=False)
    assert result.kept.height == 1
    assert result.removed.height == 0


def test_a_broken_rule_is_a_declaration_error() -> None:
    with pytest.raises(DeclarationError, match="rules.bad: 't_min <=' is not a valid SQL"):
        validate_rows(rows(("57816", "A", 1.0, 0.0)), schema=SCHEMA, rules={"bad": "t_min <="})
