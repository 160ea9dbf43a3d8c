"""Finding a source's files and reading them as numbered raw lines, gzip or not."""

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from catalog.errors import DeclarationError
from catalog.models import Source


class TruncatedFile(Exception):
    """A compressed file ended early; the lines read before it still count."""


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


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, raw_bytes)`` without the line ending, 1-based.

    A damaged gzip stream raises ``TruncatedFile`` after the readable lines were yielded, so the
    caller can quarantine the rest with a reason instead of losing the file silently.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip(b"\n").rstrip(b"\r")
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise TruncatedFile(f"compressed stream is damaged ({err})") from err
