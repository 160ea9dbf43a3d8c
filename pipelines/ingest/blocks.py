"""Cutting a line-oriented byte stream into blocks of whole lines, so a format can parse a block at once.

Parsing a block with polars is what makes ingest fast; cutting at line breaks keeps line numbers
exact. A line too long to fit a block is over ``max_record_bytes`` by construction, so it is
streamed through as a ``Line`` holding only its head, and memory stays bounded by the block size.
Only byte-oriented encodings come here: in UTF-8, GB18030 and Big5 the byte 0x0A is always a
line feed, never part of another character.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pipelines.ingest.files import Line, TruncatedFile, line_at, split_lines

BLOCK_BYTES = 32 << 20


@dataclass(frozen=True)
class Block:
    """Whole lines of a file; the last one may lack its line feed (at the end of the file)."""

    data: bytes
    first: int  # number of the first line, 1-based
    offset: int  # of the first byte in the (decompressed) file
    lines: int = field(init=False)

    def __post_init__(self) -> None:
        newlines = self.data.count(b"\n")
        object.__setattr__(self, "lines", newlines + (0 if self.data.endswith(b"\n") or not self.data else 1))

    def halves(self) -> tuple["Block", "Block"] | None:
        """The block cut at a line break near its middle, or None for a single line."""
        middle = len(self.data) // 2
        cut = self.data.rfind(b"\n", 0, middle)
        if cut < 0:
            cut = self.data.find(b"\n", middle)
        if cut < 0 or cut == len(self.data) - 1:
            return None
        head = Block(self.data[: cut + 1], first=self.first, offset=self.offset)
        tail = Block(self.data[cut + 1 :], first=self.first + head.lines, offset=self.offset + cut + 1)
        return head, tail

    def split(self, *, limit: int) -> Iterator[Line]:
        """The block's lines one at a time, for the line-by-line path."""
        return split_lines([self.data], limit=limit, start=self.offset, first=self.first)


def blocks(chunks: Iterable[bytes], *, limit: int, size: int = BLOCK_BYTES, start: int = 0) -> Iterator[Block | Line]:
    """Blocks of about ``size`` bytes cut after a line feed, and any line longer than a block on its own.

    ``start`` is the offset of the first chunk's first byte (after a byte-order mark). A damaged
    compressed stream yields the whole lines read before it, then raises ``TruncatedFile`` naming
    the first line that could not be read.
    """
    size = max(size, limit + 2)  # a line that does not fit in a block is over the limit, CR included
    stream = iter(chunks)
    parts: list[bytes] = []
    held = 0
    number, offset = 1, start
    try:
        for chunk in stream:
            parts.append(chunk)
            held += len(chunk)
            if held < size:
                continue
            data = b"".join(parts)
            parts, held = [], 0  # until the loop ends, ``data`` holds what is not yet yielded
            while len(data) >= size:
                cut = data.rfind(b"\n", 0, size)
                if cut < 0:
                    line, data, offset = line_at(data, stream, limit=limit, number=number, offset=offset)
                    yield line
                    number += 1
                    continue
                block = Block(data[: cut + 1], first=number, offset=offset)
                yield block
                number, offset = number + block.lines, offset + cut + 1
                data = data[cut + 1 :]
            parts, held = [data], len(data)
    except TruncatedFile as err:
        data = b"".join(parts)
        cut = data.rfind(b"\n")  # a line cut off by the damage is not a record: it is the damage
        if cut >= 0:
            block = Block(data[: cut + 1], first=number, offset=offset)
            yield block
            number += block.lines
        raise TruncatedFile(str(err), line=number) from err
    data = b"".join(parts)
    if data:
        yield Block(data, first=number, offset=offset)
