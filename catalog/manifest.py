"""The manifest of a committed version (DESIGN §6): its files with size, sha256 and rows, and its provenance."""

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

MANIFEST = "manifest.json"
DATA_DIR = "data"


class ManifestFile(BaseModel):
    """One file of a version, as committed: enough to detect a missing, truncated or altered file."""

    model_config = ConfigDict(extra="allow", frozen=True)

    path: str = Field(description="POSIX path relative to the version directory.")
    size: int
    sha256: str
    rows: int | None = Field(default=None, description="Row count of a Parquet file; None otherwise.")


class Manifest(BaseModel):
    """What a committed version holds and where it came from; unknown fields survive a round trip."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    dataset: str
    version: str
    parent_version: str | None
    run_id: str
    created_at: datetime
    code_version: str
    schema_: dict[str, str] = Field(alias="schema", description="Column -> polars dtype.")
    row_count: int
    summary: dict[str, Any]
    files: list[ManifestFile]

    def data_files(self) -> list[str]:
        """The Parquet parts of the dataset itself (not the ledger), relative to the version directory."""
        return [f.path for f in self.files if f.path.startswith(f"{DATA_DIR}/") and f.path.endswith(".parquet")]


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def version_files(version_dir: Path) -> list[tuple[str, Path]]:
    """Every file of a version but its manifest; dot-names are temporaries of an interrupted write."""
    found = []
    for path in version_dir.rglob("*"):
        rel = path.relative_to(version_dir)
        if path.is_file() and rel.as_posix() != MANIFEST and not any(p.startswith(".") for p in rel.parts):
            found.append((rel.as_posix(), path))
    return sorted(found)


def describe_file(rel: str, path: Path) -> ManifestFile:
    rows = pq.read_metadata(path).num_rows if path.suffix == ".parquet" else None
    return ManifestFile(path=rel, size=path.stat().st_size, sha256=sha256_file(path), rows=rows)
