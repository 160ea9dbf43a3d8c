"""JSON records: JSONL (an object per line) and JSON files (an array of objects, or one object).

A JSON file is parsed whole — if any of it is not valid JSON, the file is one quarantined record,
because nothing after the first syntax error can be trusted to be where it seems. Elements are
keyed ``file:#index`` (0-based, as in ``jq '.[0]'``) unless the source maps an id field.
"""

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import reasons
from pipelines.ingest.blocks import Block
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.decode import FileEncoding, binary_problem
from pipelines.ingest.fast import may_hold_controls, utf8_block
from pipelines.ingest.files import Line
from pipelines.ingest.reading import Batch, decoded_document, decoded_line, parse_lines
from pipelines.ingest.text import accept_block

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# What polars makes of a non-string JSON value: a text value like this may not have been a string.
_RENDERED_SCALAR = r"^(?:-?\d[\d.eE+-]*|true|false)$"
# Integers render the same in polars and ``json`` (as do strings and booleans); floats may not.
_RENDERED_FLOAT = r"^-?\d+[.eE][\d.eE+-]*$"
# ``\ud800`` and friends: valid JSON syntax that leaves a lone surrogate, which is not a character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(_SURROGATE_ESCAPE.pattern.encode())


def jsonl_rows(path: Path, *, ctx: IngestContext) -> Iterator[Batch]:
    def slow(line: Line, encoding: FileEncoding) -> Iterator[Row]:
        text = decoded_line(path, line, encoding, ctx=ctx, controls=False)
        if text is None:
            return
        try:
            value = _loads(text)
        except (ValueError, RecursionError) as err:
            binary = binary_problem(text)  # what is not JSON may not be text at all, which says more
            if binary is not None:
                ctx.reject(path, line.number, reasons.INGEST_BINARY, binary, raw=text)
            else:
                ctx.reject(path, line.number, reasons.INGEST_MALFORMED_JSON, f"invalid JSON: {_why(err)}", raw=text)
            return
        fields = _object(value, path=path, at=line.number, ctx=ctx, raw=text)
        if fields is not None:
            yield Row(path=path, line=line.number, fields=fields, raw=text)

    def fast(block: Block, encoding: FileEncoding) -> pl.DataFrame | None:
        parsed = _parse_block(block, encoding, ctx=ctx)
        if parsed is None:
            return None
        frame, data = parsed
        ctx.counts[f"decoded.{encoding.codecs[0]}"] += block.lines
        controls = may_hold_controls(data, escapes=True)
        return accept_block(frame, data=data, first=block.first, path=path, ctx=ctx, controls=controls)

    return parse_lines(path, ctx=ctx, slow=slow, fast=fast if ctx.source.kind == "text" else None)


def _parse_block(block: Block, encoding: FileEncoding, *, ctx: IngestContext) -> tuple[pl.DataFrame, bytes] | None:
    """The block's mapped fields as strings, one row per line, and the block as UTF-8; None if a line needs a
    closer look.

    polars and ``json`` agree on valid JSON objects (both keep the first of repeated keys), but
    polars turns a non-string value into its JSON text. A text value that could be such a
    rendering (``42``, ``true``, ``{…}``), or another mapped value that might be a float, an
    object or an array, sends the block back, where ``json`` tells the types apart. So does a
    lone-surrogate escape, which polars does not reject.
    """
    source = ctx.source
    data = utf8_block(block, encoding, limit=source.max_record_bytes)
    if data is None or _SURROGATE_ESCAPE_BYTES.search(data):
        return None
    names = sorted(set(source.fields.values()))
    try:
        frame = pl.read_ndjson(io.BytesIO(data), schema=dict.fromkeys(names, pl.String()))
    except pl.exceptions.PolarsError:
        return None
    if frame.height != block.lines:
        return None
    frame = frame.select(pl.col(in_file).alias(name) for name, in_file in source.fields.items())
    if any(frame.select(_maybe_rendered(name) for name in frame.columns).row(0)):
        return None
    return frame, data


