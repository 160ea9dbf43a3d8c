"""Ingest: read a declared, authorised source into canonical records and quarantine rows."""

from datetime import datetime
from pathlib import Path

from catalog.models import Source
from pipelines.ingest.context import IngestContext
from pipelines.ingest.files import source_files
from pipelines.ingest.provenance import Quarantine
from pipelines.ingest.rows import read_rows
from pipelines.ingest.table import table_frame
from pipelines.ingest.text import text_frame, text_records
from pipelines.stage import StageResult


def ingest_source(source: Source, *, root: Path, ingested_at: datetime) -> StageResult:
    """Every input record ends up in ``kept`` or, with a reason, in ``removed``.

    The caller must have passed the authorisation gate for this source first. Besides the
    counts, the stats say which encoding each file was settled on (``encoding.<codec>``, in
    files; under ``auto`` without a confident detection, the fallback chain such as
    ``encoding.utf-8+gb18030``) and which codec decoded each line or document
    (``decoded.<codec>``), so a mixed-encoding file shows up in the report.
    """
    paths = source_files(source, root=root)
    ctx = IngestContext(source=source, quarantine=Quarantine(source_id=source.id, root=root))
    rows = read_rows(paths, ctx=ctx)
    if source.kind == "text":
        kept = text_frame(text_records(rows, ctx=ctx), source=source, ingested_at=ingested_at)
    else:
        kept = table_frame(rows, ctx=ctx, ingested_at=ingested_at)
    removed = ctx.quarantine.frame()
    stats = {
        "files": float(len(paths)),
        "ingested": float(kept.height + removed.height),
        "quarantined": float(removed.height),
        **{name: float(count) for name, count in sorted(ctx.counts.items())},
    }
    return StageResult(kept=kept, removed=removed, stats=stats)
