"""CSV and TSV records, parsed one physical line at a time.

A broken quote or a stray delimiter costs one record, never the rest of the file; quoted fields
spanning lines are therefore not supported. The header is not a record. A file whose header
cannot be read or lacks a declared column is bad input: each of its lines is quarantined
``ingest_bad_header``. When no file of the source has a usable header, the declaration is what
is wrong, and ``SchemaMismatchError`` says so instead.
"""

import csv
from collections.abc import Iterator
from pathlib import Path

from catalog.errors import SchemaMismatchError
from catalog.models import Source
from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.reading import Problem, check_line, raw_lines


def csv_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    source = ctx.source
    # The csv module caps a cell at 128 KiB by default; a record may be as large as declared.
    csv.field_size_limit(max(csv.field_size_limit(), source.max_record_bytes))
    nulls = frozenset(source.csv.null_values)
    names = [] if source.csv.header else [source.file_field(c) for c in source.schema_]
    positions = _first_positions(names)
    header_pending = source.csv.header
    bad_header: str | None = None
    for line, encoding in raw_lines(path, ctx=ctx):
        if header_pending:
            header_pending = False
            names, bad_header = _header(check_line(line, encoding, ctx=ctx), source=source, path=path)
            positions = _first_positions(names)
            ctx.headers.append(bad_header)
            continue
        if bad_header is not None:
            ctx.reject(path, line.number, reasons.INGEST_BAD_HEADER, bad_header, raw=line.data)
            continue
        checked = check_line(line, encoding, ctx=ctx)
        if isinstance(checked, Problem):
            ctx.reject(path, line.number, checked.reason, checked.message, raw=line.data)
            continue
        cells = _cells(checked, source=source)
        if isinstance(cells, Problem):
            ctx.reject(path, line.number, cells.reason, cells.message, raw=checked)
            continue
        if len(cells) != len(names):
            ctx.reject(
                path,
                line.number,
                reasons.INGEST_MALFORMED_ROW,
                f"{len(cells)} fields where the {'header has' if source.csv.header else 'schema declares'} "
                f"{len(names)} (delimiter {source.delimiter!r})",
                raw=checked,
            )
            continue
        fields = {name: None if cells[i].strip() in nulls else cells[i] for name, i in positions.items()}
        yield Row(path=path, line=line.number, fields=fields, raw=checked)


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
