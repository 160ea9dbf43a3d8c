"""JSON arrays, HTML pages, CSV/TSV options, Parquet, binary content and size limits: each failure has its reason."""

import gzip
import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from pydantic import ValidationError

from catalog.errors import SchemaMismatchError
from catalog.models import Source
from pipelines.ingest import Tuning, ingest_source
from tests.ingest.ingest_helpers import (
    GRANT,
    NOW,
    accounted_keys,
    jsonl,
    line_keys,
    reasons,
    table_source,
    text_source,
    write,
)

ARTICLE = "".join(
    f"<p>第{i}段：黄果树瀑布位于贵州省安顺市镇宁布依族苗族自治县，是中国最大的瀑布之一，雨季水量最为壮观。</p>"
    for i in range(5)
)


def detail(result_removed: pl.DataFrame, key: str) -> str:
    return result_removed.filter(pl.col("source_key") == key)["detail"].item()


# JSON arrays


def test_json_array_elements_are_records_keyed_by_id_or_index(tmp_path: Path) -> None:
    elements = [
        {"doc_id": "a", "content": "第一篇"},
        {"content": "没有编号"},
        "不是对象",
        {"doc_id": "c", "content": ""},
        {"doc_id": "d", "content": "含\u0000空字符"},
        {"doc_id": "e", "content": "长" * 100},
    ]
    write(tmp_path, "a.json", json.dumps(elements, ensure_ascii=False, indent=2).encode())
    result = ingest_source(
        text_source("data/*.json", format="json", max_record_bytes=200), root=tmp_path, ingested_at=NOW
    )
    assert result.kept["source_key"].to_list() == ["a", "data/a.json:#1"]
    assert reasons(result.removed) == {
        "data/a.json:#2": "quarantined:ingest_malformed_json",
        "data/a.json:#3": "quarantined:ingest_empty_record",
        "data/a.json:#4": "quarantined:ingest_binary",
        "data/a.json:#5": "quarantined:ingest_too_large",
    }
    assert detail(result.removed, "data/a.json:#2") == 'data/a.json:#2: expected a JSON object, got str | "不是对象"'


