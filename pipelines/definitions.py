"""The code location `dagster dev` loads: the catalog root and warehouse from the environment."""

from catalog.settings import resolve_catalog_root, resolve_warehouse
from pipelines.defs import build_definitions

defs = build_definitions(catalog_root=resolve_catalog_root(), warehouse=resolve_warehouse())
