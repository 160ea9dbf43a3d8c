"""Bytes to lines: chunk boundaries never change the lines, offsets point at them, and long lines stay bounded."""

import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.files import TruncatedFile, iter_chunks, read_whole, split_lines


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def expected_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n") or not text:
        lines = lines[:-1]
    return [line.removesuffix("\r") for line in lines]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(st.sampled_from(["a", "中", "\n", "\r", "\u0a0a", "\u0d0a", "𠮷"]), max_size=40),
    codec=st.sampled_from(["utf-8", "utf-16-le", "utf-16-be"]),
    chunk=st.integers(min_value=1, max_value=9),
    limit=st.integers(min_value=0, max_value=12),
)
def test_lines_do_not_depend_on_chunk_boundaries(text: str, codec: str, chunk: int, limit: int) -> None:
    data = text.encode(codec)
    newline, cr = "\n".encode(codec), "\r".encode(codec)
    lines = list(split_lines(chunked(data, chunk), limit=limit, newline=newline, cr=cr))
    expected = expected_lines(text)
    assert [line.number for line in lines] == list(range(1, len(expected) + 1))
    for line, want in zip(lines, expected, strict=True):
        raw = want.encode(codec)
        assert line.size in (len(raw), len(raw) + len(cr))
        assert data[line.offset : line.offset + len(line.data)] == line.data
        if len(raw) <= limit:
            assert line.data == raw
            assert line.size == len(raw)
        else:
            assert line.size > limit
            assert limit < len(line.data) <= limit + len(cr) + 1


def test_a_long_line_keeps_only_its_head() -> None:
    lines = list(split_lines([b"x" * 5000, b"y" * 5000 + b"\nshort"], limit=10))
    assert [(line.data, line.size, line.offset) for line in lines] == [(b"x" * 12, 10_000, 0), (b"short", 5, 10_001)]


def test_read_whole_measures_without_holding() -> None:
    assert read_whole([b"abc", b"defg"], limit=4) == (b"abcde", 7)


def test_gzip_members_and_padding_are_read_and_damage_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(b"one\n") + b"\0" * 3 + gzip.compress(b"two\n") + b"\0" * 8)
    assert b"".join(iter_chunks(path)) == b"one\ntwo\n"
    path.write_bytes(gzip.compress(b"one\n" * 1000)[:-20])
    with pytest.raises(TruncatedFile, match="ends early"):
        b"".join(iter_chunks(path))
    path.write_bytes(b"not gzip at all")
    with pytest.raises(TruncatedFile, match="damaged"):
        b"".join(iter_chunks(path))


def test_a_gzip_bomb_is_inflated_a_chunk_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    path.write_bytes(compressor.compress(b"\0" * 50_000_000) + compressor.flush())
    assert max(len(chunk) for chunk in iter_chunks(path)) <= 1 << 20
