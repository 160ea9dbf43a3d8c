"""Table cleaning: drop rows that break the declared schema or row rules, each with its reason.

Rows are scored by completeness (non-null declared cells / declared cells) so consumers can
prefer complete rows without losing the others.
"""

import polars as pl

from catalog.errors import DeclarationError
from catalog.models import ColumnSpec
from pipelines import reasons
from pipelines.reasons import Outcome, Stage
from pipelines.stage import StageResult, ledger_rows


def _says(column: str, value: pl.Expr, tail: str) -> pl.Expr:
    """``column=value tail``; built by concatenation since patterns may contain format braces."""
    return pl.concat_str([pl.lit(f"{column}="), value.cast(pl.String), pl.lit(tail)])


def _violations(column: str, spec: ColumnSpec) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(reason, failing-row predicate, detail) for each rule a column declares, in priority order."""
    value = pl.col(column)
    checks: list[tuple[str, pl.Expr, pl.Expr]] = []
    if spec.required:
        checks.append((reasons.CLEAN_REQUIRED_NULL, value.is_null(), pl.lit(f"{column} is required but empty")))
    if spec.min is not None:
        checks.append((reasons.CLEAN_OUT_OF_RANGE, value < spec.min, _says(column, value, f" < min {spec.min:g}")))
    if spec.max is not None:
        checks.append((reasons.CLEAN_OUT_OF_RANGE, value > spec.max, _says(column, value, f" > max {spec.max:g}")))
    if spec.values is not None:
        allowed = pl.lit(spec.values, dtype=pl.List(pl.String))
        checks.append(
            (
                reasons.CLEAN_NOT_IN_SET,
                ~value.cast(pl.String).is_in(allowed.explode()),
                _says(column, value, " not in the declared values"),
            )
        )
    if spec.pattern is not None:
        checks.append(
            (
                reasons.CLEAN_PATTERN_MISMATCH,
                ~value.cast(pl.String).str.contains(spec.pattern),
                _says(column, value, f" does not match {spec.pattern}"),
            )
        )
    return checks


def _rule(name: str, sql: str) -> pl.Expr:
    try:
        return pl.sql_expr(sql)
    except (pl.exceptions.PolarsError, ValueError) as err:
        raise DeclarationError(
            f"rules.{name}: {sql!r} is not a valid SQL boolean expression ({err}); fix the rule"
        ) from err


def validate_rows(
    records: pl.DataFrame, *, schema: dict[str, ColumnSpec], rules: dict[str, str], drop_invalid: bool = True
) -> StageResult:
    """Keep rows meeting every declared rule; the first rule a row breaks is its reason."""
    checks = [check for column, spec in schema.items() for check in _violations(column, spec)]
    checks += [
        (reasons.CLEAN_ROW_RULE, _rule(name, sql).not_(), pl.lit(f"rule {name}: {sql} is false"))
        for name, sql in rules.items()
    ]
    reason = (
        pl.coalesce([pl.when(failing.fill_null(False)).then(pl.lit(code)) for code, failing, _ in checks])
        if checks
        else pl.lit(None, dtype=pl.String)
    )
    detail = (
        pl.coalesce([pl.when(failing.fill_null(False)).then(text) for _, failing, text in checks])
        if checks
        else pl.lit(None, dtype=pl.String)
    )
    completeness = pl.mean_horizontal([pl.col(c).is_not_null().cast(pl.Float64) for c in schema])
    marked = records.with_columns(_reason=reason, _detail=detail, quality_score=completeness)
    if not drop_invalid:
        kept, dropped = marked, marked.clear()
    else:
        kept, dropped = marked.filter(pl.col("_reason").is_null()), marked.filter(pl.col("_reason").is_not_null())
    removed = ledger_rows(
        dropped, stage=Stage.CLEAN, kind=Outcome.FILTERED, reason=pl.col("_reason"), detail=pl.col("_detail")
    )
    stats = {f"filtered_{code}": float(n) for code, n in dropped.group_by("_reason").len().iter_rows()}
    stats["rows_kept"] = float(kept.height)
    return StageResult(kept=kept.drop("_reason", "_detail"), removed=removed, stats=stats)
