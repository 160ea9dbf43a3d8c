"""Ingest: every input line ends as a record or a quarantine row with its reason."""

import gzip
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.errors import DeclarationError, SchemaMismatchError
from pipelines.ingest import ingest_source
from tests.ingest.ingest_helpers import (
    NOW,
    jsonl,
    physical_lines,
    reasons,
    table_source,
    text_source,
    write,
)


def test_jsonl_records_get_provenance(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.jsonl",
        jsonl(
            {
                "doc_id": "d1",
                "content": "黄果树瀑布很壮观。",
                "published_at": "2026-11-01T08:00:00+08:00",
                "url": "https://x.cn/1",
            }
        ),
    )
    result = ingest_source(text_source(), root=tmp_path, ingested_at=NOW)
    row = result.kept.row(0, named=True)
    assert row["source_key"] == "d1"
    assert row["source_uri"] == "https://x.cn/1"
    assert row["grant_id"] == "G-1"
    assert row["original_time"] == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert row["ingested_at"] == NOW
    assert len(row["content_sha256"]) == 64
    again = ingest_source(text_source(), root=tmp_path, ingested_at=NOW)
    assert again.kept["id"].to_list() == result.kept["id"].to_list()


def test_jsonl_every_failure_mode_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    lines = [
        {"doc_id": "ok", "content": "正文内容。"},
        '{"doc_id": "broken", "content": "没有结',
        {"doc_id": "nocontent", "title": "只有标题"},
        {"doc_id": "empty", "content": "   "},
        "[1, 2]",
        "",
        {"doc_id": "number", "content": 42},
    ]
    write(tmp_path, "a.jsonl", jsonl(*lines) + b"\n" + b'{"doc_id": "bad", "content": "\xff\xfe"}')
    result = ingest_source(text_source(), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_key"].to_list() == ["ok"]
    assert reasons(result.removed) == {
        "data/a.jsonl:2": "quarantined:ingest_malformed_json",
        "data/a.jsonl:3": "quarantined:ingest_missing_field",
        "data/a.jsonl:4": "quarantined:ingest_empty_record",
        "data/a.jsonl:5": "quarantined:ingest_malformed_json",
        "data/a.jsonl:6": "quarantined:ingest_empty_record",
        "data/a.jsonl:7": "quarantined:ingest_missing_field",
        "data/a.jsonl:8": "quarantined:ingest_undecodable",
    }
    detail = result.removed.filter(pl.col("source_key") == "data/a.jsonl:5")["detail"].item()
    assert detail == "data/a.jsonl:5: expected a JSON object, got list | [1, 2]"
    assert result.stats == {
        "files": 1.0,
        "ingested": 8.0,
        "quarantined": 7.0,
        "encoding.utf-8": 1.0,
        "decoded.utf-8": 6.0,
    }


def test_oversized_records_are_quarantined(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", jsonl({"doc_id": "big", "content": "长" * 500}))
    result = ingest_source(text_source(max_record_bytes=200), root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {"data/a.jsonl:1": "quarantined:ingest_too_large"}


def test_bom_gzip_and_repeated_keys(tmp_path: Path) -> None:
    body = "\ufeff".encode() + jsonl({"doc_id": "d1", "content": "甲"}, {"doc_id": "d1", "content": "乙"})
    write(tmp_path, "a.jsonl.gz", gzip.compress(body))
    result = ingest_source(text_source(), root=tmp_path, ingested_at=NOW)
    assert result.kept["text"].to_list() == ["甲", "乙"]
    assert result.kept["id"].n_unique() == 2
    assert result.kept["source_key"].to_list() == ["d1", "d1@data/a.jsonl.gz:2"]


def test_truncated_gzip_keeps_what_was_readable(tmp_path: Path) -> None:
    body = jsonl(*({"doc_id": f"d{i}", "content": f"第{i}篇" * 50} for i in range(200)))
    write(tmp_path, "a.jsonl.gz", gzip.compress(body)[:-200])
    result = ingest_source(text_source(), root=tmp_path, ingested_at=NOW)
    assert result.kept.height > 0
    assert result.removed["outcome"].to_list()[-1] == "quarantined:ingest_undecodable"
    assert "compressed stream ends early" in result.removed["detail"].to_list()[-1]


def test_location_matching_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="matches no file"):
        ingest_source(text_source("nowhere/*.jsonl"), root=tmp_path, ingested_at=NOW)


def gb_csv(*rows: str) -> bytes:
    return "\n".join(rows).encode("gb18030")


def test_gb18030_csv_rows_are_typed_and_bad_rows_quarantined(tmp_path: Path) -> None:
    content = gb_csv(
        "站号,日期,气温,备注",
        "57816,2026-11-01,12.5,晴",
        "57816,2026-11-02,,多云",
        "57816,2026-11-03,N/A,阴",
        "57816,2026-11-04,11.0",
        '57816,2026-11-05,"10.0,小雨',
        "57816,2026-13-45,9.0,雨",
        "",
    )
    content += b"\n57816,2026-11-06,8.0,\xff\xff\n"
    write(tmp_path, "w.csv", content)
    result = ingest_source(table_source(), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_key"].to_list() == ["data/w.csv:2", "data/w.csv:3"]
    assert result.kept["temp"].to_list() == [12.5, None]
    assert result.kept.schema["obs_date"] == pl.Date
    assert reasons(result.removed) == {
        "data/w.csv:4": "quarantined:ingest_type_mismatch",
        "data/w.csv:5": "quarantined:ingest_malformed_row",
        "data/w.csv:6": "quarantined:ingest_malformed_row",
        "data/w.csv:7": "quarantined:ingest_type_mismatch",
        "data/w.csv:8": "quarantined:ingest_empty_record",
        "data/w.csv:9": "quarantined:ingest_undecodable",
    }
    detail = result.removed.filter(pl.col("source_key") == "data/w.csv:4")["detail"].item()
    assert detail.startswith("data/w.csv:4: column temp (气温): N/A is not a float")


def test_csv_header_missing_a_declared_column_is_a_schema_error(tmp_path: Path) -> None:
    write(tmp_path, "w.csv", gb_csv("站号,日期,气温", "57816,2026-11-01,12.5"))
    with pytest.raises(SchemaMismatchError, match="no column for note \\(header '备注'\\)"):
        ingest_source(table_source(), root=tmp_path, ingested_at=NOW)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")), max_size=30))
def test_random_bytes_never_crash_and_every_line_is_accounted_for(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    content = b"\n".join(lines)
    write(root, "a.jsonl", content)
    result = ingest_source(text_source(encoding="auto"), root=root, ingested_at=NOW)
    assert result.kept.height + result.removed.height == physical_lines(content)
    assert not result.kept["text"].str.contains("\ufffd").any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.lists(st.text(max_size=8).filter(lambda s: "\n" not in s and "\r" not in s), max_size=6), max_size=20
    )
)
def test_random_csv_rows_never_crash_and_reconcile(
    tmp_path_factory: pytest.TempPathFactory, cells: list[list[str]]
) -> None:
    root = tmp_path_factory.mktemp("fuzzcsv")
    rows = ["站号,日期,气温,备注", *(",".join(row) for row in cells)]
    content = "\n".join(rows).encode("utf-8")
    write(root, "w.csv", content)
    result = ingest_source(table_source(encoding="utf-8"), root=root, ingested_at=NOW)
    assert result.kept.height + result.removed.height == physical_lines(content) - 1
