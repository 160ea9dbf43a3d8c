"""Publishing a release: assess it, then commit a new version only if nothing blocks it.

The quality report is written either way: into the new version when it is published, or under
``<dataset>/.refused/<run_id>/`` when a blocking expectation or a hard gate (the ledger's balance
and a non-empty release among them) refuses it.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from catalog.loader import Catalog
from catalog.models import Dataset
from catalog.warehouse import Warehouse
from checks.expectations import run_suite
from checks.facts import ReleaseFacts
from checks.report import QualityReport, build_report, render_html
from checks.suites import builtin_expectations, suite_expectations
from pipelines.reasons import Outcome, Stage
from pipelines.stage import ledger_rows
from pipelines.staging import Staged
from pipelines.text.pii import count_unmasked_valid


@dataclass(frozen=True)
class PublishOutcome:
    report: QualityReport
    version: str | None
    report_dir: Path

    @property
    def published(self) -> bool:
        return self.version is not None


def final_ledger(upstream: Staged) -> pl.DataFrame:
    published = ledger_rows(upstream.records, stage=Stage.PUBLISH, kind=Outcome.PUBLISHED)
    return pl.concat([upstream.ledger, published], how="vertical")


def unmasked_pii(dataset: Dataset, records: pl.DataFrame) -> int:
    """Checksum-valid ID and bank-card numbers left in any published text column (a hard gate)."""
    columns = ["text"] if dataset.kind == "text" else [c for c, t in records.schema.items() if t == pl.String]
    return sum(count_unmasked_valid(records[c].drop_nulls()) for c in columns if c in records.columns)


def publish_release(
    catalog: Catalog, dataset: Dataset, upstream: Staged, *, run_date: date, run_id: str, warehouse: Warehouse
) -> PublishOutcome:
    sources = catalog.sources_of(dataset)
    records = upstream.records
    suite = run_suite(
        records,
        [*builtin_expectations(dataset, sources), *suite_expectations(dataset, catalog.suites)],
        suite_name=dataset.name,
    )
    ledger = final_ledger(upstream)
    facts = ReleaseFacts(
        dataset=dataset,
        sources=sources,
        run_date=run_date,
        run_id=run_id,
        version=None,
        records=records,
        ledger=ledger,
        suite=suite,
        unmasked_valid_pii=unmasked_pii(dataset, records),
        harmful_hits=None,
        stage_stats=upstream.stats,
        previous=_previous_report(warehouse, dataset.name),
        settings=catalog.settings,
    )
    report = build_report(facts)
    if report.decision != "published":
        files = {"report.json": report.to_json(), "report.html": render_html(report)}
        return PublishOutcome(report, None, warehouse.write_refused(dataset.name, run_id, files))
    with warehouse.begin(dataset.name, run_id=run_id) as draft:
        report = report.model_copy(update={"version": draft.version})
        score = report.summary.get("overall")
        draft.write_data(
            records,
            metadata={
                "hqdata.quality_score": "" if score is None else f"{score:.2f}",
                "hqdata.grade": str(report.summary.get("grade")),
            },
        )
        draft.write_ledger(ledger)
        draft.write_file("quality/report.json", report.to_json())
        draft.write_file("quality/report.html", render_html(report))
        draft.commit(summary=report.summary)
    return PublishOutcome(report, draft.version, draft.path / "quality")


def _previous_report(warehouse: Warehouse, dataset: str) -> dict | None:
    version = warehouse.latest(dataset)
    if version is None:
        return None
    path = warehouse.version_dir(dataset, version) / "quality" / "report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
