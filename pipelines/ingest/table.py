"""Reading table sources (CSV, Parquet) into typed columns as declared, plus quarantine rows.

CSV is parsed one physical line at a time so a broken quote or a stray delimiter costs one
record, never the rest of the file; quoted fields spanning lines are therefore not supported.
"""

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl

from catalog.errors import SchemaMismatchError
from catalog.models import ColumnSpec, Source
from pipelines import reasons
from pipelines.ingest.decode import decode
from pipelines.ingest.files import TruncatedFile, iter_lines
from pipelines.ingest.provenance import Quarantine, record_id, sha256_hex

_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


def read_table_files(
    paths: list[Path], *, source: Source, quarantine: Quarantine, ingested_at: datetime
) -> pl.DataFrame:
    """Typed rows of every file, with provenance; bad rows end in ``quarantine``."""
    frames = [
        _typed(_raw_rows(path, source=source, quarantine=quarantine), source=source, quarantine=quarantine)
        for path in paths
    ]
    rows = pl.concat(frames, how="vertical") if frames else _typed([], source=source, quarantine=quarantine)
    columns = list(source.schema_)
    grant_id = source.authorisation.grant_id if source.authorisation else None
    provenance = [
        pl.col("source_key").map_elements(lambda key: record_id(source.id, key), return_dtype=pl.String).alias("id"),
        pl.lit(source.id).alias("source_id"),
        pl.lit(grant_id, dtype=pl.String).alias("grant_id"),
        pl.col("source_key").alias("source_uri"),
        pl.col("source_key"),
        pl.lit(ingested_at, dtype=pl.Datetime("us", "UTC")).alias("ingested_at"),
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in columns], separator="\x1f")
        .map_elements(sha256_hex, return_dtype=pl.String)
        .alias("content_sha256"),
    ]
    return rows.select([*provenance, *[pl.col(c) for c in columns]])


def _raw_rows(path: Path, *, source: Source, quarantine: Quarantine) -> list[dict[str, str | None]]:
    """String cells keyed by declared column, plus ``source_key``."""
    if source.format == "parquet":
        return _parquet_rows(path, source=source, quarantine=quarantine)
    return list(_csv_rows(path, source=source, quarantine=quarantine))


def _csv_rows(path: Path, *, source: Source, quarantine: Quarantine) -> Iterator[dict[str, str | None]]:
    options = source.csv
    positions: dict[str, int] | None = None if options.header else {name: i for i, name in enumerate(source.schema_)}
    width = len(source.schema_)
    last = 0
    try:
        for line, raw in iter_lines(path):
            last = line
            if not raw.strip():
                if positions is not None:
                    quarantine.add(path=path, line=line, reason=reasons.INGEST_EMPTY_RECORD, message="blank line")
                continue
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
                continue
            try:
                cells = next(csv.reader([text], delimiter=options.delimiter, quotechar=options.quote, strict=True))
            except csv.Error as err:
                quarantine.add(
                    path=path,
                    line=line,
                    reason=reasons.INGEST_MALFORMED_ROW,
                    message=f"unparseable CSV line ({err})",
                    raw=text,
                )
                continue
            if positions is None:
                positions = _header_positions(cells, source=source, path=path)
                width = len(cells)
                continue
            if len(cells) != width:
                quarantine.add(
                    path=path,
                    line=line,
                    reason=reasons.INGEST_MALFORMED_ROW,
                    message=f"{len(cells)} fields where the header has {width}",
                    raw=text,
                )
                continue
            row: dict[str, str | None] = {name: cells[i] for name, i in positions.items()}
            row["source_key"] = quarantine.location(path, line)
            row["_raw"] = text
            yield row
    except TruncatedFile as err:
        quarantine.add(
            path=path,
            line=last + 1,
            reason=reasons.INGEST_UNDECODABLE,
            message=f"{err}; the rest of the file is unreadable",
        )


def _header_positions(header: list[str], *, source: Source, path: Path) -> dict[str, int]:
    names = [h.strip() for h in header]
    missing = [
        f"{col} (header {source.file_field(col)!r})" for col in source.schema_ if source.file_field(col) not in names
    ]
    if missing:
        raise SchemaMismatchError(
            f"source {source.id}: {path.name} has no column for {', '.join(missing)}; its header is {names}. "
            "Fix the fields mapping in the source declaration or the file"
        )
    return {col: names.index(source.file_field(col)) for col in source.schema_}


def _parquet_rows(path: Path, *, source: Source, quarantine: Quarantine) -> list[dict[str, str | None]]:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        quarantine.add(
            path=path, line=None, reason=reasons.INGEST_UNDECODABLE, message=f"not a readable Parquet file ({err})"
        )
        return []
    _header_positions(frame.columns, source=source, path=path)
    rows = []
    for number, fields in enumerate(frame.iter_rows(named=True), start=1):
        row: dict[str, str | None] = {
            col: None if fields[source.file_field(col)] is None else str(fields[source.file_field(col)])
            for col in source.schema_
        }
        row["source_key"] = quarantine.location(path, number)
        row["_raw"] = json.dumps(fields, ensure_ascii=False, default=str)
        rows.append(row)
    return rows


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


def _typed(rows: list[dict[str, str | None]], *, source: Source, quarantine: Quarantine) -> pl.DataFrame:
    """Cast declared columns; a non-empty cell that does not parse sends its row to quarantine."""
    schema = {col: pl.String() for col in (*source.schema_, "source_key", "_raw")}
    raw = pl.DataFrame(rows, schema=schema).with_columns(
        pl.col(col).str.strip_chars().replace("", None) for col in source.schema_
    )
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
        quarantine.add_at(
            bad["source_key"], reason=reasons.INGEST_TYPE_MISMATCH, message=bad["_problem"], raw=bad["_raw"]
        )
    good = typed.filter(pl.col("_problem").is_null())
    return good.select("source_key", *[pl.col(f"_t_{col}").alias(col) for col in source.schema_])
