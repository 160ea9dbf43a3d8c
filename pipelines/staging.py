"""Intermediate results between stages, kept inside the domain under ``<warehouse>/.staging``.

Each stage output is its records, the cumulative ledger of every record removed so far, and the
stage's counters. Files are written to a temporary name and renamed, so a crashed step never
leaves a half-written input for the next one.
"""

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from catalog.records import LEDGER_SCHEMA, empty_ledger


@dataclass(frozen=True)
class Staged:
    records: pl.DataFrame
    ledger: pl.DataFrame = field(default_factory=empty_ledger)
    stats: dict[str, dict[str, float]] = field(default_factory=dict)  # stage -> counter -> value


class StageWriter:
    """Writes one stage output batch by batch, so a stage never holds all its records at once.

    Nothing is visible under the key until ``commit``: the files are written to a temporary
    directory that replaces the old output in one rename.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self._tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp.mkdir(parents=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows = {"records": 0, "ledger": 0}

    def add(self, *, records: pl.DataFrame, ledger: pl.DataFrame) -> None:
        self._append("records", records)
        self._append("ledger", ledger.cast(LEDGER_SCHEMA))

    def commit(self, stats: dict[str, dict[str, float]]) -> Path:
        for writer in self._writers.values():
            writer.close()
        for name in ("records", "ledger"):
            if name not in self._writers:
                raise ValueError(f"stage output {self.target} got no {name} batch; add at least one, even empty")
        (self._tmp / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=2), encoding="utf-8")
        old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
        if self.target.exists():
            self.target.rename(old)
        self._tmp.rename(self.target)
        shutil.rmtree(old, ignore_errors=True)
        return self.target

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _append(self, name: str, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = pq.ParquetWriter(
                self._tmp / f"{name}.parquet", table.schema, compression="zstd", compression_level=1
            )
        writer.write_table(table.cast(writer.schema))
        self.rows[name] += frame.height


@dataclass(frozen=True)
class StagingStore:
    root: Path

    def path(self, key: list[str]) -> Path:
        return self.root.joinpath(*key)

    @contextmanager
    def writer(self, key: list[str]) -> Iterator[StageWriter]:
        """A writer for the output under ``key``; the caller commits it, and an error discards it."""
        writer = StageWriter(self.path(key))
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise

    def write(self, key: list[str], staged: Staged) -> Path:
        with self.writer(key) as out:
            out.add(records=staged.records, ledger=staged.ledger)
            return out.commit(staged.stats)

    def read(self, key: list[str]) -> Staged:
        source = self._existing(key)
        return Staged(
            records=pl.read_parquet(source / "records.parquet"),
            ledger=pl.read_parquet(source / "ledger.parquet", schema=LEDGER_SCHEMA),
            stats=json.loads((source / "stats.json").read_text(encoding="utf-8")),
        )

    def summary(self, key: list[str]) -> Staged:
        """The output's ledger and stats, with its records left on disk (``records`` is empty)."""
        source = self._existing(key)
        return Staged(
            records=pl.DataFrame(),
            ledger=pl.read_parquet(source / "ledger.parquet", schema=LEDGER_SCHEMA),
            stats=json.loads((source / "stats.json").read_text(encoding="utf-8")),
        )

    def record_count(self, key: list[str]) -> int:
        return pq.ParquetFile(self._existing(key) / "records.parquet").metadata.num_rows

    def _existing(self, key: list[str]) -> Path:
        source = self.path(key)
        if not (source / "stats.json").exists():
            raise FileNotFoundError(
                f"no staged output for {'/'.join(key)} under {self.root}; materialise that asset first"
            )
        return source


def combine(parts: list[Staged]) -> Staged:
    """Several upstream outputs as one (a dataset drawing on several sources)."""
    stats: dict[str, dict[str, float]] = {}
    for part in parts:
        for stage, counters in part.stats.items():
            merged = stats.setdefault(stage, {})
            for name, value in counters.items():
                merged[name] = merged.get(name, 0.0) + value
    return Staged(
        records=pl.concat([p.records for p in parts], how="diagonal_relaxed"),
        ledger=pl.concat([p.ledger for p in parts], how="vertical"),
        stats=stats,
    )
