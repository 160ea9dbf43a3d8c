"""The fast path's gate: a block may be parsed whole only if nothing in it needs a line-by-line verdict.

A block passes when its records are all under the size limit, it decodes strictly, and it holds
no NUL or C0 control character (C1 controls, which take a decode to see, are checked on the
parsed lines or fields); then polars parses it in one call and gives, line for line,
what the line-by-line readers would. Anything else — one bad byte, one giant line — sends the
block back to be cut in half, down to the lines that need quarantining. The checks are byte
scans that run at memory speed, so a clean block costs little more than polars' own parse.
"""

import io
import re

import numpy as np
import polars as pl

from pipelines.ingest.blocks import Block
from pipelines.ingest.decode import CONTROL_PATTERN, PY_WHITESPACE, FileEncoding

# Every byte but the C0 controls and DEL, deleted to leave only those for inspection.
_PRINTABLE_BYTES = bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_ALLOWED_CONTROLS = b"\t\n\r\x0c"  # layout, never counted as binary content
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_CONTROL_ESCAPE = re.compile(rb"\\u00(?:[0189]|7[fF])")  # one pattern per first byte: each scans fast


def utf8_block(block: Block, encoding: FileEncoding, *, limit: int) -> bytes | None:
    """The block as UTF-8 bytes for polars, or None when some line needs the line-by-line path.

    UTF-8 input is passed through as it is, because polars validates UTF-8 itself and fails the
    parse (sending the block back) on any invalid sequence; other encodings are decoded strictly.
    """
    raw = block.data
    if b"\x00" in raw or not _lines_fit(raw, limit=limit):
        return None
    codec = encoding.codecs[0]
    if codec == "utf-8":
        data = raw
    else:
        try:
            data = raw.decode(codec).encode("utf-8")
        except UnicodeDecodeError:
            return None
    if raw.translate(None, _PRINTABLE_BYTES).translate(None, _ALLOWED_CONTROLS):
        return None
    return data


def plain_lines(
    block: Block, encoding: FileEncoding, *, limit: int, forbidden: bytes = b""
) -> tuple[pl.Series, bytes] | None:
    """A block's lines as text, and the block as UTF-8, when each line is taken as it is (CSV, plain text).

    None when some line needs the line-by-line path: it holds a ``forbidden`` byte (a quote), a
    lone carriage return (a line break to the csv module), a control character, or is blank.
    """
    data = utf8_block(block, encoding, limit=limit)
    if data is None or (forbidden and forbidden in data):
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    lines = _read_lines(data, expected=block.lines)
    if lines is None or (may_hold_controls(data, escapes=False) and _has_control_characters(lines)):
        return None
    if (lines.str.strip_chars(PY_WHITESPACE) == "").any():
        return None
    return lines, data


def _read_lines(data: bytes, *, expected: int) -> pl.Series | None:
    """The lines of a block ``utf8_block`` passed, as a string Series, or None if polars sees another count.

    A block holds no NUL byte, so with NUL as the separator every line is one cell, unquoted.
    """
    try:
        lines = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            separator="\x00",
            quote_char=None,
            schema={"line": pl.String()},
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    return lines["line"] if lines.height == expected else None


def may_hold_controls(data: bytes, *, escapes: bool) -> bool:
    """Whether a block ``utf8_block`` passed might still yield a control character once parsed.

    Raw C0 controls were ruled out there; what is left is a C1 control (raw, as UTF-8) or, in
    JSON, an escape that decodes to a control (``\\u0001``, ``\\u0085``). Scanning the bytes
    for these is several times cheaper than a regex over every parsed value.
    """
    return _C1_CONTROL.search(data) is not None or (escapes and _CONTROL_ESCAPE.search(data) is not None)


def _has_control_characters(lines: pl.Series) -> bool:
    """Whether any line holds a control character (C1 included), which only the line-by-line path judges."""
    return bool(lines.str.contains(CONTROL_PATTERN).any())


def _lines_fit(data: bytes, *, limit: int) -> bool:
    """Whether every line is at most ``limit`` bytes, line feed excluded (a CR counts: it errs safe).

    A line over the limit spans a whole window of ``limit // 2`` bytes, so windows that all hold a
    line feed prove there is none; only a block with an empty window is measured line by line.
    """
    step = max(limit // 2, 1)
    if all(data.find(b"\n", start, start + step) >= 0 for start in range(0, len(data) - step + 1, step)):
        tail = len(data) - data.rfind(b"\n") - 1
        if tail <= limit:
            return True
    starts, ends = _line_bounds(data)
    return bool((ends - starts).max(initial=0) <= limit)


def line_texts(data: bytes, indexes: list[int]) -> dict[int, str]:
    """Some lines (0-based) of a block ``utf8_block`` passed, as text, for the excerpts of records rejected."""
    starts, ends = _line_bounds(data)
    return {i: data[starts[i] : ends[i]].removesuffix(b"\r").decode("utf-8") for i in indexes}


def _line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of every line (the line feed excluded)."""
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)
    return np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [len(data)]))
