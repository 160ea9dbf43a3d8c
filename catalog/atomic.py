"""Writing a file so a reader sees either the old content or all of the new, even across a crash."""

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def place(target: Path, write: Callable[[Path], object]) -> None:
    """Write ``target`` through ``write(tmp_path)`` so readers see the old file or the whole new one."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        fsync(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync(target.parent)


def place_bytes(target: Path, content: str | bytes) -> None:
    data = content.encode() if isinstance(content, str) else content
    place(target, lambda tmp: tmp.write_bytes(data))


def place_parquet(target: Path, table: pa.Table, metadata: dict[str, str]) -> None:
    table = table.replace_schema_metadata(metadata)
    place(target, lambda tmp: pq.write_table(table, tmp, compression="zstd", write_statistics=True))
