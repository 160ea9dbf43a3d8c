"""Every format in every encoding, plain and gzip: the same documents come out, and stats name the codec."""

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.ingest import ingest_source
from pipelines.ingest.decode import codec_for_label, detect, file_encoding
from tests.ingest.ingest_helpers import NOW, accounted_keys, line_keys, reasons, text_source, write

# Simplified and Traditional, a GBK-only character (镕), a GB18030 four-byte one outside the BMP
# (𠮷), full-width punctuation and a euro sign: each encoding must round-trip all of them.
DOCS = [
    "黄果树瀑布位于贵州省安顺市，是中国最大的瀑布之一。",
    "朱镕基曾到访贵阳；“多彩贵州”欢迎您！",
    "繁體字：貴州省黃果樹瀑布，門票€160，𠮷野家。",
]
FIELDS = {"id": "doc_id", "text": "content"}


def jsonl_file(docs: list[str]) -> str:
    return "\n".join(json.dumps({"doc_id": f"d{i}", "content": doc}, ensure_ascii=False) for i, doc in enumerate(docs))


def json_file(docs: list[str]) -> str:
    return json.dumps([{"doc_id": f"d{i}", "content": doc} for i, doc in enumerate(docs)], ensure_ascii=False)


def delimited(delimiter: str) -> Callable[[list[str]], str]:
    def build(docs: list[str]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["doc_id", "content"])
        writer.writerows([f"d{i}", doc] for i, doc in enumerate(docs))
        return out.getvalue()

    return build


def html_file(docs: list[str], charset: str) -> str:
    paragraphs = "".join(f"<p>{doc}</p>" for doc in docs)
    return (
        f'<html><head><meta charset="{charset}"><title>游记</title></head>'
        f"<body><article>{paragraphs}</article></body></html>"
    )


# (declared encoding, how the bytes are written, the codec the stats should name)
ENCODINGS = [
    pytest.param("utf-8", "utf-8", "utf-8", id="utf-8"),
    pytest.param("utf-8", "utf-8-sig", "utf-8", id="utf-8-bom"),
    pytest.param("gb18030", "gb18030", "gb18030", id="gb18030"),
    pytest.param("auto", "utf-8", "utf-8", id="auto-utf-8"),
    pytest.param("auto", "utf-8-sig", "utf-8", id="auto-utf-8-bom"),
    pytest.param("auto", "gb18030", "gb18030", id="auto-gb18030"),
    pytest.param("auto", "utf-16", "utf-16-le", id="auto-utf-16-bom"),
    pytest.param("utf-8", "utf-16", "utf-16-le", id="utf-16-bom-beats-declared"),
]
LINE_FORMATS = {"jsonl": jsonl_file, "csv": delimited(","), "tsv": delimited("\t")}


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(("declared", "written", "codec"), ENCODINGS)
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "tsv"])
def test_record_formats_round_trip_in_every_encoding(
    tmp_path: Path, fmt: str, declared: str, written: str, codec: str, *, compressed: bool
) -> None:
    build = LINE_FORMATS.get(fmt, json_file)
    content = build(DOCS).encode(written)
    name = f"a.{fmt}" + (".gz" if compressed else "")
    write(tmp_path, name, gzip.compress(content) if compressed else content)
    source = text_source("data/*", format=fmt, encoding=declared, fields=FIELDS)
    result = ingest_source(source, root=tmp_path, ingested_at=NOW)
    assert result.removed.is_empty(), result.removed["detail"].to_list()
    assert result.kept["text"].to_list() == DOCS
    assert result.kept["source_key"].to_list() == ["d0", "d1", "d2"]
    assert result.stats[f"encoding.{codec}"] == 1.0


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(("declared", "written", "codec"), ENCODINGS)
def test_plain_text_documents_round_trip_in_every_encoding(
    tmp_path: Path, declared: str, written: str, codec: str, *, compressed: bool
) -> None:
    content = "\n".join(DOCS).encode(written)
    write(tmp_path, "a.txt.gz" if compressed else "a.txt", gzip.compress(content) if compressed else content)
    result = ingest_source(
        text_source("data/*", format="txt", encoding=declared, fields={}), root=tmp_path, ingested_at=NOW
    )
    assert result.kept["text"].to_list() == ["\n".join(DOCS)]
    assert result.kept["source_key"].to_list() == ["data/a.txt.gz" if compressed else "data/a.txt"]
    assert result.stats[f"encoding.{codec}"] == 1.0


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(("declared", "written", "codec"), ENCODINGS)
def test_html_pages_round_trip_in_every_encoding(
    tmp_path: Path, declared: str, written: str, codec: str, *, compressed: bool
) -> None:
    content = html_file(DOCS, charset=written.removesuffix("-sig")).encode(written)
    write(tmp_path, "a.html.gz" if compressed else "a.html", gzip.compress(content) if compressed else content)
    result = ingest_source(
        text_source("data/*", format="html", encoding=declared, fields={}), root=tmp_path, ingested_at=NOW
    )
    assert result.removed.is_empty(), result.removed["detail"].to_list()
    assert result.kept["text"].item().splitlines() == DOCS
    assert result.stats[f"encoding.{codec}"] == 1.0


def test_auto_honours_an_html_meta_charset(tmp_path: Path) -> None:
    """A short GBK page the detector could take for Big5 is read as its <meta> declares."""
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=GB2312"></head><body><p>贵州</p></body></html>'
    write(tmp_path, "a.html", page.encode("gb18030"))
    result = ingest_source(
        text_source("data/*", format="html", encoding="auto", fields={}), root=tmp_path, ingested_at=NOW
    )
    assert result.kept["text"].to_list() == ["贵州"]
    assert result.stats["encoding.gb18030"] == 1.0


