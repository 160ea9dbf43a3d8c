"""Run friendly expectation declarations as one Great Expectations 1.x validation.

GX has no polars engine, so the referenced columns go to pandas once and the whole suite runs as
a single validation on an ephemeral context. GX is imported inside ``run_suite`` only: importing
it takes seconds, and modules that merely read a ``SuiteResult`` must not pay for that.
"""

import json
import logging
import math
from collections.abc import Sequence
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, computed_field

from catalog.models import Dimension, ExpectationDecl, ExpectKind

# Where an expectation declared without a dimension counts (GB/T 36344).
DEFAULT_DIMENSION: dict[ExpectKind, Dimension] = {
    "not_null": "完整性",
    "unique": "一致性",
    "unique_together": "一致性",
    "between": "准确性",
    "in_set": "规范性",
    "regex": "规范性",
    "length_between": "规范性",
}

GX_TYPES: dict[ExpectKind, str] = {
    "not_null": "ExpectColumnValuesToNotBeNull",
    "unique": "ExpectColumnValuesToBeUnique",
    "unique_together": "ExpectCompoundColumnsToBeUnique",
    "between": "ExpectColumnValuesToBeBetween",
    "in_set": "ExpectColumnValuesToBeInSet",
    "regex": "ExpectColumnValuesToMatchRegex",
    "length_between": "ExpectColumnValueLengthsToBeBetween",
}

PARTIAL_LIMIT = 10
_META_KEY = "hqdata_index"


class ExpectationOutcome(BaseModel):
    """What one declared expectation found; counts are rows (element) and failing rows (unexpected)."""

    model_config = ConfigDict(frozen=True)

    decl: ExpectationDecl
    gx_type: str
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_percent: float | None
    partial_unexpected: list[str]
    message: str

    @property
    def dimension(self) -> Dimension:
        return self.decl.dimension or DEFAULT_DIMENSION[self.decl.expect]

    @property
    def blocking(self) -> bool:
        return self.decl.severity == "error" and not self.success

    @property
    def target(self) -> str:
        """The column, or the columns joined by commas, the expectation is about."""
        return self.decl.column or ", ".join(self.decl.columns or ())


class SuiteResult(BaseModel):
    """The outcomes of one suite run; failed ``error`` expectations block publishing."""

    model_config = ConfigDict(frozen=True)

    suite_name: str
    row_count: int
    outcomes: list[ExpectationOutcome]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.blocking]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return not self.blocking_failures


def describe(decl: ExpectationDecl) -> str:
    """A short human statement of what the declaration expects."""
    target = decl.column or f"({', '.join(decl.columns or ())})"
    bounds = _bounds(decl.min, decl.max)
    statements: dict[ExpectKind, str] = {
        "not_null": f"{target} is never null",
        "unique": f"{target} is unique",
        "unique_together": f"{target} are unique together",
        "between": f"{target} is {bounds}",
        "in_set": f"{target} is one of {_short_list(decl.values or [])}",
        "regex": f"{target} matches /{decl.pattern}/",
        "length_between": f"length of {target} is {bounds}",
    }
    mostly = f" for at least {decl.mostly:.0%} of rows" if decl.mostly < 1 else ""
    return statements[decl.expect] + mostly


def run_suite(frame: pl.DataFrame, expectations: Sequence[ExpectationDecl], *, suite_name: str) -> SuiteResult:
    """Validate ``frame`` against every declaration in one GX run; a missing column fails, never crashes."""
    outcomes: dict[int, ExpectationOutcome] = {}
    runnable: list[tuple[int, ExpectationDecl]] = []
    for index, decl in enumerate(expectations):
        missing = [c for c in _columns(decl) if c not in frame.columns]
        if missing:
            outcomes[index] = _missing_outcome(decl, missing, frame)
        else:
            runnable.append((index, decl))
    if runnable:
        outcomes.update(_validate(frame, runnable, suite_name=suite_name))
    return SuiteResult(
        suite_name=suite_name,
        row_count=frame.height,
        outcomes=[outcomes[i] for i in range(len(expectations))],
    )


def _validate(
    frame: pl.DataFrame, runnable: list[tuple[int, ExpectationDecl]], *, suite_name: str
) -> dict[int, ExpectationOutcome]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    context = gx.get_context(project_config=config, mode="ephemeral")
    whole = (
        context.data_sources.add_pandas("hqdata")
        .add_dataframe_asset(name="frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=suite_name,
            expectations=[_gx_expectation(decl, meta={_META_KEY: index}) for index, decl in runnable],
        )
    )
    # A validation definition loads (and fingerprints) the frame once; Batch.validate does it twice.
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=suite_name, data=whole, suite=suite))
    result = validation.run(
        batch_parameters={"dataframe": _to_pandas(frame, runnable)},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_LIMIT},
    )
    decls = dict(runnable)
    outcomes: dict[int, ExpectationOutcome] = {}
    for item in result.results:
        index = int(item.expectation_config.meta[_META_KEY])
        outcomes[index] = _outcome(decls[index], item.to_json_dict(), frame.height)
    return outcomes


