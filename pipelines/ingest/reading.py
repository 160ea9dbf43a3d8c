"""Turning a file's bytes into text units — lines or whole documents — and quarantining what is not text.

Checks run in the order that costs least and tells most: size before decoding (so a giant
record is never decoded), then strict decoding, then emptiness, then binary content.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines import reasons
from pipelines.ingest.blocks import Block, blocks
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import FileEncoding, binary_problem, file_encoding
from pipelines.ingest.files import CHUNK_BYTES, Line, TruncatedFile, iter_chunks, read_whole, split_lines

BATCH_ROWS = 10_000
CHUNK_BYTES_MAX = 8 * CHUNK_BYTES  # large reads for large blocks: fewer pieces to join
FAST_LINES = "lines_parsed_in_blocks"  # the counter of lines the fast path took
# What a reader yields: rows found one at a time, or a frame a fast parser made of a whole block.
Batch = list[Row] | pl.DataFrame
LineParser = Callable[[Line, FileEncoding], Iterator[Row]]
BlockParser = Callable[[Block, FileEncoding], pl.DataFrame | None]


@dataclass(frozen=True)
class Problem:
    """Why a record is not usable text: a reason code and a message naming the place."""

    reason: str
    message: str


def line_units(path: Path, *, ctx: IngestContext) -> Iterator[tuple[Block | Line, FileEncoding]]:
    """A file's lines in blocks (lines one by one for UTF-16), with its encoding; damage quarantines the rest."""
    source = ctx.source
    chunks = iter_chunks(path, size=min(ctx.tuning.block_bytes, CHUNK_BYTES_MAX))
    last = 0
    try:
        head = next(chunks, b"")
        encoding = file_encoding(head, encoding=source.encoding, confidence=source.encoding_confidence)
        ctx.counts[f"encoding.{encoding.name}"] += 1
        body = itertools.chain([head[len(encoding.bom) :]], chunks)
        start = len(encoding.bom)
        if encoding.wide:
            lines = split_lines(
                body, limit=source.max_record_bytes, newline=encoding.newline, cr=encoding.cr, start=start
            )
            for line in lines:
                last = line.number
                yield line, encoding
        else:
            yield from (
                (unit, encoding)
                for unit in blocks(body, limit=source.max_record_bytes, size=ctx.tuning.block_bytes, start=start)
            )
    except TruncatedFile as err:
        line = err.line if err.line is not None else last + 1
        ctx.reject(path, line, reasons.INGEST_UNDECODABLE, f"{err}; the rest of the file is unreadable")


def parse_lines(
    path: Path,
    *,
    ctx: IngestContext,
    slow: LineParser,
    fast: BlockParser | None = None,
    header: Callable[[Line, FileEncoding], None] | None = None,
) -> Iterator[Batch]:
    """A line-oriented file's records: blocks through ``fast`` where it can take them, lines through ``slow``.

    A block ``fast`` declines is halved until the halves are small, and those are read line by
    line, so one bad line costs a few small parses rather than the block's speed. ``header``,
    if given, receives the first line, which is not a record.
    """
    for unit, encoding in line_units(path, ctx=ctx):
        if header is not None:
            first, unit = _first_line(unit, limit=ctx.source.max_record_bytes)
            header(first, encoding)
            header = None
            if unit is None:
                continue
        if isinstance(unit, Line):
            yield list(slow(unit, encoding))
        else:
            yield from _parse_block(unit, encoding, ctx=ctx, slow=slow, fast=fast)


def _first_line(unit: Block | Line, *, limit: int) -> tuple[Line, Block | None]:
    """A unit's first line and the block after it (None when nothing follows)."""
    if isinstance(unit, Line):
        return unit, None
    lines = unit.split(limit=limit)
    first = next(lines)
    cut = unit.data.find(b"\n")
    if cut < 0 or cut == len(unit.data) - 1:
        return first, None
    return first, Block(unit.data[cut + 1 :], first=unit.first + 1, offset=unit.offset + cut + 1)


def _parse_block(
    block: Block, encoding: FileEncoding, *, ctx: IngestContext, slow: LineParser, fast: BlockParser | None
) -> Iterator[Batch]:
    if fast is not None and ctx.tuning.fast:
        frame = fast(block, encoding)
        if frame is not None:
            ctx.counts[FAST_LINES] += block.lines
            yield frame
            return
        halves = block.halves() if len(block.data) > ctx.tuning.min_block_bytes else None
        if halves is not None:
            for half in halves:
                yield from _parse_block(half, encoding, ctx=ctx, slow=slow, fast=fast)
            return
    rows = (row for line in block.split(limit=ctx.source.max_record_bytes) for row in slow(line, encoding))
    yield from batched(rows)


def batched(rows: Iterable[Row], size: int = BATCH_ROWS) -> Iterator[list[Row]]:
    """Rows in lists of at most ``size``, so a file read row by row still streams."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def check_line(line: Line, encoding: FileEncoding, *, ctx: IngestContext, controls: bool = True) -> str | Problem:
    """The line's text, or why it cannot be a record.

    ``controls=False`` leaves control characters to be judged in the record's fields (JSON lines,
    whose text field is what matters); a NUL byte always makes a line binary.
    """
    limit = ctx.source.max_record_bytes
    if line.size > limit:
        return Problem(reasons.INGEST_TOO_LARGE, f"{line.size} bytes at byte {line.offset} > max_record_bytes={limit}")
    return _check_text(line.data, encoding, ctx=ctx, what="line", offset=line.offset, controls=controls)


def decoded_line(
    path: Path, line: Line, encoding: FileEncoding, *, ctx: IngestContext, controls: bool = True
) -> str | None:
    """The line's text when it is usable, else None after quarantining it."""
    checked = check_line(line, encoding, ctx=ctx, controls=controls)
    if isinstance(checked, Problem):
        ctx.reject(path, line.number, checked.reason, checked.message, raw=line.data)
        return None
    return checked


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


def _check_text(
    raw: bytes, encoding: FileEncoding, *, ctx: IngestContext, what: str, offset: int, controls: bool = True
) -> str | Problem:
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
    problem = binary_problem(text) if controls else None
    if problem is not None:
        return Problem(reasons.INGEST_BINARY, problem)
    ctx.counts[f"decoded.{codec}"] += 1
    return text