@pytest.mark.parametrize(
    ("title", "content", "message"),
    [
        ("truncated", '[{"content": "甲"}, {"content": "乙"', "not valid JSON: Expecting ',' delimiter"),
        ("trailing garbage", '[{"content": "甲"}] x', "not valid JSON: Extra data"),
        ("a bare string", '"只是字符串"', "expected an array of objects or an object, got str"),
        ("too deep", "[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ("a number too long to convert", "[" + "9" * 5000 + "]", "not valid JSON: Exceeds the limit"),
    ],
)
def test_a_json_file_that_is_not_an_array_of_objects_is_one_quarantined_record(
    tmp_path: Path, title: str, content: str, message: str
) -> None:
    write(tmp_path, "a.json", content.encode())
    result = ingest_source(text_source("data/*.json", format="json"), root=tmp_path, ingested_at=NOW)
    assert result.kept.is_empty()
    assert reasons(result.removed) == {"data/a.json": "quarantined:ingest_malformed_json"}
    assert message in detail(result.removed, "data/a.json")


def test_a_json_file_holding_one_object_is_one_record(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps({"content": "单篇文章"}, ensure_ascii=False).encode())
    result = ingest_source(text_source("data/*.json", format="json"), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_key"].to_list() == ["data/a.json"]


def test_a_json_file_over_max_file_bytes_is_quarantined_unparsed(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps([{"content": "字"}] * 50).encode())
    result = ingest_source(
        text_source("data/*.json", format="json", max_file_bytes=100), root=tmp_path, ingested_at=NOW
    )
    assert reasons(result.removed) == {"data/a.json": "quarantined:ingest_too_large"}


def test_lone_surrogate_escapes_are_quarantined_not_published(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", b'{"content": "\\ud800 alone"}\n{"content": "\\ud83d\\ude00 paired"}')
    result = ingest_source(text_source(fields={"text": "content"}), root=tmp_path, ingested_at=NOW)
    assert result.kept["text"].to_list() == ["\U0001f600 paired"]
    assert reasons(result.removed) == {"data/a.jsonl:1": "quarantined:ingest_malformed_json"}


# HTML


def page(head: str = "", body: str = ARTICLE) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>黄果树瀑布游记_贵州旅游网</title>{head}</head><body>'
        '<nav><a href="/">首页</a> <a href="/news">新闻</a></nav><header>贵州旅游网欢迎您</header>'
        f"<div class='content'><h1>黄果树瀑布游记</h1>{body}</div>"
        "<aside>热门推荐：西江千户苗寨</aside><footer>版权所有 © 2026 贵州旅游网 黔ICP备12345号</footer>"
        "<script>var tracker = 1;</script><style>p {color: red}</style></body></html>"
    ).encode()


def test_html_main_text_drops_navigation_and_boilerplate(tmp_path: Path) -> None:
    write(tmp_path, "a.html", page())
    result = ingest_source(text_source("data/*.html", format="html", fields={}), root=tmp_path, ingested_at=NOW)
    text = result.kept["text"].item()
    assert text.splitlines()[0] == "黄果树瀑布游记"
    assert len(text.splitlines()) == 6
    for boilerplate in ("首页", "欢迎您", "热门推荐", "版权所有", "tracker", "color"):
        assert boilerplate not in text
    assert result.kept["source_uri"].item() == "data/a.html"
    assert result.kept["original_time"].item() is None


@pytest.mark.parametrize(
    ("title", "head", "utc"),
    [
        (
            "open graph",
            '<meta property="article:published_time" content="2026-11-01T08:00:00+08:00">',
            "2026-11-01 00:00",
        ),
        ("government CMS", '<meta name="PubDate" content="2026-11-01 08:30">', "2026-11-01 00:30"),
        ("schema.org", '<meta itemprop="datePublished" content="2026-11-01">', "2026-10-31 16:00"),
    ],
)
def test_html_publication_time_comes_from_the_page(tmp_path: Path, title: str, head: str, utc: str) -> None:
    write(tmp_path, "a.html", page(head))
    result = ingest_source(text_source("data/*.html", format="html", fields={}), root=tmp_path, ingested_at=NOW)
    assert result.kept["original_time"].dt.strftime("%Y-%m-%d %H:%M").item() == utc


@pytest.mark.parametrize(
    ("title", "head", "uri"),
    [
        (
            "canonical link",
            '<link rel="canonical" href="https://x.cn/a/1"><meta property="og:url" content="https://x.cn/og">',
            "https://x.cn/a/1",
        ),
        ("open graph url", '<meta property="og:url" content="https://x.cn/og">', "https://x.cn/og"),
        ("relative canonical is no URI", '<link rel="canonical" href="/a/1">', "data/a.html.gz"),
    ],
)
def test_html_canonical_url_is_the_source_uri(tmp_path: Path, title: str, head: str, uri: str) -> None:
    write(tmp_path, "a.html.gz", gzip.compress(page(head)))
    result = ingest_source(text_source("data/*", format="html", fields={}), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_uri"].item() == uri
    assert result.kept["source_key"].item() == "data/a.html.gz"


@pytest.mark.parametrize(
    ("title", "content", "reason"),
    [
        ("no text at all", b"<html><body><script>x()</script></body></html>", "ingest_empty_record"),
        ("whitespace only", b"  \n\t ", "ingest_empty_record"),
        ("a PNG saved as .html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "ingest_binary"),
        ("bytes that are no encoding", b"<p>\xff\xfe\xfd</p>", "ingest_undecodable"),
    ],
)
def test_html_pages_without_usable_text_are_quarantined(
    tmp_path: Path, title: str, content: bytes, reason: str
) -> None:
    write(tmp_path, "a.html", content)
    result = ingest_source(text_source("data/*", format="html", fields={}), root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {"data/a.html": f"quarantined:{reason}"}


def test_html_character_references_to_nothing_never_become_replacement_characters(tmp_path: Path) -> None:
    write(tmp_path, "a.html", page(body="<p>贵州&#0;山水&#xD800;甲天下\x01</p>" + ARTICLE))
    result = ingest_source(text_source("data/*", format="html", fields={}), root=tmp_path, ingested_at=NOW)
    assert "贵州山水甲天下" in result.kept["text"].item()
    assert "\ufffd" not in result.kept["text"].item()


# CSV and TSV options


def test_tsv_format_defaults_to_tabs(tmp_path: Path) -> None:
    write(tmp_path, "w.tsv", "站号\t日期\t气温\t备注\n57816\t2026-11-01\t12.5\t晴, 有风\n".encode())
    result = ingest_source(table_source("utf-8", format="tsv", location="data/*.tsv"), root=tmp_path, ingested_at=NOW)
    assert result.kept["note"].to_list() == ["晴, 有风"]


def test_a_tab_delimiter_declared_in_yaml_works_for_csv(tmp_path: Path) -> None:
    options = yaml.safe_load('csv: {delimiter: "\\t", quote: "\'"}')
    write(tmp_path, "w.csv", "站号\t日期\t气温\t备注\n57816\t2026-11-01\t12.5\t'晴\t有风'\n".encode())
    result = ingest_source(table_source("utf-8", **options), root=tmp_path, ingested_at=NOW)
    assert result.kept["note"].to_list() == ["晴\t有风"]


def test_null_values_are_declared_and_na_is_data_by_default(tmp_path: Path) -> None:
    content = "站号,日期,气温,备注\n57816,2026-11-01, - ,N/A\n57816,2026-11-02,NULL,\n57816,2026-11-03,,无\n"
    write(tmp_path, "w.csv", content.encode())
    default = ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)
    assert reasons(default.removed) == {
        "data/w.csv:2": "quarantined:ingest_type_mismatch",
        "data/w.csv:3": "quarantined:ingest_type_mismatch",
    }
    assert default.kept["note"].to_list() == ["无"]
    declared = ingest_source(
        table_source("utf-8", csv={"null_values": ["", "-", "NULL"]}), root=tmp_path, ingested_at=NOW
    )
    assert declared.removed.is_empty()
    assert declared.kept["temp"].to_list() == [None, None, None]
    assert declared.kept["note"].to_list() == ["N/A", None, "无"]


def test_headerless_csv_maps_columns_in_schema_order(tmp_path: Path) -> None:
    write(tmp_path, "w.csv", "57816,2026-11-01,12.5,晴\n57816,2026-11-02,11.0\n".encode("gb18030"))
    result = ingest_source(table_source(csv={"header": False}), root=tmp_path, ingested_at=NOW)
    assert result.kept["note"].to_list() == ["晴"]
    assert "2 fields where the schema declares 4" not in detail(result.removed, "data/w.csv:2")
    assert "3 fields where the schema declares 4" in detail(result.removed, "data/w.csv:2")


def test_a_text_source_can_be_a_csv(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", 'doc_id,content\nd1,"贵州,多彩"\nd2,\n'.encode())
    result = ingest_source(
        text_source("data/*.csv", format="csv", fields={"id": "doc_id", "text": "content"}),
        root=tmp_path,
        ingested_at=NOW,
    )
    assert result.kept["text"].to_list() == ["贵州,多彩"]
    assert reasons(result.removed) == {"data/a.csv:3": "quarantined:ingest_missing_field"}


def test_a_file_with_a_wrong_delimiter_is_quarantined_line_by_line(tmp_path: Path) -> None:
    """One bad file among good ones is bad input, not a bad declaration."""
    write(tmp_path, "a.csv", "站号,日期,气温,备注\n57816,2026-11-01,12.5,晴\n".encode())
    write(tmp_path, "b.csv", "站号;日期;气温;备注\n57816;2026-11-01;12.5;晴\n57816;2026-11-02;11.5;阴\n".encode())
    result = ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_key"].to_list() == ["data/a.csv:2"]
    assert reasons(result.removed) == {
        "data/b.csv:2": "quarantined:ingest_bad_header",
        "data/b.csv:3": "quarantined:ingest_bad_header",
    }
    assert "b.csv has no column for station_id (header '站号')" in detail(result.removed, "data/b.csv:2")


def test_an_unreadable_header_spoils_only_its_file(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", "站号,日期,气温,备注\n57816,2026-11-01,12.5,晴\n".encode())
    write(tmp_path, "b.csv", b"\x80\x81,x\n57816,2026-11-01,12.5,a\n")
    result = ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {"data/b.csv:2": "quarantined:ingest_bad_header"}
    assert "the header (line 1) is unusable: not utf-8" in detail(result.removed, "data/b.csv:2")


def test_when_no_file_has_a_usable_header_the_declaration_is_wrong(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", "站号;日期;气温;备注\n57816;2026-11-01;12.5;晴\n".encode())
    with pytest.raises(SchemaMismatchError, match="no file has a usable header; a.csv has no column for station_id"):
        ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)


def test_empty_files_have_no_records_and_no_header_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", b"")
    write(tmp_path, "b.csv", "站号,日期,气温,备注\n".encode())
    result = ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)
    assert result.kept.is_empty()
    assert result.removed.is_empty()


def test_table_rows_can_come_from_jsonl(tmp_path: Path) -> None:
    rows = [
        {"站号": 57816, "日期": "2026-11-01", "气温": 12.5, "备注": "晴"},
        {"站号": "57816", "日期": "2026-11-02", "气温": "暖"},
    ]
    write(tmp_path, "w.jsonl", jsonl(*rows))
    result = ingest_source(
        table_source("utf-8", format="jsonl", location="data/*.jsonl"), root=tmp_path, ingested_at=NOW
    )
    assert result.kept.select("station_id", "temp", "note").rows() == [("57816", 12.5, "晴")]
    assert reasons(result.removed) == {"data/w.jsonl:2": "quarantined:ingest_type_mismatch"}


# Parquet


def test_parquet_text_and_table_sources(tmp_path: Path) -> None:
    pl.DataFrame({"doc_id": ["a", "b"], "content": ["正文", None]}).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "data").mkdir()
    (tmp_path / "a.parquet").rename(tmp_path / "data" / "a.parquet")
    result = ingest_source(text_source("data/*.parquet", format="parquet"), root=tmp_path, ingested_at=NOW)
    assert result.kept["source_key"].to_list() == ["a"]
    assert reasons(result.removed) == {"data/a.parquet:2": "quarantined:ingest_missing_field"}


def test_unreadable_and_gzipped_parquet(tmp_path: Path) -> None:
    frame = pl.DataFrame({"content": ["第一", "第二"]})
    frame.write_parquet(tmp_path / "x.parquet")
    data = (tmp_path / "x.parquet").read_bytes()
    write(tmp_path, "a.parquet.gz", gzip.compress(data))
    write(tmp_path, "b.parquet", data[: len(data) // 2])
    result = ingest_source(
        text_source("data/*", format="parquet", fields={"text": "content"}), root=tmp_path, ingested_at=NOW
    )
    assert result.kept["text"].to_list() == ["第一", "第二"]
    assert reasons(result.removed) == {"data/b.parquet": "quarantined:ingest_undecodable"}


# Binary content and size limits, for every format


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("NUL bytes", b'{"content": "\x00\x00\x00"}'),
        ("mostly control characters", b"\x01\x02\x03\x04\x05\x06{}"),
    ],
)
def test_binary_lines_are_quarantined(tmp_path: Path, title: str, line: bytes) -> None:
    write(tmp_path, "a.jsonl", jsonl({"content": "正文"}) + b"\n" + line)
    result = ingest_source(text_source(fields={"text": "content"}), root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {"data/a.jsonl:2": "quarantined:ingest_binary"}


def test_binary_csv_rows_and_txt_files_are_quarantined(tmp_path: Path) -> None:
    write(tmp_path, "w.csv", "站号,日期,气温,备注\n57816,2026-11-01,12.5,\x00\x00\n".encode())
    table = ingest_source(table_source("utf-8"), root=tmp_path, ingested_at=NOW)
    assert reasons(table.removed) == {"data/w.csv:2": "quarantined:ingest_binary"}
    write(tmp_path, "a.txt", bytes(range(32)) * 10)
    text = ingest_source(text_source("data/*.txt", format="txt", fields={}), root=tmp_path, ingested_at=NOW)
    assert reasons(text.removed) == {"data/a.txt": "quarantined:ingest_binary"}


@pytest.mark.parametrize(
    ("fmt", "name", "content", "key"),
    [
        ("jsonl", "a.jsonl", jsonl({"content": "短"}, {"content": "长" * 400}), "data/a.jsonl:2"),
        ("json", "a.json", json.dumps([{"content": "短"}, {"content": "长" * 400}]).encode(), "data/a.json:#1"),
        ("json", "b.json", json.dumps({"content": "长" * 400}).encode(), "data/b.json"),
        ("csv", "a.csv", ("content\n短\n" + "长" * 400).encode(), "data/a.csv:3"),
        ("txt", "a.txt", ("长" * 400).encode(), "data/a.txt"),
        ("html", "a.html", f"<p>{'长' * 400}</p>".encode(), "data/a.html"),
    ],
)
def test_every_format_quarantines_records_over_max_record_bytes(
    tmp_path: Path, fmt: str, name: str, content: bytes, key: str
) -> None:
    write(tmp_path, name, content)
    fields = {} if fmt in ("txt", "html") else {"text": "content"}
    source = text_source("data/*", format=fmt, fields=fields, max_record_bytes=1000)
    result = ingest_source(source, root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {key: "quarantined:ingest_too_large"}


def test_parquet_rows_over_max_record_bytes_are_quarantined(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    pl.DataFrame({"content": ["短", "长" * 400]}).write_parquet(tmp_path / "data" / "a.parquet")
    source = text_source("data/*", format="parquet", fields={"text": "content"}, max_record_bytes=1000)
    result = ingest_source(source, root=tmp_path, ingested_at=NOW)
    assert reasons(result.removed) == {"data/a.parquet:2": "quarantined:ingest_too_large"}


def test_a_30_mb_line_costs_a_bounded_amount_of_memory(tmp_path: Path) -> None:
    import tracemalloc

    huge = ("长" * 10_000_000).encode()  # 30 MB, no newline
    write(
        tmp_path,
        "a.jsonl",
        jsonl({"content": "前"}) + b"\n" + b'{"content": "' + huge + b'"}\n' + jsonl({"content": "后"}),
    )
    source = text_source(fields={"text": "content"})
    tracemalloc.start()
    result = ingest_source(source, root=tmp_path, ingested_at=NOW, tuning=Tuning(block_bytes=1 << 20))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.kept["text"].to_list() == ["前", "后"]
    assert reasons(result.removed) == {"data/a.jsonl:2": "quarantined:ingest_too_large"}
    assert "30000015 bytes at byte 19 > max_record_bytes=1000000" in detail(result.removed, "data/a.jsonl:2")
    assert peak < 12 * 1024 * 1024  # a few blocks and chunks and one max_record_bytes prefix, not the line


def test_a_10_mb_record_within_the_limit_is_read_at_a_small_multiple_of_its_size(tmp_path: Path) -> None:
    import tracemalloc

    huge = "长" * 3_500_000
    write(tmp_path, "a.jsonl", jsonl({"content": huge}))
    source = text_source(fields={"text": "content"}, max_record_bytes=20_000_000)
    tracemalloc.start()
    result = ingest_source(source, root=tmp_path, ingested_at=NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.kept["text"].str.len_chars().to_list() == [3_500_000]
    assert peak < 8 * len(huge.encode())


# Declarations


def test_declarations_for_the_new_formats_are_checked() -> None:
    base = {
        "id": "s",
        "title": "t",
        "license": "x",
        "classification": "general-1",
        "update_cycle": "daily",
        "authorisation": GRANT,
    }
    assert Source.model_validate({**base, "kind": "text", "format": "html", "location": "p/*.html"}).fields == {}
    assert (
        Source.model_validate(
            {**base, "kind": "text", "format": "tsv", "location": "x", "fields": {"text": "t"}}
        ).delimiter
        == "\t"
    )
    bad = [
        ({"kind": "text", "format": "html", "fields": {"text": "body"}}, "cannot rename \\['text'\\]"),
        ({"kind": "table", "format": "txt", "schema": {"a": {}}}, "one document per file"),
        (
            {"kind": "text", "format": "csv", "fields": {"text": "t"}, "csv": {"header": False}},
            "needs csv.header: true",
        ),
        ({"kind": "text", "format": "csv", "fields": {"text": "t"}, "csv": {"delimiter": '"'}}, "both '\"'"),
        (
            {"kind": "text", "format": "jsonl", "fields": {"text": "t"}, "encoding_confidence": 1.5},
            "less than or equal to 1",
        ),
    ]
    for changes, message in bad:
        with pytest.raises(ValidationError, match=message):
            Source.model_validate({**base, "location": "x", **changes})


def test_accounting_across_formats_is_exact(tmp_path: Path) -> None:
    lines = [jsonl({"content": "好"}), b"", b"{", b"\xff", jsonl({"content": "\x00"}), jsonl({"other": 1})]
    write(tmp_path, "a.jsonl", b"\n".join(lines))
    result = ingest_source(text_source(fields={"text": "content"}), root=tmp_path, ingested_at=NOW)
    assert accounted_keys(result) == line_keys("a.jsonl", len(lines))