def _to_pandas(frame: pl.DataFrame, runnable: list[tuple[int, ExpectationDecl]]) -> Any:
    """Only the referenced columns go to pandas; categoricals become strings so sets compare by value."""
    names = list(dict.fromkeys(c for _, decl in runnable for c in _columns(decl)))
    selected = frame.select(
        pl.col(n).cast(pl.String) if isinstance(frame.schema[n], pl.Categorical | pl.Enum) else pl.col(n) for n in names
    )
    return selected.to_pandas()


def _gx_expectation(decl: ExpectationDecl, *, meta: dict[str, Any]) -> Any:
    import great_expectations.expectations as gxe

    common: dict[str, Any] = {"meta": meta, "mostly": decl.mostly}
    cls = getattr(gxe, GX_TYPES[decl.expect])
    match decl.expect:
        case "not_null" | "unique":
            return cls(column=decl.column, **common)
        case "unique_together":
            return cls(column_list=list(decl.columns or ()), **common)
        case "between":
            return cls(column=decl.column, min_value=decl.min, max_value=decl.max, **common)
        case "length_between":
            return cls(
                column=decl.column,
                min_value=None if decl.min is None else int(decl.min),
                max_value=None if decl.max is None else int(decl.max),
                **common,
            )
        case "in_set":
            return cls(column=decl.column, value_set=list(decl.values or ()), **common)
        case "regex":
            return cls(column=decl.column, regex=decl.pattern, **common)


def _outcome(decl: ExpectationDecl, item: dict[str, Any], rows: int) -> ExpectationOutcome:
    info = item.get("exception_info") or {}
    raised = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception"):
        raised.append(info)
    if raised:
        error = str(raised[0].get("exception_message") or "unknown error").splitlines()[0]
        return ExpectationOutcome(
            decl=decl,
            gx_type=GX_TYPES[decl.expect],
            success=False,
            element_count=rows,
            unexpected_count=rows,
            unexpected_percent=100.0 if rows else None,
            partial_unexpected=[],
            message=f"FAILED: {describe(decl)}; Great Expectations could not evaluate it ({error}); "
            "check the column's type and the expectation's arguments",
        )
    result = item.get("result") or {}
    success = bool(item.get("success"))
    element = int(result.get("element_count") or 0)
    unexpected = int(result.get("unexpected_count") or 0)
    percent = result.get("unexpected_percent")
    percent = None if percent is None or _is_nan(percent) else round(float(percent), 4)
    verdict = "passed" if success else "FAILED"
    detail = f"{unexpected:,} of {element:,} rows unexpected" + (f" ({percent:.2f}%)" if percent is not None else "")
    return ExpectationOutcome(
        decl=decl,
        gx_type=GX_TYPES[decl.expect],
        success=success,
        element_count=element,
        unexpected_count=unexpected,
        unexpected_percent=percent,
        partial_unexpected=[_json_safe(v) for v in (result.get("partial_unexpected_list") or [])[:PARTIAL_LIMIT]],
        message=f"{verdict}: {describe(decl)}; {detail}",
    )


def _missing_outcome(decl: ExpectationDecl, missing: list[str], frame: pl.DataFrame) -> ExpectationOutcome:
    present = ", ".join(frame.columns[:20]) + (" …" if frame.width > 20 else "")
    return ExpectationOutcome(
        decl=decl,
        gx_type=GX_TYPES[decl.expect],
        success=False,
        element_count=frame.height,
        unexpected_count=frame.height,
        unexpected_percent=100.0 if frame.height else None,
        partial_unexpected=[],
        message=f"FAILED: {describe(decl)}; column {', '.join(repr(c) for c in missing)} is not in the data "
        f"(columns: {present}); fix the column name in the suite or the stage that should produce it",
    )


def _columns(decl: ExpectationDecl) -> list[str]:
    return [decl.column] if decl.column is not None else list(decl.columns or ())


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {_num(low)} and {_num(high)}"
    return f"at least {_num(low)}" if low is not None else f"at most {_num(high)}"


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"


def _short_list(values: Sequence[object], limit: int = 8) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return "{" + shown + (", …" if len(values) > limit else "") + "}"


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _json_safe(value: object) -> str:
    if value is None or _is_nan(value):
        return "null"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
