"""What every format reader shares: the source, where bad records go, and the counters for the stats."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.models import Source
from pipelines.ingest.blocks import BLOCK_BYTES
from pipelines.ingest.provenance import Quarantine


@dataclass(frozen=True)
class Tuning:
    """How files are cut for parsing; tests shrink the blocks to drive both paths through small files."""

    block_bytes: int = BLOCK_BYTES
    min_block_bytes: int = 256 << 10  # a declined block this small is read line by line
    fast: bool = True  # parse clean blocks whole with polars; off, every line takes the line-by-line path


@dataclass
class IngestContext:
    """One source being read: readers quarantine into it and count what they decoded."""

    source: Source
    quarantine: Quarantine
    counts: Counter[str] = field(default_factory=Counter)
    headers: list[str | None] = field(default_factory=list)  # per CSV file with a header: why it is unusable, or None
    tuning: Tuning = Tuning()

    def reject(self, path: Path, line: int | str | None, reason: str, message: str, raw: bytes | str = b"") -> None:
        self.quarantine.add(path=path, line=line, reason=reason, message=message, raw=raw)


@dataclass(frozen=True)
class Row:
    """One record as a format reader found it, before its fields are mapped onto canonical columns."""

    path: Path
    line: int | str | None  # line or row number, ``#index`` in a JSON array, None for a whole-file document
    fields: dict[str, Any]
    raw: str  # what the quarantine excerpt shows if the record is rejected later
