"""Where a release's records ended up, counted from the ledger: the ledger-based metrics and the report read it."""

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Funnel:
    """Final outcomes of every ingested record, read from the ledger (DESIGN §5)."""

    ingested: int
    quarantined: int
    filtered: int
    duplicates: int
    published: int
    by_reason: dict[str, int] = field(default_factory=dict)


def outcome_kind() -> pl.Expr:
    """``published`` / ``filtered`` / ``duplicate_of`` / ``quarantined`` of a ledger outcome."""
    return pl.col("outcome").str.extract(r"^([a-z_]+)", 1).alias("kind")


def outcome_reason() -> pl.Expr:
    """The outcome without duplicate target ids, so that reasons can be counted."""
    return (
        pl.when(pl.col("outcome").str.starts_with("duplicate_of:"))
        .then(pl.lit("duplicate_of"))
        .otherwise(pl.col("outcome"))
        .alias("reason")
    )


def funnel(ledger: pl.DataFrame) -> Funnel:
    kinds = dict(ledger.group_by(outcome_kind()).len().iter_rows())
    reasons = ledger.group_by(outcome_reason()).len().sort("len", "reason", descending=[True, False])
    return Funnel(
        ingested=ledger.height,
        quarantined=kinds.get("quarantined", 0),
        filtered=kinds.get("filtered", 0),
        duplicates=kinds.get("duplicate_of", 0),
        published=kinds.get("published", 0),
        by_reason={r: n for r, n in reasons.iter_rows() if r != "published"},
    )


def top_reasons(reasons: dict[str, int], prefix: str, limit: int = 3) -> str:
    shown = [f"{r.split(':', 1)[-1]} {n:,}" for r, n in reasons.items() if r.startswith(prefix)][:limit]
    return "; ".join(shown)
