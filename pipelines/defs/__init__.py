"""Dagster wiring for a catalog root: assets, checks, jobs and the resource."""

from pathlib import Path

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition  # not re-exported

from catalog.loader import Catalog, load_catalog
from pipelines.defs.assets import catalog_assets, dagster_name, dataset_key
from pipelines.defs.checks import grant_check, quarantine_check
from pipelines.defs.resources import HqdataResource


def dataset_job_name(name: str) -> str:
    return f"build_{dagster_name(name)}"


def dataset_job(name: str) -> UnresolvedAssetJobDefinition:
    """Everything needed to publish one dataset, its sources included."""
    return dg.define_asset_job(
        dataset_job_name(name),
        selection=dg.AssetSelection.keys(dataset_key("published", name)).upstream(),
        description=f"Ingest, clean, dedup, assess and publish {name}.",
    )


def build_definitions(*, catalog_root: Path, warehouse: Path, run_date: str | None = None) -> dg.Definitions:
    catalog: Catalog = load_catalog(catalog_root)
    sources = [catalog.sources[s] for s in sorted(catalog.sources)]
    return dg.Definitions(
        assets=catalog_assets(catalog),
        asset_checks=[check for s in sources for check in (grant_check(s), quarantine_check(s))],
        jobs=[dataset_job(name) for name in sorted(catalog.datasets)],
        resources={
            "hqdata": HqdataResource(
                catalog_root=str(catalog.root), warehouse_root=str(warehouse.resolve()), run_date=run_date
            )
        },
    )
