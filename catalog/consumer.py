"""The consumer API: how model trainers list, open and inspect published datasets (DESIGN §2).

    from catalog import consumer as hq
    docs = hq.open("tourism-zh-corpus", min_quality=0.6).collect()

Every function takes ``warehouse`` (default: ``$HQDATA_WAREHOUSE``, else ``./warehouse``) and reads only
committed versions, through the files their manifest lists. ``open`` shadows the builtin inside this
module on purpose: files are read with ``Path`` methods.
"""

import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.dataset as pads

from catalog.errors import SchemaMismatchError, WarehouseError
from catalog.settings import resolve_warehouse
from catalog.warehouse import LEDGER, QUALITY_DIR, Warehouse

__all__ = ["datasets", "ledger", "open", "open_arrow", "report", "versions"]

QUALITY_COLUMN = "quality_score"


def _warehouse(warehouse: str | Path | None) -> Warehouse:
    return Warehouse(resolve_warehouse(warehouse))


def _data_paths(name: str, version: str, warehouse: str | Path | None) -> tuple[str, list[Path]]:
    """The concrete version and its data parts, as committed (a stray file in data/ is never read)."""
    wh = _warehouse(warehouse)
    manifest = wh.manifest(name, version)
    version_dir = wh.root / name / manifest.version
    return manifest.version, [version_dir / rel for rel in manifest.data_files()]


def _check_min_quality(min_quality: float, columns: list[str], name: str, version: str) -> None:
    if not 0 <= min_quality <= 1:
        raise ValueError(f"min_quality {min_quality} is outside [0, 1]; {QUALITY_COLUMN} is a fraction, e.g. 0.6")
    if QUALITY_COLUMN not in columns:
        raise SchemaMismatchError(
            f"{name} {version} has no {QUALITY_COLUMN} column, so min_quality cannot filter it "
            f"(table datasets carry no per-record score); drop min_quality. Columns: {', '.join(columns)}"
        )


def open(
    name: str, version: str = "latest", *, min_quality: float | None = None, warehouse: str | Path | None = None
) -> pl.LazyFrame:
    """Scan a version's records lazily; ``min_quality`` keeps records with ``quality_score >= min_quality``.

    Row order is not guaranteed (polars' streaming engine); sort by ``id`` where it matters.
    """
    resolved, paths = _data_paths(name, version, warehouse)
    frame = pl.scan_parquet(paths)
    if min_quality is None:
        return frame
    _check_min_quality(min_quality, frame.collect_schema().names(), name, resolved)
    return frame.filter(pl.col(QUALITY_COLUMN) >= min_quality)


def open_arrow(
    name: str, version: str = "latest", *, min_quality: float | None = None, warehouse: str | Path | None = None
) -> pads.Dataset:
    """The same records as a pyarrow dataset, for torch/HF loaders and other Arrow consumers."""
    resolved, paths = _data_paths(name, version, warehouse)
    dataset = pads.dataset([str(p) for p in paths], format="parquet")
    if min_quality is None:
        return dataset
    _check_min_quality(min_quality, dataset.schema.names, name, resolved)
    return dataset.filter(pads.field(QUALITY_COLUMN) >= min_quality)


def versions(name: str, *, warehouse: str | Path | None = None) -> list[str]:
    """Committed versions, oldest first; an unknown name raises with the datasets that exist."""
    wh = _warehouse(warehouse)
    wh.resolve(name)
    return wh.versions(name)


def datasets(*, warehouse: str | Path | None = None) -> list[str]:
    """Datasets with at least one committed version."""
    return _warehouse(warehouse).datasets()


def report(name: str, version: str = "latest", *, warehouse: str | Path | None = None) -> dict[str, Any]:
    """The version's quality report (``quality/report.json``, DESIGN §7), parsed."""
    path = _warehouse(warehouse).version_dir(name, version) / QUALITY_DIR / "report.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise WarehouseError(f"{path} cannot be read ({err}); Warehouse.verify lists what was damaged") from err


def ledger(name: str, version: str = "latest", *, warehouse: str | Path | None = None) -> pl.LazyFrame:
    """The version's ledger: one final outcome per input record (DESIGN §5)."""
    return pl.scan_parquet(_warehouse(warehouse).version_dir(name, version) / LEDGER)
