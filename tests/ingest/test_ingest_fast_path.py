"""The fast path (blocks parsed whole by polars) gives exactly what the line-by-line path gives.

Files are generated with hypothesis — valid records, records of every kind ingest quarantines,
look-alikes that trip up one parser but not the other — and read with tiny blocks, so that
blocks are declined, halved and read line by line in every combination. Kept records,
quarantine rows (reasons and messages) and counters must all be equal.
"""

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from catalog.models import Source
from pipelines.ingest import Tuning, ingest_source
from pipelines.ingest.reading import FAST_LINES
from tests.ingest.ingest_helpers import NOW, table_source, text_source, write

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LIMIT = 120  # max_record_bytes, small so that blocks are small and some records are too large
SLOW = Tuning(fast=False)
CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
TEXTS = st.one_of(
    st.text(CHARACTERS, max_size=20),
    st.text(st.sampled_from("贵州旅游黄果树瀑布。，！ \t　"), max_size=40),
)
SCALARS = st.one_of(TEXTS, st.integers(-(10**20), 10**20), st.none(), st.booleans())


@st.composite
def json_lines(draw: st.DrawFn) -> bytes:
    record = {
        key: value
        for key, value in {
            "doc_id": draw(st.one_of(TEXTS, st.integers(0, 10**6))),
            "content": draw(st.one_of(TEXTS, TEXTS, SCALARS, st.just({"nested": "x"}))),
            "published_at": draw(st.sampled_from(["2026-11-01 08:00", "2026-11-01T08:00:00+08:00", "", "昨天"])),
            "url": draw(st.one_of(st.just("https://x.cn/1"), TEXTS)),
            "extra": draw(
                st.one_of(st.none(), st.just({"content": "nested key"}), st.lists(st.integers(), max_size=2))
            ),
        }.items()
        if draw(st.integers(0, 9)) > 0  # now and then a field is missing
    }
    line = json.dumps(record, ensure_ascii=draw(st.booleans()))
    return draw(
        st.sampled_from(
            [
                line,
                line,
                line,
                line.replace('"content"', '"content": "first", "content"', 1),
                line.replace('"content"', '"cont\\u0065nt"', 1),
                line[: len(line) // 2],
                "",
                "   ",
                "[1, 2]",
                '{"content": "a\\ud800"}',
                '{"content": "😀 \\ud83d\\ude00"}',
                '{"content": "tab\there"}',
                '{"content": "bell\x07"}',
                '{"content": "\\u0001\\u0002\\u0003x"}',
                '{"content": NaN}',
                '{"content": "x"} trailing',
            ]
        )
    ).encode()


def read_both(source: Source, root: Path, tuning: Tuning) -> None:
    fast = ingest_source(source, root=root, ingested_at=NOW, tuning=tuning)
    slow = ingest_source(source, root=root, ingested_at=NOW, tuning=SLOW)
    assert_frame_equal(fast.kept, slow.kept)
    assert_frame_equal(fast.removed.sort("record_id"), slow.removed.sort("record_id"))  # their order is no contract
    assert {k: v for k, v in fast.stats.items() if k != FAST_LINES} == slow.stats


TUNINGS = st.builds(
    Tuning, block_bytes=st.integers(LIMIT + 2, 2_000), min_block_bytes=st.sampled_from([0, 64, 400, 10_000])
)


@SETTINGS
@example(  # the offset after a line too long for a block counts its CR: a quarantined line names its byte
    lines=[b"{}", b'{"content": "' + b"x" * 120 + b'"}', b'{"content": "' + b"y" * 120 + b'"}'],
    encoding="utf-8",
    crlf=True,
    tuning=Tuning(block_bytes=122, min_block_bytes=0),
)
@given(
    lines=st.lists(json_lines(), max_size=40),
    encoding=st.sampled_from(["utf-8", "gb18030", "auto"]),
    crlf=st.booleans(),
    tuning=TUNINGS,
)
def test_jsonl_fast_path_matches_line_by_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], encoding: str, *, crlf: bool, tuning: Tuning
) -> None:
    root = tmp_path_factory.mktemp("jsonl")
    content = (b"\r\n" if crlf else b"\n").join(lines)
    if encoding == "gb18030":
        content = content.decode("utf-8").encode("gb18030")
    write(root, "a.jsonl", content)
    read_both(text_source("data/*", encoding=encoding, max_record_bytes=LIMIT), root, tuning)


CELLS = st.one_of(
    st.sampled_from(["S001", "S002", "2026-11-01", "2026-13-01", "12.5", "-3", "abc", "", " ", "N/A", "备注", "晴"]),
    st.text(st.sampled_from('贵阳遵义,"\t .-0123'), max_size=8),
)


@SETTINGS
@example(  # a line of delimiters only is blank to the csv path when the delimiter is a tab
    rows=[["S001", "S001", "S001"], ["", "", "\t"]],
    blank=[],
    encoding="utf-8",
    delimiter="\t",
    null_values=[""],
    tuning=Tuning(block_bytes=122, min_block_bytes=0),
)
@given(
    rows=st.lists(st.lists(CELLS, min_size=3, max_size=5), max_size=40),
    blank=st.lists(st.integers(0, 40), max_size=3),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
    delimiter=st.sampled_from([",", "\t", "|"]),
    null_values=st.sampled_from([[""], ["", "N/A"]]),
    tuning=TUNINGS,
)
def test_csv_fast_path_matches_line_by_line(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str]],
    blank: list[int],
    encoding: str,
    delimiter: str,
    null_values: list[str],
    tuning: Tuning,
) -> None:
    root = tmp_path_factory.mktemp("csv")
    lines = [delimiter.join(["站号", "日期", "气温", "备注"]), *(delimiter.join(row) for row in rows)]
    for at in blank:
        lines.insert(1 + min(at, len(lines) - 1), "")  # after the header
    write(root, "a.csv", "\n".join(lines).encode(encoding))
    csv = {"delimiter": delimiter, "null_values": null_values}
    read_both(table_source(encoding, csv=csv, max_record_bytes=LIMIT), root, tuning)


@SETTINGS
@given(lines=st.lists(TEXTS, max_size=40), encoding=st.sampled_from(["utf-8", "gb18030"]), tuning=TUNINGS)
def test_text_lines_fast_path_matches_line_by_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], encoding: str, tuning: Tuning
) -> None:
    root = tmp_path_factory.mktemp("txt")
    write(root, "a.txt", "\n".join(lines).encode(encoding, errors="replace"))
    source = text_source("data/*", format="txt", fields={}, document_per="line", encoding=encoding)
    read_both(source.model_copy(update={"max_record_bytes": LIMIT}), root, tuning)


def test_a_clean_file_is_parsed_in_blocks(tmp_path: Path) -> None:
    """The fast path is really taken: a clean file decodes block by block, not line by line."""
    records = [{"doc_id": f"d{i}", "content": f"第{i}篇。", "url": f"https://x.cn/{i}"} for i in range(1000)]
    write(tmp_path, "a.jsonl", b"\n".join(json.dumps(r, ensure_ascii=False).encode() for r in records))
    result = ingest_source(text_source(), root=tmp_path, ingested_at=NOW, tuning=Tuning(block_bytes=1 << 20))
    assert result.kept.height == 1000
    assert result.stats[FAST_LINES] == 1000
    assert result.kept["source_key"].to_list() == [f"d{i}" for i in range(1000)]
    assert result.kept.filter(pl.col("source_key") == "d999")["source_uri"].item() == "https://x.cn/999"
