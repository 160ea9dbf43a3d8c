"""What every stage returns, and the ledger rows that account for each record it removed.

Stages are pure functions ``stage(records, *, config) -> StageResult``: the data is the only
positional argument, options are keyword-only, and nothing reads a clock, the environment or
the network, so the same input always gives the same result.
"""

from dataclasses import dataclass, field

import polars as pl

from catalog.records import LEDGER_SCHEMA, empty_ledger
from pipelines.reasons import Outcome, Stage, outcome


@dataclass(frozen=True)
class StageResult:
    """Records a stage kept, ledger rows for those it removed, and counters for the report."""

    kept: pl.DataFrame
    removed: pl.DataFrame = field(default_factory=empty_ledger)
    stats: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.removed.columns != list(LEDGER_SCHEMA):
            raise TypeError(
                f"StageResult.removed must have the ledger columns {list(LEDGER_SCHEMA)}, got {self.removed.columns}"
            )


def ledger_rows(
    records: pl.DataFrame,
    *,
    stage: Stage,
    kind: Outcome,
    reason: str | pl.Expr = "",
    detail: str | pl.Expr = "",
) -> pl.DataFrame:
    """Ledger rows for ``records`` (which carry ``id``, ``source_id`` and ``source_key``).

    ``reason`` is a reason code (or an expression giving one per row); for duplicates it is the
    id of the record that was kept, which becomes ``duplicate_of:<id>``; published rows take none.
    """
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    detail_expr = pl.lit(detail) if isinstance(detail, str) else detail
    outcome_expr = (
        pl.lit(Outcome.PUBLISHED.value)
        if kind is Outcome.PUBLISHED
        else pl.concat_str(pl.lit(outcome(kind, "")), reason_expr.cast(pl.String))
    )
    return records.select(
        record_id=pl.col("id").cast(pl.String),
        source_id=pl.col("source_id").cast(pl.String),
        source_key=pl.col("source_key").cast(pl.String),
        stage=pl.lit(stage.value),
        outcome=outcome_expr,
        detail=detail_expr.cast(pl.String).fill_null(""),
    )
