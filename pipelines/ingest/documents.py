"""One document per file: plain text, or an HTML page reduced to its main text.

The whole file is the record, keyed by its path; its size is checked against
``max_record_bytes`` before a byte is decoded.
"""

from collections.abc import Iterator
from pathlib import Path

from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.html import extract_page, meta_charset
from pipelines.ingest.reading import decoded_document


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
