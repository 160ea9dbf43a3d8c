"""Plain-text documents (one per file, or one per line) and HTML pages reduced to their main text.

A whole-file document is keyed by its path; its size is checked against ``max_record_bytes``
before a byte is decoded.
"""

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pipelines import reasons
from pipelines.ingest.blocks import Block
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import FileEncoding
from pipelines.ingest.fast import plain_lines
from pipelines.ingest.files import Line
from pipelines.ingest.html import extract_page, meta_charset
from pipelines.ingest.reading import Batch, decoded_document, decoded_line, parse_lines
from pipelines.ingest.text import accept_block


def txt_line_rows(path: Path, *, ctx: IngestContext) -> Iterator[Batch]:
    """One document per line (``document_per: line``), keyed ``file:line``."""

    def slow(line: Line, encoding: FileEncoding) -> Iterator[Row]:
        text = decoded_line(path, line, encoding, ctx=ctx)
        if text is not None:
            yield Row(path=path, line=line.number, fields={"text": text}, raw=text)

    def fast(block: Block, encoding: FileEncoding) -> pl.DataFrame | None:
        found = plain_lines(block, encoding, limit=ctx.source.max_record_bytes)
        if found is None:
            return None
        lines, data = found
        ctx.counts[f"decoded.{encoding.codecs[0]}"] += block.lines
        frame = lines.alias("text").to_frame()
        return accept_block(frame, data=data, first=block.first, path=path, ctx=ctx, controls=False)

    return parse_lines(path, ctx=ctx, slow=slow, fast=fast)


def txt_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    text = decoded_document(path, ctx=ctx, limit=ctx.source.max_record_bytes)
    if text is not None:
        yield Row(path=path, line=None, fields={"text": text}, raw=text)


def html_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    html = decoded_document(path, ctx=ctx, limit=ctx.source.max_record_bytes, hint=meta_charset)
    if html is None:
        return
    page = extract_page(html)
    if page.text is None or not page.text.strip():
        ctx.reject(path, None, reasons.INGEST_EMPTY_RECORD, "no main text found in the page", raw=html)
        return
    fields = {"text": page.text, "original_time": page.original_time, "source_uri": page.source_uri}
    yield Row(path=path, line=None, fields=fields, raw=html)
