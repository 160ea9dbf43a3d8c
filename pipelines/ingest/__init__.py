"""Ingest: read a declared, authorised source into canonical records and quarantine rows.

Records stream through in batches (a block of lines parsed whole, or up to ``BATCH_ROWS``
records read one at a time), so a source larger than memory is read with bounded memory.
"""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl

from catalog.models import Source
from pipelines.ingest.context import IngestContext, Tuning
from pipelines.ingest.files import source_files
from pipelines.ingest.provenance import Quarantine
from pipelines.ingest.reading import Batch
from pipelines.ingest.rows import read_batches
from pipelines.ingest.table import raw_table_frame, table_frame
from pipelines.ingest.text import raw_text_frame, text_frame
from pipelines.stage import StageResult

__all__ = ["SourceIngest", "Tuning", "ingest_source"]


class SourceIngest:
    """One pass over a source's files: iterate ``batches()``, then read ``stats``.

    The caller must have passed the authorisation gate for this source first. Besides the
    counts, the stats say which encoding each file was settled on (``encoding.<codec>``, in
    files; under ``auto`` without a confident detection, the fallback chain such as
    ``encoding.utf-8+gb18030``) and which codec decoded each line or document
    (``decoded.<codec>``), so a mixed-encoding file shows up in the report.
    """

    def __init__(
        self,
        source: Source,
        *,
        root: Path,
        ingested_at: datetime,
        files: list[Path] | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        self.source = source
        self.files = files if files is not None else source_files(source, root=root)
        self.ingested_at = ingested_at
        self.ctx = IngestContext(
            source=source, quarantine=Quarantine(source_id=source.id, root=root), tuning=tuning or Tuning()
        )
        self.kept = 0
        self.quarantined = 0
        self._seen_keys: set[str] = set()

    def batches(self) -> Iterator[StageResult]:
        """Each batch's records with provenance, and the quarantine rows found while reading it.

        At least one batch comes out, so an empty source still gives frames with the right schema.
        """
        empty = True
        for batch in read_batches(self.files, ctx=self.ctx):
            yield self._result(batch)
            empty = False
        if empty or self.ctx.quarantine.rows:
            yield self._result([])

    @property
    def stats(self) -> dict[str, float]:
        return {
            "files": float(len(self.files)),
            "ingested": float(self.kept + self.quarantined),
            "quarantined": float(self.quarantined),
            **{name: float(count) for name, count in sorted(self.ctx.counts.items())},
        }

    def _result(self, batch: Batch) -> StageResult:
        kept = self._records(batch)
        removed = self.ctx.quarantine.drain()
        self.kept += kept.height
        self.quarantined += removed.height
        return StageResult(kept=kept, removed=removed)

    def _records(self, batch: Batch) -> pl.DataFrame:
        if self.source.kind == "text":
            raw = raw_text_frame(batch, ctx=self.ctx)
            return text_frame(raw, source=self.source, ingested_at=self.ingested_at, seen=self._seen_keys)
        return table_frame(raw_table_frame(batch, ctx=self.ctx), ctx=self.ctx, ingested_at=self.ingested_at)


def ingest_source(
    source: Source, *, root: Path, ingested_at: datetime, files: list[Path] | None = None, tuning: Tuning | None = None
) -> StageResult:
    """The whole source in memory: every input record ends up in ``kept`` or, with a reason, in ``removed``."""
    run = SourceIngest(source, root=root, ingested_at=ingested_at, files=files, tuning=tuning)
    parts = list(run.batches())
    return StageResult(
        kept=pl.concat([p.kept for p in parts], how="vertical"),
        removed=pl.concat([p.removed for p in parts], how="vertical"),
        stats=run.stats,
    )
