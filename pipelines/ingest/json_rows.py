"""JSON records: JSONL (an object per line) and JSON files (an array of objects, or one object).

A JSON file is parsed whole — if any of it is not valid JSON, the file is one quarantined record,
because nothing after the first syntax error can be trusted to be where it seems. Elements are
keyed ``file:#index`` (0-based, as in ``jq '.[0]'``) unless the source maps an id field.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.reading import decoded_document, decoded_lines

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# ``\ud800`` and friends: valid JSON syntax that leaves a lone surrogate, which is not a character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def jsonl_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    for number, text in decoded_lines(path, ctx=ctx):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as err:
            ctx.reject(path, number, reasons.INGEST_MALFORMED_JSON, f"invalid JSON: {_why(err)}", raw=text)
            continue
        fields = _object(value, path=path, at=number, ctx=ctx, raw=text)
        if fields is not None:
            yield Row(path=path, line=number, fields=fields, raw=text)


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


def _parse(text: str) -> tuple[list[tuple[int, int, Any]] | None, Any]:
    """A top-level array as ``(start, end, value)`` per element, or ``(None, value)`` for anything else.

    The whole text is checked first: ``ValueError`` (``json.JSONDecodeError``) at the first syntax
    error anywhere means no element is used.
    """
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        return None, json.loads(text)
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
