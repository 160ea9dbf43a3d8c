"""Ingest: read a declared, authorised source into canonical records and quarantine rows."""

from datetime import datetime
from pathlib import Path

from catalog.models import Source
from pipelines.ingest.files import source_files
from pipelines.ingest.provenance import Quarantine
from pipelines.ingest.table import read_table_files
from pipelines.ingest.text import read_text_files, text_frame
from pipelines.stage import StageResult


def ingest_source(source: Source, *, root: Path, ingested_at: datetime) -> StageResult:
    """Every input record ends up in ``kept`` or, with a reason, in ``removed``.

    The caller must have passed the authorisation gate for this source first.
    """
    paths = source_files(source, root=root)
    quarantine = Quarantine(source_id=source.id, root=root)
    if source.kind == "text":
        kept = text_frame(
            read_text_files(paths, source=source, quarantine=quarantine), source=source, ingested_at=ingested_at
        )
    else:
        kept = read_table_files(paths, source=source, quarantine=quarantine, ingested_at=ingested_at)
    removed = quarantine.frame()
    stats = {
        "files": float(len(paths)),
        "ingested": float(kept.height + removed.height),
        "quarantined": float(removed.height),
    }
    return StageResult(kept=kept, removed=removed, stats=stats)
