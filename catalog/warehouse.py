"""The warehouse: immutable, versioned releases of datasets on a local filesystem (DESIGN §6, a contract).

Layout: ``<root>/<dataset>/<version>/`` holds ``data/part-*.parquet``, ``ledger.parquet``, ``quality/*`` and
``manifest.json``; ``<root>/<dataset>/latest`` names the newest version. Names under ``<root>`` or
``<root>/<dataset>`` that start with ``.`` or ``_`` are never datasets or versions (staging, locks, refusals).

Commit protocol. ``begin`` claims ``vN`` with ``os.mkdir``, which is atomic, so two publishers never share a
number. Every file is written under a temporary dot-name, fsynced and renamed into place. ``commit`` fsyncs
the version's directories, then writes ``manifest.json`` the same way: that rename is the single commit
point, so a version exists if and only if its manifest does. The ``latest`` pointer is replaced afterwards
for outside readers; ``Warehouse.latest`` is derived from the manifests, so a crash between the two renames
still reads as the new state. A crashed draft is a directory without a manifest: invisible, and its number
is not reused (version numbers may have gaps; ``parent_version`` gives the chain). Commits of one dataset
are serialised by a lock file and happen in numeric order.
"""

import fcntl
import importlib.metadata
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Literal, Self

import polars as pl
from pydantic import ValidationError

from catalog.atomic import fsync, place_bytes, place_parquet
from catalog.errors import SchemaMismatchError, WarehouseError, closest
from catalog.manifest import DATA_DIR, MANIFEST, Manifest, describe_file, sha256_file, version_files
from catalog.records import LEDGER_SCHEMA

LEDGER = "ledger.parquet"
LATEST = "latest"
QUALITY_DIR = "quality"
REFUSED_DIR = ".refused"
_LOCK = ".lock"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # the dataset slug of catalog.models
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_VERSION = re.compile(r"^v([1-9][0-9]*)$")


_RESERVED = frozenset(field.alias or name for name, field in Manifest.model_fields.items())


def _code_version() -> str:
    try:
        return importlib.metadata.version("hqdata")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _check_name(value: str, pattern: re.Pattern[str], what: str) -> None:
    """Names become path components: refuse anything that could escape the warehouse or look hidden."""
    if not pattern.fullmatch(value):
        raise WarehouseError(f"{what} {value!r} is not a valid name; expected to match {pattern.pattern}")


def _inside(base: Path, relpath: str) -> Path:
    rel = PurePosixPath(relpath)
    if rel.is_absolute() or not rel.parts or any(part == ".." or part.startswith(".") for part in rel.parts):
        raise WarehouseError(f"{relpath!r} is not a relative path inside the version; use e.g. 'quality/report.json'")
    return base.joinpath(*rel.parts)


def _did_you_mean(name: str, choices: list[str]) -> list[str]:
    close = closest(name, choices)
    return [f"did you mean {close!r}?"] if close else []


def _numbered_dirs(dataset_dir: Path) -> list[tuple[int, Path]]:
    """Version directories, committed or not, in numeric order (v2 before v10)."""
    if not dataset_dir.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in dataset_dir.iterdir() if (m := _VERSION.fullmatch(p.name)) and p.is_dir()]
    return sorted(found)


