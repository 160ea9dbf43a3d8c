"""Text records: a reader's rows mapped onto canonical fields, with provenance attached."""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from catalog.models import DOCUMENT_FORMATS, Source
from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import CONTROL_PATTERN, PY_WHITESPACE, binary_problem
from pipelines.ingest.fast import line_texts
from pipelines.ingest.provenance import record_ids, sha256_expr
from pipelines.ingest.reading import Batch, Problem

TEXT_RECORD_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "source_id": pl.String(),
    "grant_id": pl.String(),
    "source_uri": pl.String(),
    "source_key": pl.String(),
    "original_time": pl.Datetime("us", "UTC"),
    "ingested_at": pl.Datetime("us", "UTC"),
    "content_sha256": pl.String(),
}


# A text record as read, before provenance: the mapped id (if any), where it was, and its fields.
RAW_TEXT_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "location": pl.String(),
    "text": pl.String(),
    "original_time": pl.String(),
    "source_uri": pl.String(),
}


def raw_text_frame(batch: Batch, *, ctx: IngestContext) -> pl.DataFrame:
    """A reader's batch as raw text records; rows without usable text are quarantined with the reason."""
    if isinstance(batch, pl.DataFrame):
        return batch
    rows = []
    for row in batch:
        fields = _canonical(row, ctx.source)
        text = _usable_text(fields.get("text"), name=ctx.source.file_field("text"))
        location = ctx.quarantine.location(row.path, row.line)
        if isinstance(text, Problem):
            ctx.quarantine.add_at(location, reason=text.reason, message=text.message, raw=row.raw)
            continue
        rows.append(
            {
                "key": _scalar(fields.get("id")),
                "location": location,
                "text": text,
                "original_time": _scalar(fields.get("original_time")),
                "source_uri": _scalar(fields.get("source_uri")),
            }
        )
    return pl.DataFrame(rows, schema=RAW_TEXT_SCHEMA)


def accept_block(
    frame: pl.DataFrame, *, data: bytes, first: int, path: Path, ctx: IngestContext, controls: bool = True
) -> pl.DataFrame:
    """The rows of a parsed block that carry usable text, as raw text records; the others quarantined.

    ``data`` is the block as UTF-8 (for the excerpts of rejected records) and ``first`` its first
    line's number; ``controls=False`` says the block is known to hold no control character.

    Vectorised expressions pick out the rows that may be unusable (missing, blank, or holding a
    control character); ``_usable_text`` itself gives the verdict on those few.
    """
    source = ctx.source
    name = source.file_field("text")
    prefix = ctx.quarantine.location(path, None) + ":"
    text = pl.col("text")
    marked = frame.with_row_index("line").with_columns(
        key=pl.col("id").replace("", None) if "id" in frame.columns else pl.lit(None, dtype=pl.String),
        location=pl.format("{}{}", pl.lit(prefix), pl.col("line") + first),
        original_time=pl.col("original_time") if "original_time" in frame.columns else pl.lit(None, pl.String),
        source_uri=pl.col("source_uri") if "source_uri" in frame.columns else pl.lit(None, pl.String),
        _suspect=text.is_null()
        | (text.str.strip_chars(PY_WHITESPACE) == "")
        | (text.str.contains(CONTROL_PATTERN) if controls else pl.lit(False)),
    )
    rejected: dict[int, Problem] = {}
    for index, value in marked.filter(pl.col("_suspect")).select("line", "text").iter_rows():
        problem = _usable_text(value, name=name)
        if isinstance(problem, Problem):
            rejected[index] = problem
    if rejected:
        raws = line_texts(data, sorted(rejected))
        for index, problem in rejected.items():
            location = f"{prefix}{first + index}"
            ctx.quarantine.add_at(location, reason=problem.reason, message=problem.message, raw=raws[index])
        marked = marked.filter(~pl.col("line").is_in(list(rejected)))
    return marked.select(list(RAW_TEXT_SCHEMA)).cast(RAW_TEXT_SCHEMA)


def _scalar(value: Any) -> str | None:
    """A mapped field as text: strings as they are, other JSON values as their JSON text, as polars gives them."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, date):  # Parquet timestamps and dates
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def text_frame(raw: pl.DataFrame, *, source: Source, ingested_at: datetime, seen: set[str]) -> pl.DataFrame:
    """Attach provenance: stable ids, URIs, hashes.

    A key seen before in the source (``seen`` holds the keys of earlier batches, and grows) keeps
    both records, the later one told apart by its location.
    """
    keyed = raw.with_columns(key=pl.coalesce("key", "location"))
    keys = keyed["key"]
    repeated = keys.is_duplicated() & ~keys.is_first_distinct()
    if not seen.isdisjoint(keys.to_list()):
        repeated = repeated | keys.is_in(list(seen))
    seen.update(keys.to_list())
    grant_id = source.authorisation.grant_id if source.authorisation else None
    keyed = keyed.with_columns(key=pl.when(repeated).then(pl.format("{}@{}", "key", "location")).otherwise("key"))
    frame = keyed.select(
        id=record_ids(source.id, pl.col("key")),
        text=pl.col("text"),
        source_id=pl.lit(source.id),
        grant_id=pl.lit(grant_id, dtype=pl.String),
        source_uri=pl.coalesce(pl.col("source_uri").replace("", None), pl.col("location")),
        source_key=pl.col("key"),
        original_time=_parse_time(pl.col("original_time")),
        ingested_at=pl.lit(ingested_at, dtype=pl.Datetime("us", "UTC")),
        content_sha256=sha256_expr(pl.col("text")),
    )
    return frame.cast(TEXT_RECORD_SCHEMA)


def _parse_time(column: pl.Expr) -> pl.Expr:
    """ISO 8601 with or without offset (China time assumed when absent), or a date, as UTC.

    ``2026-11-01 08:00`` (no seconds) is how Chinese government pages write ``PubDate``.
    """
    with_offset = pl.coalesce(
        column.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d %H:%M:%S%z", strict=False, time_unit="us"),
    )
    naive = pl.coalesce(
        column.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"),
    ).dt.replace_time_zone("Asia/Shanghai")
    return pl.coalesce(with_offset.dt.convert_time_zone("UTC"), naive.dt.convert_time_zone("UTC"))


def _canonical(row: Row, source: Source) -> dict[str, Any]:
    """The row's values under canonical names; document readers already use them."""
    if source.format in DOCUMENT_FORMATS:
        return row.fields
    return {name: row.fields.get(in_file) for name, in_file in source.fields.items()}


def _usable_text(value: Any, *, name: str) -> str | Problem:
    """The text field's value, or why it cannot be a text record."""
    if value is None:
        return Problem(reasons.INGEST_MISSING_FIELD, f"field {name!r} is missing")
    if not isinstance(value, str):
        return Problem(reasons.INGEST_MISSING_FIELD, f"field {name!r} is a {type(value).__name__}, not text")
    if not value.strip():
        return Problem(reasons.INGEST_EMPTY_RECORD, f"field {name!r} is empty")
    binary = binary_problem(value)
    if binary is not None:
        return Problem(reasons.INGEST_BINARY, f"field {name!r}: {binary}")
    return value