def test_declared_encoding_ignores_a_contrary_meta_charset(tmp_path: Path) -> None:
    """Only auto listens to the page; a declared utf-8 source quarantines a GBK page instead of guessing."""
    page = '<html><head><meta charset="gbk"></head><body><p>贵州的山水</p></body></html>'
    write(tmp_path, "a.html", page.encode("gbk"))
    result = ingest_source(
        text_source("data/*", format="html", encoding="utf-8", fields={}), root=tmp_path, ingested_at=NOW
    )
    assert reasons(result.removed) == {"data/a.html": "quarantined:ingest_undecodable"}


def test_mixed_encodings_in_one_file_are_decoded_line_by_line_under_auto(tmp_path: Path) -> None:
    lines = [json.dumps({"content": doc}, ensure_ascii=False) for doc in DOCS * 4]
    content = b"\n".join(line.encode("gb18030" if i % 2 else "utf-8") for i, line in enumerate(lines))
    write(tmp_path, "a.jsonl", content)
    result = ingest_source(text_source(encoding="auto", fields={"text": "content"}), root=tmp_path, ingested_at=NOW)
    assert result.kept["text"].to_list() == DOCS * 4
    assert result.stats["decoded.utf-8"] == 6.0
    assert result.stats["decoded.gb18030"] == 6.0


def test_a_declared_encoding_is_strict_per_line(tmp_path: Path) -> None:
    content = "\n".join(jsonl_file(DOCS).splitlines()[:2]).encode() + b"\n" + jsonl_file(DOCS[2:]).encode("gb18030")
    write(tmp_path, "a.jsonl", content)
    result = ingest_source(text_source(encoding="utf-8", fields=FIELDS), root=tmp_path, ingested_at=NOW)
    assert result.kept["text"].to_list() == DOCS[:2]
    assert reasons(result.removed) == {"data/a.jsonl:3": "quarantined:ingest_undecodable"}
    assert "not utf-8: invalid start byte at byte" in result.removed["detail"].item()


def test_the_confidence_threshold_decides_whether_the_detection_is_used(tmp_path: Path) -> None:
    big5 = "\n".join(
        json.dumps({"content": f"臺灣省第{i}號公路沿線風景優美，遊客絡繹不絕。"}, ensure_ascii=False) for i in range(20)
    )
    write(tmp_path, "a.jsonl", big5.encode("big5"))
    trusting = ingest_source(
        text_source(encoding="auto", fields={"text": "content"}, encoding_confidence=0.5),
        root=tmp_path,
        ingested_at=NOW,
    )
    assert trusting.stats["encoding.big5"] == 1.0
    assert trusting.kept["text"][0] == "臺灣省第0號公路沿線風景優美，遊客絡繹不絕。"
    doubting = ingest_source(
        text_source(encoding="auto", fields={"text": "content"}, encoding_confidence=1.0),
        root=tmp_path,
        ingested_at=NOW,
    )
    assert doubting.stats["encoding.utf-8+gb18030"] == 1.0


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        ("utf-8", "贵州省气象台发布天气预报。\n".encode() * 5, ("utf-8", 1.0)),
        ("utf-8 cut mid-character", "贵州省气象台发布天气预报。".encode()[:-1], ("utf-8", 1.0)),
        ("gb18030 csv", "站号,日期,气温,备注\n57816,2026-11-01,12.5,晴\n".encode("gb18030") * 3, ("gb18030", 1.0)),
        ("nothing", b"", (None, 0.0)),
    ],
)
def test_detect(title: str, head: bytes, expected: tuple[str | None, float]) -> None:
    assert detect(head) == expected


def test_small_samples_are_trusted_less() -> None:
    codec, confidence = detect("贵州\n".encode("gb18030"))
    assert codec == "gb18030"
    assert confidence == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("x-gbk", "gb18030"),
        ("UTF8", "utf-8"),
        ("utf-16", "utf-8"),
        ("big5", "big5"),
        ("base64", None),
        ("nonsense", None),
    ],
)
def test_charset_labels(label: str, codec: str | None) -> None:
    assert codec_for_label(label) == codec


def test_a_bom_decides_even_over_a_declared_encoding() -> None:
    assert file_encoding(b"\xef\xbb\xbfabc", encoding="gb18030", confidence=0.8).codecs == ("utf-8",)
    assert file_encoding(b"\xfe\xff\x00a", encoding="auto", confidence=0.8).codecs == ("utf-16-be",)


def test_utf16_files_split_lines_on_two_byte_newlines(tmp_path: Path) -> None:
    """The byte 0x0A inside a UTF-16 character (U+0A0A, U+4E0A 上) is not a line break."""
    docs = ["上海\u0a0a", "下\r"]
    content = jsonl_file(docs).replace("\n", "\r\n").encode("utf-16-be")
    write(tmp_path, "a.jsonl", b"\xfe\xff" + content)
    result = ingest_source(text_source(encoding="auto", fields=FIELDS), root=tmp_path, ingested_at=NOW)
    assert result.kept["text"].to_list() == docs
    assert accounted_keys(result) == ["d0", "d1"]


def test_a_truncated_utf16_file_quarantines_the_odd_byte(tmp_path: Path) -> None:
    content = ("\ufeff" + jsonl_file(DOCS)).encode("utf-16-le")[:-1]
    write(tmp_path, "a.jsonl", content)
    result = ingest_source(text_source(encoding="auto", fields={"text": "content"}), root=tmp_path, ingested_at=NOW)
    assert accounted_keys(result) == line_keys("a.jsonl", 3)
    assert reasons(result.removed) == {"data/a.jsonl:3": "quarantined:ingest_undecodable"}
