"""Parquet records, read in batches so a file larger than memory streams through.

Parquet stores typed, already-decoded values, so encodings do not apply; a file pyarrow cannot
open is one quarantined record, and damage found mid-file quarantines the rest of it.
"""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import reasons
from pipelines.ingest.context import IngestContext, Row
from pipelines.ingest.files import TruncatedFile, iter_chunks, read_whole

BATCH_ROWS = 10_000


def parquet_rows(path: Path, *, ctx: IngestContext) -> Iterator[Row]:
    limit = ctx.source.max_record_bytes
    number = 0
    try:
        for batch in _open(path, ctx=ctx).iter_batches(batch_size=BATCH_ROWS):
            for fields in batch.to_pylist():
                number += 1
                raw = json.dumps(fields, ensure_ascii=False, default=str)
                size = len(raw.encode("utf-8"))
                if size > limit:
                    ctx.reject(path, number, reasons.INGEST_TOO_LARGE, f"{size} bytes > max_record_bytes={limit}", raw)
                    continue
                yield Row(path=path, line=number, fields=fields, raw=raw)
    except (pa.ArrowException, OSError, TruncatedFile, _TooLarge) as err:
        where = None if number == 0 else number + 1
        reason = reasons.INGEST_TOO_LARGE if isinstance(err, _TooLarge) else reasons.INGEST_UNDECODABLE
        rest = "the file" if where is None else "the rest of the file"
        ctx.reject(path, where, reason, f"{rest} is unreadable as Parquet ({err})")


class _TooLarge(Exception):
    """A gzip-compressed Parquet file must be held in memory whole, and this one is over max_file_bytes."""


def _open(path: Path, *, ctx: IngestContext) -> pq.ParquetFile:
    if path.suffix != ".gz":
        return pq.ParquetFile(path)
    limit = ctx.source.max_file_bytes
    data, size = read_whole(iter_chunks(path), limit=limit)
    if size > limit:
        raise _TooLarge(f"{size} bytes decompressed > max_file_bytes={limit}")
    return pq.ParquetFile(io.BytesIO(data))
