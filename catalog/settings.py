"""Where things live: one place resolves the warehouse and catalog roots so every entry point agrees.

Precedence is the same for both: an explicit argument (a CLI flag), then the environment, then a
default relative to the working directory (DESIGN §3 and §6).
"""

import os
from pathlib import Path

WAREHOUSE_ENV = "HQDATA_WAREHOUSE"
CATALOG_ROOT_ENV = "HQDATA_CATALOG_ROOT"


def _resolve(explicit: str | Path | None, env: str, default: str) -> Path:
    value = explicit if explicit is not None else os.environ.get(env) or default
    return Path(value).expanduser()


def resolve_warehouse(explicit: str | Path | None = None) -> Path:
    """The warehouse root: ``explicit``, else ``$HQDATA_WAREHOUSE``, else ``./warehouse``."""
    return _resolve(explicit, WAREHOUSE_ENV, "warehouse")


def resolve_catalog_root(explicit: str | Path | None = None) -> Path:
    """The catalog root: ``explicit``, else ``$HQDATA_CATALOG_ROOT``, else ``./examples``."""
    return _resolve(explicit, CATALOG_ROOT_ENV, "examples")
