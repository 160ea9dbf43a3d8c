"""Values shared by the tests and their fixtures (conftest.py holds only fixtures)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.build import BuildResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUN_DATE = "2026-11-23"  # grants are checked against this date, so results do not depend on the clock


@dataclass(frozen=True)
class DemoBuild:
    root: Path
    warehouse: Path
    truth: dict
    results: dict[str, BuildResult]


NOW = datetime(2026, 11, 23, tzinfo=UTC)


def text_records(*texts: str) -> pl.DataFrame:
    """Ingested text records (DESIGN §4 provenance columns) with the given texts, for stage tests."""
    n = len(texts)
    return pl.DataFrame(
        schema={
            "id": pl.String,
            "text": pl.String,
            "source_id": pl.String,
            "source_key": pl.String,
            "grant_id": pl.String,
            "source_uri": pl.String,
            "original_time": pl.Datetime("us", "UTC"),
            "ingested_at": pl.Datetime("us", "UTC"),
            "content_sha256": pl.String,
        },
        data={
            "id": [f"r{i}" for i in range(n)],
            "text": list(texts),
            "source_id": ["s"] * n,
            "source_key": [f"k{i}" for i in range(n)],
            "grant_id": ["G-1"] * n,
            "source_uri": ["file.jsonl"] * n,
            "original_time": [NOW] * n,
            "ingested_at": [NOW] * n,
            "content_sha256": [""] * n,
        },
    )