def _maybe_rendered(name: str) -> pl.Expr:
    """Whether any value of a column might be polars' rendering of a non-string JSON value."""
    value = pl.col(name)
    container = (value.str.starts_with("{") & value.str.ends_with("}")) | (
        value.str.starts_with("[") & value.str.ends_with("]")
    )
    scalar = value.str.contains(_RENDERED_SCALAR if name == "text" else _RENDERED_FLOAT)
    return (container | scalar).any()


def json_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    text = decoded_document(path, ctx=ctx, limit=ctx.source.max_file_bytes, limit_name="max_file_bytes")
    if text is None:
        return
    try:
        elements, value = _parse(text)
    except (ValueError, RecursionError) as err:
        ctx.reject(path, None, reasons.INGEST_MALFORMED_JSON, f"not valid JSON: {_why(err)}", raw=text)
        return
    limit = ctx.source.max_record_bytes
    if elements is None:
        size = len(text.encode("utf-8"))
        if size > limit:
            ctx.reject(
                path, None, reasons.INGEST_TOO_LARGE, f"{size} bytes (as UTF-8) > max_record_bytes={limit}", text
            )
            return
        if not isinstance(value, dict):
            ctx.reject(
                path,
                None,
                reasons.INGEST_MALFORMED_JSON,
                f"expected an array of objects or an object, got {type(value).__name__}",
                raw=text,
            )
            return
        fields = _object(value, path=path, at=None, ctx=ctx, raw=text)
        if fields is not None:
            yield Row(path=path, line=None, fields=fields, raw=text)
        return
    for index, (start, end, element) in enumerate(elements):
        at = f"#{index}"
        raw = text[start:end]
        size = len(raw.encode("utf-8"))
        if size > limit:
            ctx.reject(path, at, reasons.INGEST_TOO_LARGE, f"{size} bytes (as UTF-8) > max_record_bytes={limit}", raw)
            continue
        fields = _object(element, path=path, at=at, ctx=ctx, raw=raw)
        if fields is not None:
            yield Row(path=path, line=at, fields=fields, raw=raw)


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key repeated in one object keeps its first value, as polars' parser does."""
    fields: dict[str, Any] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _loads(text: str) -> Any:
    """JSON as the fast path reads it: raw tabs in strings allowed, the first of repeated keys kept."""
    return json.loads(text, strict=False, object_pairs_hook=_first_wins)


def _parse(text: str) -> tuple[list[tuple[int, int, Any]] | None, Any]:
    """A top-level array as ``(start, end, value)`` per element, or ``(None, value)`` for anything else.

    The whole text is checked first: ``ValueError`` (``json.JSONDecodeError``) at the first syntax
    error anywhere means no element is used.
    """
    decoder = json.JSONDecoder(strict=False, object_pairs_hook=_first_wins)
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        return None, _loads(text)
    elements: list[tuple[int, int, Any]] = []
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        end = pos + 1
    else:
        while True:
            value, end = decoder.raw_decode(text, pos)
            elements.append((pos, end, value))
            pos = _skip(text, end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
                continue
            if text.startswith("]", pos):
                end = pos + 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter or ']'", text, pos)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, end))
    return elements, None


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _object(value: Any, *, path: Path, at: int | str | None, ctx: IngestContext, raw: str) -> dict[str, Any] | None:
    """The value as a record's fields, or None after quarantining it."""
    if not isinstance(value, dict):
        ctx.reject(path, at, reasons.INGEST_MALFORMED_JSON, f"expected a JSON object, got {type(value).__name__}", raw)
        return None
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            ctx.reject(
                path, at, reasons.INGEST_MALFORMED_JSON, f"escapes a lone surrogate ({err.reason}): not text", raw
            )
            return None
    return value


def _why(err: ValueError | RecursionError) -> str:
    if isinstance(err, json.JSONDecodeError):
        where = f"line {err.lineno} column {err.colno}" if err.lineno > 1 else f"column {err.colno}"
        return f"{err.msg} at {where}"
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return str(err)
