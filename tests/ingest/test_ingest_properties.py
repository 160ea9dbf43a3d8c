"""Generated files — random bytes, truncated gzip, mixed encodings, wrong delimiters — never crash ingest,
and every input record ends kept or quarantined exactly once, by a count made independently of ingest."""

import gzip
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import ingest_source
from tests.ingest.ingest_helpers import (
    NOW,
    accounted_keys,
    assert_no_replacement_characters,
    line_keys,
    physical_lines,
    table_source,
    text_source,
    write,
)

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Characters a document may hold: no controls, no surrogates, no U+FFFD (which would make
# "never U+FFFD" untestable).
CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffd")
TEXTS = st.text(CHARACTERS, max_size=30)
RANDOM_LINES = st.lists(st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")), max_size=25)


def json_line(text: str) -> bytes:
    return json.dumps({"content": text}, ensure_ascii=False).encode()


LINES = st.lists(
    st.one_of(
        st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
        TEXTS.map(json_line),
        TEXTS.map(lambda t: json_line(t).decode().encode("gb18030")),
        st.sampled_from([b"", b"   ", b"{", b"[1]", b'{"content": null}', b'{"content": "\\u0000"}', b"\x00\x01\x02"]),
    ),
    max_size=25,
)


@SETTINGS
@given(
    lines=LINES,
    encoding=st.sampled_from(["utf-8", "gb18030", "auto"]),
    crlf=st.booleans(),
    compressed=st.booleans(),
    cut=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
)
def test_jsonl_lines_are_each_accounted_for_once(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    encoding: str,
    *,
    crlf: bool,
    compressed: bool,
    cut: int | None,
) -> None:
    root = tmp_path_factory.mktemp("jsonl")
    content = (b"\r\n" if crlf else b"\n").join(lines)
    data = gzip.compress(content) if compressed else content
    truncated = compressed and cut is not None and cut < len(data)
    write(root, "a.jsonl.gz" if compressed else "a.jsonl", data[:cut] if truncated else data)
    name = "a.jsonl.gz" if compressed else "a.jsonl"
    result = ingest_source(
        text_source("data/*", encoding=encoding, fields={"text": "content"}), root=root, ingested_at=NOW
    )
    keys = accounted_keys(result)
    if truncated:
        assert keys == line_keys(name, len(keys))
        assert len(keys) <= physical_lines(content) + 1
        last = result.removed.filter(pl.col("source_key") == f"data/{name}:{len(keys)}")
        assert "compressed stream" in last["detail"].item()
    else:
        assert keys == line_keys(name, physical_lines(content))
    assert_no_replacement_characters(result)


@SETTINGS
@given(lines=st.lists(st.tuples(TEXTS, st.sampled_from(["utf-8", "gb18030"])), min_size=1, max_size=20))
def test_mixed_encodings_in_one_file_under_auto(
    tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str]]
) -> None:
    root = tmp_path_factory.mktemp("mixed")
    write(root, "a.jsonl", b"\n".join(json_line(text).decode().encode(codec) for text, codec in lines))
    result = ingest_source(text_source(encoding="auto", fields={"text": "content"}), root=root, ingested_at=NOW)
    assert accounted_keys(result) == line_keys("a.jsonl", len(lines))
    kept = dict(zip(result.kept["source_key"], result.kept["text"], strict=True))
    for number, (text, codec) in enumerate(lines, start=1):
        if codec == "utf-8" and text.strip():
            assert kept[f"data/a.jsonl:{number}"] == text  # valid UTF-8 is always read as UTF-8
    assert_no_replacement_characters(result)


@SETTINGS
@given(
    content=st.binary(max_size=400),
    fmt=st.sampled_from(["txt", "html", "json", "parquet"]),
    encoding=st.sampled_from(["utf-8", "gb18030", "auto"]),
    compressed=st.booleans(),
)
def test_random_bytes_as_a_whole_file_format(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, fmt: str, encoding: str, *, compressed: bool
) -> None:
    root = tmp_path_factory.mktemp("whole")
    name = f"a.{fmt}" + (".gz" if compressed else "")
    write(root, name, gzip.compress(content) if compressed else content)
    fields = {} if fmt in ("txt", "html") else {"text": "content"}
    result = ingest_source(
        text_source("data/*", format=fmt, encoding=encoding, fields=fields), root=root, ingested_at=NOW
    )
    keys = accounted_keys(result)
    if fmt == "json" and len(keys) != 1:
        assert keys == sorted(f"data/{name}:#{i}" for i in range(len(keys)))
        assert len(json.loads(content)) == len(keys)
    elif fmt != "parquet" or keys:
        assert keys == [f"data/{name}"]
    assert_no_replacement_characters(result)


ELEMENTS = st.lists(
    st.one_of(
        TEXTS.map(lambda t: {"content": t}),
        st.fixed_dictionaries({"title": TEXTS}),
        st.one_of(st.integers(), TEXTS, st.none(), st.lists(st.integers(), max_size=2)),
    ),
    max_size=15,
)


@SETTINGS
@given(elements=ELEMENTS, cut=st.one_of(st.none(), st.integers(min_value=0, max_value=300)), gb=st.booleans())
def test_json_arrays_count_each_element_or_the_broken_file_once(
    tmp_path_factory: pytest.TempPathFactory, elements: list[object], cut: int | None, *, gb: bool
) -> None:
    root = tmp_path_factory.mktemp("json")
    text = json.dumps(elements, ensure_ascii=False, indent=1)
    text = text[:cut] if cut is not None else text
    write(root, "a.json", text.encode("gb18030" if gb else "utf-8"))
    result = ingest_source(
        text_source("data/*", format="json", encoding="auto", fields={"text": "content"}), root=root, ingested_at=NOW
    )
    try:
        expected = [f"data/a.json:#{i}" for i in range(len(json.loads(text)))]
    except ValueError:
        expected = ["data/a.json"]
    if not text.strip():
        expected = ["data/a.json"]
    assert accounted_keys(result) == sorted(expected)
    assert_no_replacement_characters(result)


CELLS = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8)


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(st.lists(CELLS, min_size=1, max_size=6), st.sampled_from([",", ";", "\t", "|"])), max_size=20
    ),
    header_delimiter=st.sampled_from([",", ";"]),
    null_values=st.lists(st.sampled_from(["", "NULL", "N/A", "-"]), max_size=3),
)
def test_csv_with_wrong_delimiters_is_accounted_line_by_line(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[list[str], str]],
    header_delimiter: str,
    null_values: list[str],
) -> None:
    root = tmp_path_factory.mktemp("csv")
    write(root, "good.csv", "站号,日期,气温,备注\n57816,2026-11-01,12.5,晴\n".encode("gb18030"))
    header = header_delimiter.join(["站号", "日期", "气温", "备注"])
    content = "\n".join([header, *(delimiter.join(cells) for cells, delimiter in rows)]).encode("gb18030")
    write(root, "odd.csv", content)
    result = ingest_source(table_source(csv={"null_values": null_values}), root=root, ingested_at=NOW)
    expected = line_keys("good.csv", 1, first=2) + line_keys("odd.csv", physical_lines(content) - 1, first=2)
    assert accounted_keys(result) == sorted(expected)
