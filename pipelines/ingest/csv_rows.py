"""CSV and TSV records, parsed one physical line at a time.

A broken quote or a stray delimiter costs one record, never the rest of the file; quoted fields
spanning lines are therefore not supported. The header is not a record. A file whose header
cannot be read or lacks a declared column is bad input: each of its lines is quarantined
``ingest_bad_header``. When no file of the source has a usable header, the declaration is what
is wrong, and ``SchemaMismatchError`` says so instead.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from catalog.errors import SchemaMismatchError
from catalog.models import Source
from pipelines import reasons
from pipelines.ingest.blocks import Block
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import PY_WHITESPACE, FileEncoding
from pipelines.ingest.fast import plain_lines
from pipelines.ingest.files import Line
from pipelines.ingest.reading import Batch, Problem, check_line, decoded_line, parse_lines
from pipelines.ingest.table import raw_table_block
from pipelines.ingest.text import accept_block


def csv_rows(path: Path, *, ctx: IngestContext) -> Iterator[Batch]:
    source = ctx.source
    # The csv module caps a cell at 128 KiB by default; a record may be as large as declared.
    csv.field_size_limit(max(csv.field_size_limit(), source.max_record_bytes))
    nulls = frozenset(source.csv.null_values)
    state = _Header(names=[] if source.csv.header else [source.file_field(c) for c in source.schema_])

    def header(line: Line, encoding: FileEncoding) -> None:
        state.names, state.problem = _header(check_line(line, encoding, ctx=ctx), source=source, path=path)
        ctx.headers.append(state.problem)

    def slow(line: Line, encoding: FileEncoding) -> Iterator[Row]:
        if state.problem is not None:
            ctx.reject(path, line.number, reasons.INGEST_BAD_HEADER, state.problem, raw=line.data)
            return
        checked = decoded_line(path, line, encoding, ctx=ctx)
        if checked is None:
            return
        cells = _cells(checked, source=source)
        if isinstance(cells, Problem):
            ctx.reject(path, line.number, cells.reason, cells.message, raw=checked)
            return
        if len(cells) != len(state.names):
            ctx.reject(
                path,
                line.number,
                reasons.INGEST_MALFORMED_ROW,
                f"{len(cells)} fields where the {'header has' if source.csv.header else 'schema declares'} "
                f"{len(state.names)} (delimiter {source.delimiter!r})",
                raw=checked,
            )
            return
        positions = _first_positions(state.names)
        fields = {name: None if cells[i].strip() in nulls else cells[i] for name, i in positions.items()}
        yield Row(path=path, line=line.number, fields=fields, raw=checked)

    def fast(block: Block, encoding: FileEncoding) -> pl.DataFrame | None:
        if state.problem is not None:
            return None
        parsed = _parse_block(block, encoding, names=state.names, source=source)
        if parsed is None:
            return None
        frame, data = parsed
        ctx.counts[f"decoded.{encoding.codecs[0]}"] += block.lines
        fields = frame.select(
            *[_null_if_marked(pl.col(f"_{i}"), nulls).alias(name) for name, i in _first_positions(state.names).items()],
            pl.col("_raw"),
        )
        if source.kind == "text":
            canonical = fields.select(pl.col(in_file).alias(name) for name, in_file in source.fields.items())
            return accept_block(canonical, data=data, first=block.first, path=path, ctx=ctx, controls=False)
        return raw_table_block(fields, block=block, path=path, ctx=ctx)

    return parse_lines(path, ctx=ctx, slow=slow, fast=fast, header=header if source.csv.header else None)


@dataclass
class _Header:
    """A file's column names, or why its header is unusable (then every line is quarantined)."""

    names: list[str]
    problem: str | None = None


def _parse_block(
    block: Block, encoding: FileEncoding, *, names: list[str], source: Source
) -> tuple[pl.DataFrame, bytes] | None:
    """The block's cells as strings (columns ``_0``…, one row per line) and the block as UTF-8, or None if a
    line needs a closer look.

    Only blocks without the quote character are taken: there the csv module simply splits a line
    at the delimiter, and so does polars. Every line must have exactly the header's number of fields.
    """
    if not names:
        return None
    found = plain_lines(block, encoding, limit=source.max_record_bytes, forbidden=source.csv.quote.encode())
    if found is None:
        return None
    lines, data = found
    cells = lines.str.split(source.delimiter)
    if (cells.list.len() != len(names)).any():
        return None
    frame = pl.DataFrame({"_raw": lines, "_cells": cells}).select(
        pl.col("_raw"), *[pl.col("_cells").list.get(i).alias(f"_{i}") for i in range(len(names))]
    )
    return frame, data


def _null_if_marked(cell: pl.Expr, nulls: frozenset[str]) -> pl.Expr:
    """A cell equal to a declared null marker, after trimming whitespace as ``str.strip`` does, is null."""
    return pl.when(cell.str.strip_chars(PY_WHITESPACE).is_in(list(nulls))).then(None).otherwise(cell)


def _first_positions(names: list[str]) -> dict[str, int]:
    """Each column name's first position: a name repeated in the header reads its first column."""
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        positions.setdefault(name, i)
    return positions


def _cells(text: str, *, source: Source) -> list[str] | Problem:
    try:
        return next(csv.reader([text], delimiter=source.delimiter, quotechar=source.csv.quote, strict=True))
    except csv.Error as err:
        return Problem(reasons.INGEST_MALFORMED_ROW, f"unparseable CSV line ({err})")


def _header(checked: str | Problem, *, source: Source, path: Path) -> tuple[list[str], str | None]:
    """The header's column names, or why the file's header is unusable."""
    if isinstance(checked, Problem):
        return [], f"the header (line 1) is unusable: {checked.message}"
    cells = _cells(checked, source=source)
    if isinstance(cells, Problem):
        return [], f"the header (line 1) is unusable: {cells.message}"
    names = [cell.strip() for cell in cells]
    wanted = source.schema_ if source.kind == "table" else source.fields
    missing = [f"{col} (header {source.file_field(col)!r})" for col in wanted if source.file_field(col) not in names]
    if missing:
        return [], (
            f"{path.name} has no column for {', '.join(missing)}; its header is {names} "
            f"(delimiter {source.delimiter!r}). Fix the fields mapping or the csv options in the source "
            "declaration, or the file"
        )
    return names, None


def raise_if_no_usable_header(source: Source, headers: list[str | None]) -> None:
    """Every file's header was unusable: the declaration, not the data, is wrong."""
    problems = [problem for problem in headers if problem is not None]
    if headers and len(problems) == len(headers):
        raise SchemaMismatchError(f"source {source.id}: no file has a usable header; {problems[0]}")
