"""Building datasets in-process through Dagster, for the CLI, the demo and the tests.

A build is a run of the dataset's job on the local instance (``$DAGSTER_HOME``) when one is
configured, so CLI runs appear in the UI, or on an ephemeral instance otherwise.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg

from catalog.warehouse import Warehouse
from pipelines.defs import build_definitions, dataset_job_name

Status = Literal["published", "refused"]


@dataclass(frozen=True)
class BuildResult:
    dataset: str
    status: Status
    run_id: str
    version: str | None = None
    score: float | None = None
    grade: str | None = None
    rows: int | None = None
    report: Path | None = None
    reasons: tuple[str, ...] = ()


def local_instance() -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if home and (Path(home) / "dagster.yaml").exists():
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def build_dataset(
    name: str,
    *,
    catalog_root: Path,
    warehouse: Path,
    run_date: str | None = None,
    instance: dg.DagsterInstance | None = None,
    log_level: str = "CRITICAL",
) -> BuildResult:
    """Run the dataset's job; the full event log stays in the instance, the console shows errors only."""
    defs = build_definitions(catalog_root=catalog_root, warehouse=warehouse, run_date=run_date)
    job = defs.resolve_job_def(dataset_job_name(name))
    result = job.execute_in_process(
        instance=instance or local_instance(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    if result.success:
        return _published(name, Warehouse(warehouse), result.run_id)
    return _refused(name, Warehouse(warehouse), result)


def _published(name: str, warehouse: Warehouse, run_id: str) -> BuildResult:
    manifest = warehouse.manifest(name, "latest")
    summary = manifest.summary
    return BuildResult(
        dataset=name,
        status="published",
        run_id=run_id,
        version=manifest.version,
        score=summary.get("overall"),
        grade=summary.get("grade"),
        rows=manifest.row_count,
        report=warehouse.version_dir(name, manifest.version) / "quality" / "report.html",
    )


def _refused(name: str, warehouse: Warehouse, result: dg.ExecuteInProcessResult) -> BuildResult:
    """Why the run did not publish: a refused gate (with its report) or a failed step."""
    reasons = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.STEP_FAILURE:
            continue
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            reasons.append(data.user_failure_data.description)
        elif data.error is not None:
            reasons.append(data.error.message.strip())
    report_dir = warehouse.root / name / ".refused" / result.run_id / "quality"
    if (report_dir / "report.json").exists():
        reasons = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))["refusal_reasons"]
    return BuildResult(
        dataset=name,
        status="refused",
        run_id=result.run_id,
        report=report_dir / "report.html" if report_dir.exists() else None,
        reasons=tuple(reasons),
    )
