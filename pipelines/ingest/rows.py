"""Which reader reads which format: adding a format means adding a module and a line here."""

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.csv_rows import csv_rows, raise_if_no_usable_header
from pipelines.ingest.documents import html_rows, txt_line_rows, txt_rows
from pipelines.ingest.json_rows import json_rows, jsonl_rows
from pipelines.ingest.parquet_rows import parquet_rows
from pipelines.ingest.reading import Batch, batched


class Reader(Protocol):
    """Reads one file into batches: line-oriented formats parse blocks whole where they can."""

    def __call__(self, path: Path, *, ctx: IngestContext) -> Iterator[Batch]: ...


class RowReader(Protocol):
    """Reads one file a record at a time (whole documents, JSON arrays, Parquet)."""

    def __call__(self, path: Path, *, ctx: IngestContext) -> Iterator[Row]: ...


def _in_batches(reader: RowReader) -> Reader:
    def read(path: Path, *, ctx: IngestContext) -> Iterator[Batch]:
        return batched(reader(path, ctx=ctx))

    return read


READERS: dict[str, Reader] = {
    "jsonl": jsonl_rows,
    "json": _in_batches(json_rows),
    "csv": csv_rows,
    "tsv": csv_rows,
    "parquet": _in_batches(parquet_rows),
    "txt": _in_batches(txt_rows),
    "html": _in_batches(html_rows),
}


def read_batches(paths: list[Path], *, ctx: IngestContext) -> Iterator[Batch]:
    """Every readable record of every file, in file order; the unreadable ones are quarantined on the way."""
    source = ctx.source
    reader = txt_line_rows if source.format == "txt" and source.document_per == "line" else READERS[source.format]
    for path in paths:
        yield from reader(path, ctx=ctx)
    raise_if_no_usable_header(source, ctx.headers)
