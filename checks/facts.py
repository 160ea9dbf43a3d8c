"""Everything the assessment of one release needs, gathered by the pipeline in one value.

Metrics, scores, gates and the report are pure functions of ``ReleaseFacts``: the pipeline does
the I/O and the expensive scans (suite run, PII re-scan, harmful-content check), and the checks
package only reads what it is given.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from catalog.models import CatalogSettings, Dataset, Source
from checks.expectations import SuiteResult


@dataclass(frozen=True)
class ReleaseFacts:
    """The inputs of one release assessment; ``None`` marks what was not evaluated."""

    dataset: Dataset
    sources: list[Source]
    run_date: date
    run_id: str
    version: str | None  # None until a version is claimed: the pipeline assesses before it commits
    records: pl.DataFrame  # the candidate published records
    ledger: pl.DataFrame  # the full ledger (LEDGER_SCHEMA), published rows included
    suite: SuiteResult
    unmasked_valid_pii: int  # checksum-valid resident IDs / bank cards still in published text
    harmful_hits: int | Mapping[str, int] | None  # total, or per source_id; None = not evaluated
    stage_stats: Mapping[str, Mapping[str, float]]  # stage -> counter -> value
    previous: dict[str, Any] | None  # the previous version's report.json, for deltas
    size_target: int | None = None  # records the dataset should reach (TC609 0302 scale)
    settings: CatalogSettings = CatalogSettings()  # the operator and environment grants must name

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)
