"""完整性 (completeness) indicators: required cells filled, records complete, size target reached."""

import polars as pl

from checks.facts import ReleaseFacts
from checks.metric import Metric, not_evaluated, ratio

# Columns every published record must fill (DESIGN §4), and those only sources that map them must.
TEXT_REQUIRED: tuple[str, ...] = (
    "id",
    "text",
    "source_id",
    "grant_id",
    "source_key",
    "ingested_at",
    "content_sha256",
    "lang",
    "n_chars",
    "quality_score",
)
TABLE_REQUIRED: tuple[str, ...] = ("id", "source_id", "grant_id", "source_key", "ingested_at")
MAPPED_OPTIONAL: tuple[str, ...] = ("original_time", "source_uri")


def _required_cells(facts: ReleaseFacts) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(column, applies-to-row, is-filled) for each column a record must fill."""
    records = facts.records
    if facts.dataset.kind == "text":
        always = list(TEXT_REQUIRED)
    else:
        schema = next((s.schema_ for s in facts.sources if s.schema_), {})
        always = [*TABLE_REQUIRED, *(n for n, spec in schema.items() if spec.required or spec.key)]
    cells = [(c, pl.lit(True), is_filled(records, c)) for c in dict.fromkeys(always)]
    for column in MAPPED_OPTIONAL:
        mapping = [s.id for s in facts.sources if column in s.fields or column in s.schema_]
        if mapping and column not in always:
            cells.append((column, pl.col("source_id").is_in(mapping).fill_null(False), is_filled(records, column)))
    return cells


def is_filled(records: pl.DataFrame, column: str) -> pl.Expr:
    if column not in records.columns:
        return pl.lit(False)
    if records.schema[column] == pl.String:
        return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")
    return pl.col(column).is_not_null()


def completeness(facts: ReleaseFacts) -> list[Metric]:
    records = facts.records
    if "source_id" not in records.columns:
        records = records.with_columns(source_id=pl.lit(None, pl.String))
    cells = _required_cells(facts)
    columns = [c for c, _, _ in cells]
    flags = records.with_columns(
        *(applies.alias(f"b:{c}") for c, applies, _ in cells),
        *((applies & filled).alias(f"a:{c}") for c, applies, filled in cells),
    )
    sums = flags.select(
        *(pl.col(f"a:{c}").sum() for c in columns),
        *(pl.col(f"b:{c}").sum() for c in columns),
        pl.all_horizontal(pl.col(f"a:{c}") | ~pl.col(f"b:{c}") for c in columns).sum().alias("complete"),
    ).row(0, named=True)
    filled = sum(int(sums[f"a:{c}"] or 0) for c in columns)
    applicable = sum(int(sums[f"b:{c}"] or 0) for c in columns)
    gaps = sorted(((int(sums[f"b:{c}"] or 0) - int(sums[f"a:{c}"] or 0), c) for c in columns), reverse=True)
    gap_text = ", ".join(f"{c} {n:,} empty" for n, c in gaps if n) or "no empty required cell"
    return [
        ratio(
            "required_completeness",
            "必填字段完整率 / Required-field completeness",
            "完整性",
            "0204",
            a=filled,
            b=applicable,
            rule=f"non-empty cells / required cells over {', '.join(columns)} "
            "(original_time and source_uri only where the record's source maps them)",
            evidence=gap_text,
            sample_size=records.height,
        ),
        ratio(
            "record_completeness",
            "记录完整率 / Record completeness",
            "完整性",
            "0204",
            a=int(sums["complete"] or 0),
            b=records.height,
            rule="records with no empty required field / records",
            evidence=gap_text,
        ),
    ]


def scale(facts: ReleaseFacts) -> Metric:
    ident = ("scale", "规模达成率 / Scale vs target", "完整性", "0302")
    rule = "min(records, target) / target records"
    if facts.size_target is None:
        return not_evaluated(*ident, rule=rule, why="no size target declared for this dataset")
    rows = facts.records.height
    return ratio(
        *ident,
        a=min(rows, facts.size_target),
        b=facts.size_target,
        rule=rule,
        evidence=f"{rows:,} records against a target of {facts.size_target:,}",
        sample_size=rows,
    )
