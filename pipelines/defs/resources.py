"""The one resource every hqdata asset uses: where the catalog and warehouse are, and the run date."""

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from catalog.loader import Catalog, load_catalog
from catalog.warehouse import Warehouse
from pipelines.staging import StagingStore


class HqdataResource(dg.ConfigurableResource):
    """Paths and the business date; assets get everything else from the catalog.

    The catalog is re-read on each call so edits to declarations apply to the next run
    without restarting ``dagster dev``.
    """

    catalog_root: str
    warehouse_root: str
    run_date: str | None = None  # ISO date grants are checked against; default: today in the catalog's timezone

    def catalog(self) -> Catalog:
        return load_catalog(self.catalog_root)

    def today(self, catalog: Catalog) -> date:
        return date.fromisoformat(self.run_date) if self.run_date else catalog.today()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def warehouse(self) -> Warehouse:
        return Warehouse(Path(self.warehouse_root))

    def staging(self) -> StagingStore:
        return StagingStore(Path(self.warehouse_root) / ".staging")
