"""Finding a source's files and reading their bytes: in chunks, as bounded lines, or whole.

Nothing here holds more than one chunk plus the head of one record, so a 10 MB line, or a
file larger than memory, costs a bounded amount of memory.
"""

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalog.errors import DeclarationError
from catalog.models import Source

CHUNK_BYTES = 1 << 20
_GZIP_WBITS = zlib.MAX_WBITS | 16  # zlib reads the gzip header and trailer itself


class TruncatedFile(Exception):
    """A compressed file ended early or is damaged; the records read before it still count.

    ``line`` is the number of the first line that could not be read, where the reader knows it.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Line:
    """One physical line, without its line ending."""

    number: int  # 1-based
    offset: int  # of the line's first byte in the (decompressed) file
    data: bytes  # the whole line, or only its head when it is longer than the limit
    size: int  # the line's full length in bytes (without the CR, when the whole line was kept)


def source_files(source: Source, *, root: Path) -> list[Path]:
    """The files a source's ``location`` names (a path, a directory or a glob), sorted for determinism."""
    location = source.location
    if "://" in location:
        raise DeclarationError(
            f"source {source.id}: location {location!r} is a URI; only local paths and globs are read so far — "
            "copy the files into the catalog root"
        )
    base = Path(location) if Path(location).is_absolute() else root / location
    if base.is_dir():
        files = sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith("."))
    elif any(ch in location for ch in "*?["):
        anchor = Path("/") if Path(location).is_absolute() else root
        files = sorted(p for p in anchor.glob(location.lstrip("/")) if p.is_file())
    else:
        files = [base] if base.is_file() else []
    if not files:
        raise DeclarationError(
            f"source {source.id}: location {location!r} matches no file under {root}; fix the path or glob"
        )
    return files


def iter_chunks(path: Path, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The file's bytes in chunks of at most ``size`` bytes, decompressed when it ends in ``.gz``.

    A damaged or truncated gzip stream raises ``TruncatedFile`` after every byte that could be
    decompressed was yielded, so the caller keeps those records and quarantines the rest with a
    reason instead of losing the file silently.
    """
    with path.open("rb") as handle:
        if path.suffix == ".gz":
            yield from _gunzip(handle, size)
        else:
            while chunk := handle.read(size):
                yield chunk


def _gunzip(handle: BinaryIO, size: int) -> Iterator[bytes]:
    """Decompress gzip members one after another, never producing more than a chunk at once (no zip bombs)."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    started = False
    data = b""
    try:
        while data or (data := handle.read(size)):
            if not started:
                data = data.lstrip(b"\0")  # zero padding between or after members, which gzip tools accept
                if not data:
                    continue
            started = True
            if out := inflater.decompress(data, size):
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                data, inflater, started = inflater.unused_data, zlib.decompressobj(_GZIP_WBITS), False
        if out := inflater.flush():
            yield out
    except zlib.error as err:
        raise TruncatedFile(f"compressed stream is damaged ({err})") from err
    if started and not inflater.eof:
        raise TruncatedFile("compressed stream ends early (truncated file)")


def split_lines(
    chunks: Iterable[bytes],
    *,
    limit: int,
    newline: bytes = b"\n",
    cr: bytes = b"\r",
    start: int = 0,
    first: int = 1,
) -> Iterator[Line]:
    """Cut a byte stream into lines, keeping only the head of a line longer than ``limit`` bytes.

    ``newline`` and ``cr`` are the line-feed and carriage-return code units of the file's
    encoding; for UTF-16 they are two bytes and only matched at even offsets within a line.
    ``start`` is the offset of the first chunk's first byte (after a byte-order mark) and
    ``first`` the number of its first line.
    """
    width = len(newline)
    keep = limit + len(cr) + 1  # enough to tell a line of exactly ``limit`` bytes plus CR from a longer one
    kept = bytearray()
    size = 0
    number, offset = first, start
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        pos = 0
        while (end := _find_aligned(data, newline, pos)) >= 0:
            piece = data[pos:end]
            kept += piece[: max(keep - len(kept), 0)]
            size += len(piece)
            yield _line(number, offset, kept, size, cr=cr)
            offset += size + width
            number += 1
            kept, size = bytearray(), 0
            pos = end + width
        usable = len(data) - (len(data) - pos) % width  # an odd byte waits for the rest of its code unit
        piece = data[pos:usable]
        kept += piece[: max(keep - len(kept), 0)]
        size += len(piece)
        pending = data[usable:]
    size += len(pending)
    kept += pending[: max(keep - len(kept), 0)]
    if size:
        yield _line(number, offset, kept, size, cr=cr)


def line_at(head: bytes, rest: Iterator[bytes], *, limit: int, number: int, offset: int) -> tuple[Line, bytes, int]:
    """The line that starts ``head`` and may go on in ``rest``, the bytes after its line feed, and the
    offset those bytes start at.

    Only the line's head is kept, so a line of any length costs ``limit`` bytes of memory;
    ``rest`` is consumed up to the chunk holding the line feed.
    """
    keep = limit + 2
    kept = bytearray()
    size = 0
    data: bytes | None = head
    while data is not None:
        end = data.find(b"\n")
        piece = data if end < 0 else data[:end]
        kept += piece[: max(keep - len(kept), 0)]
        size += len(piece)
        if end >= 0:
            return _line(number, offset, kept, size, cr=b"\r"), data[end + 1 :], offset + size + 1
        data = next(rest, None)
    return _line(number, offset, kept, size, cr=b"\r"), b"", offset + size


def _find_aligned(data: bytes, newline: bytes, pos: int) -> int:
    """The first ``newline`` at or after ``pos`` that starts on a code-unit boundary, or -1."""
    end = data.find(newline, pos)
    while end >= 0 and (end - pos) % len(newline):
        end = data.find(newline, end + 1)
    return end


def _line(number: int, offset: int, kept: bytearray, size: int, *, cr: bytes) -> Line:
    data = bytes(kept)
    if len(data) == size and data.endswith(cr):
        data = data[: -len(cr)]
        size -= len(cr)
    return Line(number=number, offset=offset, data=data, size=size)


def read_whole(chunks: Iterable[bytes], *, limit: int) -> tuple[bytes, int]:
    """The first ``limit + 1`` bytes of a stream and its full size, so an oversized file is measured, not held."""
    kept = bytearray()
    size = 0
    for chunk in chunks:
        if len(kept) <= limit:
            kept += chunk[: limit + 1 - len(kept)]
        size += len(chunk)
    return bytes(kept), size
