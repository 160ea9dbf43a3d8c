"""Declarations, files and accounting checks shared by the ingest tests."""

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from catalog.models import Source
from pipelines.stage import StageResult

NOW = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
GRANT = {
    "grant_id": "G-1",
    "grantor": "局",
    "grantee": "集团",
    "scope": "domain",
    "purposes": ["model-training"],
    "valid_from": "2026-01-01",
    "valid_until": "2027-01-01",
}
ARTICLE_FIELDS = {"id": "doc_id", "text": "content", "original_time": "published_at", "source_uri": "url"}


def text_source(location: str = "data/*.jsonl*", **changes: object) -> Source:
    return Source.model_validate(
        {
            "id": "articles",
            "title": "文章",
            "kind": "text",
            "format": "jsonl",
            "location": location,
            "fields": ARTICLE_FIELDS,
            "license": "CC-BY-4.0",
            "classification": "general-2",
            "update_cycle": "daily",
            "authorisation": GRANT,
            **changes,
        }
    )


def table_source(encoding: str = "gb18030", **changes: object) -> Source:
    return Source.model_validate(
        {
            "id": "weather",
            "title": "气象",
            "kind": "table",
            "format": "csv",
            "location": "data/*.csv",
            "encoding": encoding,
            "fields": {"station_id": "站号", "obs_date": "日期", "temp": "气温", "note": "备注"},
            "schema": {
                "station_id": {"type": "string", "required": True, "key": True},
                "obs_date": {"type": "date", "required": True, "key": True},
                "temp": {"type": "float"},
                "note": {"type": "string"},
            },
            "license": "公开",
            "classification": "general-1",
            "update_cycle": "daily",
            "authorisation": GRANT,
            **changes,
        }
    )


def write(root: Path, name: str, content: bytes) -> Path:
    path = root / "data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def reasons(removed: pl.DataFrame) -> dict[str, str]:
    return dict(zip(removed["source_key"], removed["outcome"], strict=True))


def physical_lines(content: bytes) -> int:
    """Lines as text tools count them: a final newline ends the last line rather than starting one.

    A byte-order mark is not content, and after a UTF-16 one a line ends at a two-byte newline
    that starts at an even offset.
    """
    units: list[bytes]
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        newline = b"\n\x00" if content.startswith(b"\xff\xfe") else b"\x00\n"
        body = content[2:]
        units = [body[i : i + 2] for i in range(0, len(body), 2)]
    else:
        newline = b"\n"
        body = content.removeprefix(b"\xef\xbb\xbf")
        units = [body[i : i + 1] for i in range(len(body))]
    return units.count(newline) + (1 if units and units[-1] != newline else 0)


def jsonl(*records: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records).encode()


def accounted_keys(result: StageResult) -> list[str]:
    """Every record's key, kept or quarantined, sorted; a key listed twice was counted twice."""
    return sorted([*result.kept["source_key"].to_list(), *result.removed["source_key"].to_list()])


def line_keys(name: str, count: int, *, first: int = 1) -> list[str]:
    return sorted(f"data/{name}:{number}" for number in range(first, first + count))


def assert_no_replacement_characters(result: StageResult) -> None:
    """Published text never holds U+FFFD: bytes that do not decode are quarantined instead."""
    if "text" in result.kept.columns:
        assert not result.kept["text"].str.contains("\ufffd", literal=True).any()
