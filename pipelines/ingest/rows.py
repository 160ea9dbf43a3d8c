"""Which reader reads which format: adding a format means adding a module and a line here."""

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.csv_rows import csv_rows, raise_if_no_usable_header
from pipelines.ingest.documents import html_rows, txt_rows
from pipelines.ingest.json_rows import json_rows, jsonl_rows
from pipelines.ingest.parquet_rows import parquet_rows


class Reader(Protocol):
    def __call__(self, path: Path, *, ctx: IngestContext) -> Iterator[Row]: ...


READERS: dict[str, Reader] = {
    "jsonl": jsonl_rows,
    "json": json_rows,
    "csv": csv_rows,
    "tsv": csv_rows,
    "parquet": parquet_rows,
    "txt": txt_rows,
    "html": html_rows,
}


def read_rows(paths: list[Path], *, ctx: IngestContext) -> Iterator[Row]:
    """Every readable record of every file, in file order; the unreadable ones are quarantined on the way."""
    reader = READERS[ctx.source.format]
    for path in paths:
        yield from reader(path, ctx=ctx)
    raise_if_no_usable_header(ctx.source, ctx.headers)
