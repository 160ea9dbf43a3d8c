"""Table records: a reader's rows cast to the declared column types, with provenance attached.

A non-empty cell that does not parse as its declared type sends its row to quarantine.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from catalog.models import ColumnSpec, Source
from pipelines import reasons
from pipelines.ingest.blocks import Block
from pipelines.ingest.context import IngestContext
from pipelines.ingest.provenance import record_ids, sha256_expr
from pipelines.ingest.reading import Batch

_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


def raw_table_frame(batch: Batch, *, ctx: IngestContext) -> pl.DataFrame:
    """A reader's batch as raw table rows: declared columns as the text they were written as, the key and the line."""
    if isinstance(batch, pl.DataFrame):
        return batch
    source = ctx.source
    in_file = [(col, source.file_field(col)) for col in source.schema_]
    rows = []
    for row in batch:
        cells: dict[str, str | None] = {col: _cell(row.fields.get(name)) for col, name in in_file}
        cells["source_key"] = ctx.quarantine.location(row.path, row.line)
        cells["_raw"] = row.raw
        rows.append(cells)
    return pl.DataFrame(rows, schema=_raw_schema(source))


def raw_table_block(fields: pl.DataFrame, *, block: Block, path: Path, ctx: IngestContext) -> pl.DataFrame:
    """A parsed block (columns named as in the file, plus ``_raw``) as raw table rows."""
    source = ctx.source
    prefix = ctx.quarantine.location(path, None) + ":"
    return fields.with_row_index("_line").select(
        *[pl.col(source.file_field(col)).alias(col) for col in source.schema_],
        source_key=pl.format("{}{}", pl.lit(prefix), pl.col("_line") + block.first),
        _raw=pl.col("_raw"),
    )


def table_frame(raw: pl.DataFrame, *, ctx: IngestContext, ingested_at: datetime) -> pl.DataFrame:
    """Typed rows with provenance; rows with a cell of the wrong type end in quarantine."""
    source = ctx.source
    typed = _typed(raw, ctx=ctx)
    columns = list(source.schema_)
    grant_id = source.authorisation.grant_id if source.authorisation else None
    provenance = [
        record_ids(source.id, pl.col("source_key")).alias("id"),
        pl.lit(source.id).alias("source_id"),
        pl.lit(grant_id, dtype=pl.String).alias("grant_id"),
        pl.col("source_key").alias("source_uri"),
        pl.col("source_key"),
        pl.lit(ingested_at, dtype=pl.Datetime("us", "UTC")).alias("ingested_at"),
        sha256_expr(
            pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in columns], separator="\x1f")
        ).alias("content_sha256"),
    ]
    return typed.select([*provenance, *[pl.col(c) for c in columns]])


def _raw_schema(source: Source) -> dict[str, pl.DataType]:
    return {col: pl.String() for col in (*source.schema_, "source_key", "_raw")}


def _cell(value: Any) -> str | None:
    """A cell as the text it was written as, for casting; nested values as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _cast(column: str, spec: ColumnSpec) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    match spec.type:
        case "string":
            return value
        case "int":
            return value.cast(pl.Int64, strict=False)
        case "float":
            return value.cast(pl.Float64, strict=False)
        case "bool":
            lowered = value.str.to_lowercase()
            return pl.when(lowered.is_in(_TRUE)).then(True).when(lowered.is_in(_FALSE)).then(False).otherwise(None)
        case "date":
            return value.str.to_date(spec.format or "%Y-%m-%d", strict=False)
        case "datetime":
            return value.str.to_datetime(spec.format, strict=False, time_unit="us")


def _typed(raw: pl.DataFrame, *, ctx: IngestContext) -> pl.DataFrame:
    """Cast declared columns; a non-empty cell that does not parse sends its row to quarantine.

    CSV readers already turned ``csv.null_values`` into nulls; for other formats an empty
    string is null.
    """
    source = ctx.source
    raw = raw.with_columns(pl.col(col).str.strip_chars() for col in source.schema_)
    if source.format not in ("csv", "tsv"):
        raw = raw.with_columns(pl.col(col).replace("", None) for col in source.schema_)
    typed = raw.with_columns(_cast(col, spec).alias(f"_t_{col}") for col, spec in source.schema_.items())
    bad_cells = [
        pl.when(pl.col(col).is_not_null() & pl.col(f"_t_{col}").is_null()).then(
            pl.format(
                "column {} ({}): {} is not a {}",
                pl.lit(col),
                pl.lit(source.file_field(col)),
                pl.col(col),
                pl.lit(spec.type),
            )
        )
        for col, spec in source.schema_.items()
    ]
    typed = typed.with_columns(_problem=pl.coalesce(bad_cells) if bad_cells else pl.lit(None, dtype=pl.String))
    for bad in typed.filter(pl.col("_problem").is_not_null()).iter_rows(named=True):
        ctx.quarantine.add_at(
            bad["source_key"], reason=reasons.INGEST_TYPE_MISMATCH, message=bad["_problem"], raw=bad["_raw"]
        )
    good = typed.filter(pl.col("_problem").is_null())
    return good.select("source_key", *[pl.col(f"_t_{col}").alias(col) for col in source.schema_])
