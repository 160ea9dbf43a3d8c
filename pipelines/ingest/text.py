"""Text records: a reader's rows mapped onto canonical fields, with provenance attached."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from catalog.models import DOCUMENT_FORMATS, Source
from catalog.records import sha256_hex
from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import binary_problem
from pipelines.ingest.provenance import record_id
from pipelines.ingest.reading import Problem

TEXT_RECORD_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "source_id": pl.String(),
    "grant_id": pl.String(),
    "source_uri": pl.String(),
    "source_key": pl.String(),
    "original_time": pl.String(),
    "ingested_at": pl.Datetime("us", "UTC"),
    "content_sha256": pl.String(),
}


@dataclass(frozen=True)
class RawText:
    """One readable record before provenance is attached."""

    key: str | None  # the mapped id field, if the source has one
    location: str  # file:line
    text: str
    original_time: Any
    source_uri: Any


def text_records(rows: Iterable[Row], *, ctx: IngestContext) -> Iterator[RawText]:
    """The rows that carry usable text; the others are quarantined with the reason."""
    for row in rows:
        record = _accept(row, ctx=ctx)
        if record is not None:
            yield record


def text_frame(raws: Iterator[RawText], *, source: Source, ingested_at: datetime) -> pl.DataFrame:
    """Attach provenance: stable ids, URIs, hashes. A key seen twice keeps both records, told apart by location."""
    seen: set[str] = set()
    rows = []
    for raw in raws:
        key = raw.key if raw.key is not None else raw.location
        if key in seen:
            key = f"{key}@{raw.location}"
        seen.add(key)
        rows.append(
            {
                "id": record_id(source.id, key),
                "text": raw.text,
                "source_id": source.id,
                "grant_id": source.authorisation.grant_id if source.authorisation else None,
                "source_uri": str(raw.source_uri) if raw.source_uri not in (None, "") else raw.location,
                "source_key": key,
                "original_time": None if raw.original_time is None else str(raw.original_time),
                "ingested_at": ingested_at,
                "content_sha256": sha256_hex(raw.text),
            }
        )
    frame = pl.DataFrame(rows, schema=TEXT_RECORD_SCHEMA)
    return frame.with_columns(original_time=_parse_time(pl.col("original_time")))


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


def _accept(row: Row, *, ctx: IngestContext) -> RawText | None:
    """Map a row's fields onto canonical ones, or quarantine it with the reason."""
    fields = _canonical(row, ctx.source)
    text = _usable_text(fields.get("text"), name=ctx.source.file_field("text"))
    if isinstance(text, Problem):
        ctx.reject(row.path, row.line, text.reason, text.message, raw=row.raw)
        return None
    key = fields.get("id")
    return RawText(
        key=None if key in (None, "") else str(key),
        location=ctx.quarantine.location(row.path, row.line),
        text=text,
        original_time=fields.get("original_time"),
        source_uri=fields.get("source_uri"),
    )


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
