"""Reading text sources (JSONL, Parquet, plain text) into canonical records plus quarantine rows."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from catalog.models import Source
from pipelines import reasons
from pipelines.ingest.decode import decode
from pipelines.ingest.files import TruncatedFile, iter_lines
from pipelines.ingest.provenance import Quarantine, record_id, sha256_hex

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


def read_text_files(paths: list[Path], *, source: Source, quarantine: Quarantine) -> Iterator[RawText]:
    reader = {"jsonl": _jsonl, "parquet": _parquet, "txt": _txt}[source.format]
    for path in paths:
        yield from reader(path, source=source, quarantine=quarantine)


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
    """ISO 8601 with or without offset (China time assumed when absent), or a date, as UTC."""
    with_offset = column.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us")
    naive = pl.coalesce(
        column.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
        column.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"),
    ).dt.replace_time_zone("Asia/Shanghai")
    return pl.coalesce(with_offset.dt.convert_time_zone("UTC"), naive.dt.convert_time_zone("UTC"))


def _accept(
    fields: dict[str, Any], *, source: Source, quarantine: Quarantine, path: Path, line: int | None, raw: bytes | str
) -> RawText | None:
    """Map a record's fields onto canonical ones, or quarantine it with the reason."""
    text_field = source.file_field("text")
    text = fields.get(text_field)
    if text is None:
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_MISSING_FIELD,
            message=f"field {text_field!r} is missing",
            raw=raw,
        )
        return None
    if not isinstance(text, str):
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_MISSING_FIELD,
            message=f"field {text_field!r} is a {type(text).__name__}, not text",
            raw=raw,
        )
        return None
    if not text.strip():
        quarantine.add(
            path=path, line=line, reason=reasons.INGEST_EMPTY_RECORD, message=f"field {text_field!r} is empty", raw=raw
        )
        return None
    key = fields.get(source.file_field("id")) if "id" in source.fields else None
    return RawText(
        key=None if key in (None, "") else str(key),
        location=quarantine.location(path, line),
        text=text,
        original_time=fields.get(source.file_field("original_time")) if "original_time" in source.fields else None,
        source_uri=fields.get(source.file_field("source_uri")) if "source_uri" in source.fields else None,
    )


def _jsonl(path: Path, *, source: Source, quarantine: Quarantine) -> Iterator[RawText]:
    last = 0
    try:
        for line, raw in iter_lines(path):
            last = line
            record = _jsonl_record(raw, line=line, path=path, source=source, quarantine=quarantine)
            if record is not None:
                yield record
    except TruncatedFile as err:
        quarantine.add(
            path=path,
            line=last + 1,
            reason=reasons.INGEST_UNDECODABLE,
            message=f"{err}; the rest of the file is unreadable",
        )


def _jsonl_record(raw: bytes, *, line: int, path: Path, source: Source, quarantine: Quarantine) -> RawText | None:
    if not raw.strip():
        quarantine.add(path=path, line=line, reason=reasons.INGEST_EMPTY_RECORD, message="blank line")
        return None
    if len(raw) > source.max_record_bytes:
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_TOO_LARGE,
            message=f"{len(raw)} bytes > max_record_bytes={source.max_record_bytes}",
            raw=raw,
        )
        return None
    try:
        text = decode(raw, source.encoding, first_line=line == 1)
    except UnicodeDecodeError as err:
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_UNDECODABLE,
            message=f"not {source.encoding}: {err.reason} at byte {err.start}",
            raw=raw,
        )
        return None
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as err:
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_MALFORMED_JSON,
            message=f"invalid JSON: {err.msg} at column {err.colno}",
            raw=text,
        )
        return None
    if not isinstance(fields, dict):
        quarantine.add(
            path=path,
            line=line,
            reason=reasons.INGEST_MALFORMED_JSON,
            message=f"expected a JSON object, got {type(fields).__name__}",
            raw=text,
        )
        return None
    return _accept(fields, source=source, quarantine=quarantine, path=path, line=line, raw=text)


def _parquet(path: Path, *, source: Source, quarantine: Quarantine) -> Iterator[RawText]:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        quarantine.add(
            path=path, line=None, reason=reasons.INGEST_UNDECODABLE, message=f"not a readable Parquet file ({err})"
        )
        return
    for row_number, fields in enumerate(frame.iter_rows(named=True), start=1):
        raw = json.dumps(fields, ensure_ascii=False, default=str)
        record = _accept(fields, source=source, quarantine=quarantine, path=path, line=row_number, raw=raw)
        if record is not None:
            yield record


def _txt(path: Path, *, source: Source, quarantine: Quarantine) -> Iterator[RawText]:
    """A plain-text file is one document; its relative path is its key."""
    raw = path.read_bytes()
    if len(raw) > source.max_record_bytes:
        quarantine.add(
            path=path,
            line=None,
            reason=reasons.INGEST_TOO_LARGE,
            message=f"{len(raw)} bytes > max_record_bytes",
            raw=raw,
        )
        return
    try:
        text = decode(raw, source.encoding, first_line=True)
    except UnicodeDecodeError as err:
        quarantine.add(
            path=path,
            line=None,
            reason=reasons.INGEST_UNDECODABLE,
            message=f"not {source.encoding}: {err.reason} at byte {err.start}",
            raw=raw,
        )
        return
    record = _accept(
        {source.file_field("text"): text}, source=source, quarantine=quarantine, path=path, line=None, raw=text
    )
    if record is not None:
        yield record