@contextmanager
def _locked(dataset_dir: Path) -> Iterator[None]:
    """Serialise commits of one dataset (threads and processes) so parent and pointer never race."""
    with (dataset_dir / _LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class VersionDraft:
    """A version being written: invisible to readers until ``commit`` writes its manifest."""

    def __init__(self, warehouse: "Warehouse", dataset: str, version: str, *, run_id: str) -> None:
        self.warehouse = warehouse
        self.dataset = dataset
        self.version = version
        self.run_id = run_id
        self.path = warehouse.root / dataset / version
        self._parts = 0
        self._schema: pl.Schema | None = None
        self._state: Literal["open", "committed", "aborted"] = "open"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Leaving the block without a commit, by error or not, leaves no draft behind."""
        if self._state == "open":
            self.abort()

    def _check_open(self) -> None:
        if self._state != "open":
            raise WarehouseError(f"{self.dataset} {self.version} is {self._state}; versions are never modified")

    def _kv(self) -> dict[str, str]:
        return {"hqdata.dataset": self.dataset, "hqdata.version": self.version}

    def write_data(self, frame: pl.DataFrame, *, metadata: dict[str, str], rows_per_file: int = 1_000_000) -> list[str]:
        """Write ``frame`` as the next ``data/part-NNNNN.parquet`` files; returns their relative paths."""
        self._check_open()
        if rows_per_file < 1:
            raise ValueError(f"rows_per_file must be at least 1, got {rows_per_file}")
        if self._schema is not None and frame.schema != self._schema:
            raise SchemaMismatchError(
                f"{self.dataset} {self.version}: data written earlier has schema {dict(self._schema)}, "
                f"this frame has {dict(frame.schema)}; cast to one schema before writing"
            )
        self._schema = frame.schema
        (self.path / DATA_DIR).mkdir(exist_ok=True)
        kv = {**metadata, **self._kv()}
        written = []
        for start in range(0, max(frame.height, 1), rows_per_file):
            rel = f"{DATA_DIR}/part-{self._parts:05d}.parquet"
            place_parquet(self.path / rel, frame.slice(start, rows_per_file).to_arrow(), kv)
            self._parts += 1
            written.append(rel)
        return written

    def write_ledger(self, frame: pl.DataFrame) -> None:
        """Write ``ledger.parquet``: one final outcome per input record (DESIGN §5)."""
        self._check_open()
        missing = [c for c in LEDGER_SCHEMA if c not in frame.columns]
        if missing:
            raise SchemaMismatchError(
                f"{self.dataset} {self.version}: the ledger lacks columns {missing}; "
                f"it must carry {list(LEDGER_SCHEMA)} (see catalog.records.LEDGER_SCHEMA)"
            )
        place_parquet(self.path / LEDGER, frame.to_arrow(), self._kv())

    def write_file(self, relpath: str, content: str | bytes) -> None:
        """Write another file of the version, e.g. ``quality/report.json`` (str is written as UTF-8)."""
        self._check_open()
        target = _inside(self.path, relpath)
        if relpath in (MANIFEST, LEDGER) or PurePosixPath(relpath).parts[0] == DATA_DIR:
            raise WarehouseError(f"{relpath!r} is written by commit, write_ledger or write_data, not write_file")
        target.parent.mkdir(parents=True, exist_ok=True)
        place_bytes(target, content)

    def commit(
        self, *, summary: dict[str, Any], schema: dict[str, str] | None = None, extra: dict[str, Any] | None = None
    ) -> Manifest:
        """Make the version exist: write its manifest last, then move ``latest``.

        Versions commit in numeric order, so ``parent_version`` (the latest before) is always the previous
        committed version; a draft overtaken by a newer commit is refused and should be aborted.
        """
        self._check_open()
        if self._schema is None:
            raise WarehouseError(f"{self.dataset} {self.version}: no data written; call write_data before commit")
        if not (self.path / LEDGER).is_file():
            raise WarehouseError(f"{self.dataset} {self.version}: no ledger; call write_ledger before commit")
        clash = sorted(_RESERVED & set(extra or {}))
        if clash:
            raise WarehouseError(f"extra fields {clash} would overwrite the manifest's own; rename them")
        on_disk = version_files(self.path)
        files = [describe_file(rel, path) for rel, path in on_disk]
        dirs = {self.path, *(path.parent for _, path in on_disk)}
        for directory in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
            fsync(directory)
        dataset_dir = self.path.parent
        with _locked(dataset_dir):
            parent = self.warehouse.latest(self.dataset)
            if parent is not None and int(parent[1:]) > int(self.version[1:]):
                raise WarehouseError(
                    f"{self.dataset} {parent} was committed while {self.version} was being written; versions "
                    f"commit in order, so abort {self.version} and rebuild on top of {parent}"
                )
            manifest = Manifest(
                dataset=self.dataset,
                version=self.version,
                parent_version=parent,
                run_id=self.run_id,
                created_at=datetime.now(UTC),
                code_version=_code_version(),
                schema=schema if schema is not None else {c: str(t) for c, t in self._schema.items()},
                row_count=sum(f.rows or 0 for f in files if f.path.startswith(f"{DATA_DIR}/")),
                summary=summary,
                files=files,
                **(extra or {}),
            )
            place_bytes(self.path / MANIFEST, manifest.model_dump_json(by_alias=True, indent=2))
            self._state = "committed"
            place_bytes(dataset_dir / LATEST, f"{self.version}\n")
        return manifest

    def abort(self) -> None:
        """Remove the draft; its number may be claimed again."""
        if self._state == "committed":
            raise WarehouseError(f"{self.dataset} {self.version} is committed; versions are never modified")
        shutil.rmtree(self.path, ignore_errors=True)
        self._state = "aborted"


class Warehouse:
    """Publishes versions (``begin`` → ``VersionDraft``) and reads committed ones."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def begin(self, dataset: str, *, run_id: str) -> VersionDraft:
        """Claim the next version number of ``dataset`` atomically and return its draft."""
        _check_name(dataset, _NAME, "dataset")
        dataset_dir = self.root / dataset
        dataset_dir.mkdir(parents=True, exist_ok=True)
        number = max((n for n, _ in _numbered_dirs(dataset_dir)), default=0) + 1
        while True:
            try:
                os.mkdir(dataset_dir / f"v{number}")
            except FileExistsError:
                number += 1
            else:
                return VersionDraft(self, dataset, f"v{number}", run_id=run_id)

    def write_refused(self, dataset: str, run_id: str, files: dict[str, str | bytes]) -> Path:
        """Keep a refused attempt's report (publishing was refused, the report still exists)."""
        _check_name(dataset, _NAME, "dataset")
        _check_name(run_id, _RUN_ID, "run id")
        report_dir = self.root / dataset / REFUSED_DIR / run_id / QUALITY_DIR
        for relpath, content in files.items():
            target = _inside(report_dir, relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            place_bytes(target, content)
        return report_dir

    def datasets(self) -> list[str]:
        """Datasets with at least one committed version."""
        if not self.root.is_dir():
            return []
        names = (p.name for p in self.root.iterdir() if p.is_dir() and _NAME.fullmatch(p.name))
        return sorted(name for name in names if self.versions(name))

    def versions(self, dataset: str) -> list[str]:
        """Committed versions in numeric order; empty for an unknown dataset."""
        if not _NAME.fullmatch(dataset):
            return []
        return [p.name for _, p in _numbered_dirs(self.root / dataset) if (p / MANIFEST).is_file()]

    def latest(self, dataset: str) -> str | None:
        """The newest committed version, or None.

        Derived from the manifests rather than read from the ``latest`` file, which may lag behind by
        one commit after a crash (or be missing, or name a deleted version).
        """
        found = self.versions(dataset)
        return found[-1] if found else None

    def resolve(self, dataset: str, version: str = "latest") -> str:
        """The committed version ``version`` names (``latest`` or ``vN``); WarehouseError lists what exists."""
        found = self.versions(dataset)
        if not found:
            raise WarehouseError(self._unknown_dataset(dataset))
        if version == "latest":
            return found[-1]
        if version in found:
            return version
        draft = "exists but is not committed (a draft in progress or an aborted run)"
        status = draft if _VERSION.fullmatch(version) and (self.root / dataset / version).is_dir() else "does not exist"
        spelled = f"v{version.lower().removeprefix('v')}"  # "2" or "V2" for "v2"
        hint = [f"did you mean {spelled!r}?"] if spelled in found else _did_you_mean(version, found)
        parts = [f"dataset {dataset!r}: version {version!r} {status}", *hint]
        parts.append(f"versions: {', '.join(found)} (latest {found[-1]}); pass one of them or 'latest'")
        raise WarehouseError("; ".join(parts))

    def _unknown_dataset(self, dataset: str) -> str:
        if not self.root.is_dir():
            return f"warehouse {self.root} does not exist; pass --warehouse DIR or set HQDATA_WAREHOUSE"
        existing = self.datasets()
        if (self.root / dataset).is_dir():
            head = f"dataset {dataset!r} has no committed version in {self.root} yet"
        else:
            head = f"no dataset {dataset!r} in warehouse {self.root}"
        if not existing:
            return f"{head}; the warehouse has no published datasets: build one with `hqdata build DATASET`"
        return "; ".join([head, *_did_you_mean(dataset, existing), f"datasets: {', '.join(existing)}"])

    def version_dir(self, dataset: str, version: str = "latest") -> Path:
        return self.root / dataset / self.resolve(dataset, version)

    def manifest(self, dataset: str, version: str = "latest") -> Manifest:
        path = self.version_dir(dataset, version) / MANIFEST
        try:
            return Manifest.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as err:
            raise WarehouseError(f"{path} cannot be read ({err}); the version is damaged: restore it") from err

    def verify(self, dataset: str, version: str = "latest") -> list[str]:
        """Problems with a committed version's files (missing, altered, unlisted); empty means intact."""
        manifest = self.manifest(dataset, version)
        version_dir = self.root / dataset / manifest.version
        problems = []
        for entry in manifest.files:
            path = version_dir / entry.path
            if not path.is_file():
                problems.append(f"{entry.path}: missing")
            elif (size := path.stat().st_size) != entry.size:
                problems.append(f"{entry.path}: size {size} differs from {entry.size} in the manifest")
            elif (digest := sha256_file(path)) != entry.sha256:
                problems.append(f"{entry.path}: sha256 {digest} differs from {entry.sha256} in the manifest")
        listed = {entry.path for entry in manifest.files}
        problems += [f"{rel}: not in the manifest" for rel, _ in version_files(version_dir) if rel not in listed]
        return problems
