"""Turning a file's bytes into text units — lines or whole documents — and quarantining what is not text.

Checks run in the order that costs least and tells most: size before decoding (so a giant
record is never decoded), then strict decoding, then emptiness, then binary content.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines import reasons
from pipelines.ingest.context import IngestContext
from pipelines.ingest.decode import FileEncoding, binary_problem, file_encoding
from pipelines.ingest.files import Line, TruncatedFile, iter_chunks, read_whole, split_lines


@dataclass(frozen=True)
class Problem:
    """Why a record is not usable text: a reason code and a message naming the place."""

    reason: str
    message: str


def raw_lines(path: Path, *, ctx: IngestContext) -> Iterator[tuple[Line, FileEncoding]]:
    """Every physical line of a file with the file's encoding; a damaged gzip quarantines the rest."""
    source = ctx.source
    chunks = iter_chunks(path)
    last = 0
    try:
        head = next(chunks, b"")
        encoding = file_encoding(head, encoding=source.encoding, confidence=source.encoding_confidence)
        ctx.counts[f"encoding.{encoding.name}"] += 1
        body = itertools.chain([head[len(encoding.bom) :]], chunks)
        lines = split_lines(
            body, limit=source.max_record_bytes, newline=encoding.newline, cr=encoding.cr, start=len(encoding.bom)
        )
        for line in lines:
            last = line.number
            yield line, encoding
    except TruncatedFile as err:
        ctx.reject(path, last + 1, reasons.INGEST_UNDECODABLE, f"{err}; the rest of the file is unreadable")


def check_line(line: Line, encoding: FileEncoding, *, ctx: IngestContext) -> str | Problem:
    """The line's text, or why it cannot be a record."""
    limit = ctx.source.max_record_bytes
    if line.size > limit:
        return Problem(reasons.INGEST_TOO_LARGE, f"{line.size} bytes at byte {line.offset} > max_record_bytes={limit}")
    return _check_text(line.data, encoding, ctx=ctx, what="line", offset=line.offset)


def decoded_lines(path: Path, *, ctx: IngestContext) -> Iterator[tuple[int, str]]:
    """``(line_number, text)`` of every line that is usable text; the others are quarantined."""
    for line, encoding in raw_lines(path, ctx=ctx):
        checked = check_line(line, encoding, ctx=ctx)
        if isinstance(checked, Problem):
            ctx.reject(path, line.number, checked.reason, checked.message, raw=line.data)
        else:
            yield line.number, checked


def decoded_document(
    path: Path,
    *,
    ctx: IngestContext,
    limit: int,
    limit_name: str = "max_record_bytes",
    hint: Callable[[bytes], str | None] | None = None,
) -> str | None:
    """A whole file as text, or None after quarantining it as one record.

    ``hint`` reads an encoding the document declares about itself (HTML's ``<meta charset>``).
    """
    source = ctx.source
    try:
        data, size = read_whole(iter_chunks(path), limit=limit)
    except TruncatedFile as err:
        ctx.reject(path, None, reasons.INGEST_UNDECODABLE, f"{err}; the file is unreadable")
        return None
    if size > limit:
        ctx.reject(path, None, reasons.INGEST_TOO_LARGE, f"{size} bytes > {limit_name}={limit}", raw=data)
        return None
    declared = hint(data) if hint is not None and source.encoding == "auto" else None
    encoding = file_encoding(data, encoding=source.encoding, confidence=source.encoding_confidence, hint=declared)
    ctx.counts[f"encoding.{encoding.name}"] += 1
    checked = _check_text(data[len(encoding.bom) :], encoding, ctx=ctx, what="file", offset=len(encoding.bom))
    if isinstance(checked, Problem):
        ctx.reject(path, None, checked.reason, checked.message, raw=data)
        return None
    return checked


def _check_text(raw: bytes, encoding: FileEncoding, *, ctx: IngestContext, what: str, offset: int) -> str | Problem:
    nul = -1 if encoding.wide else raw.find(b"\0")
    if nul >= 0:
        return Problem(reasons.INGEST_BINARY, f"NUL byte at byte {offset + nul} of the file: binary data, not text")
    try:
        text, codec = encoding.decode(raw)
    except UnicodeDecodeError as err:
        tried = " or ".join(encoding.codecs)
        return Problem(
            reasons.INGEST_UNDECODABLE,
            f"not {tried}: {err.reason} at byte {offset + err.start} of the file",
        )
    if not text.strip():
        return Problem(reasons.INGEST_EMPTY_RECORD, f"blank {what}")
    problem = binary_problem(text)
    if problem is not None:
        return Problem(reasons.INGEST_BINARY, problem)
    ctx.counts[f"decoded.{codec}"] += 1
    return text
