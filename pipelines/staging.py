"""Intermediate results between stages, kept inside the domain under ``<warehouse>/.staging``.

Each stage output is its records, the cumulative ledger of every record removed so far, and the
stage's counters. Files are written to a temporary name and renamed, so a crashed step never
leaves a half-written input for the next one.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from catalog.records import LEDGER_SCHEMA, empty_ledger


@dataclass(frozen=True)
class Staged:
    records: pl.DataFrame
    ledger: pl.DataFrame = field(default_factory=empty_ledger)
    stats: dict[str, dict[str, float]] = field(default_factory=dict)  # stage -> counter -> value


@dataclass(frozen=True)
class StagingStore:
    root: Path

    def path(self, key: list[str]) -> Path:
        return self.root.joinpath(*key)

    def write(self, key: list[str], staged: Staged) -> Path:
        target = self.path(key)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        staged.records.write_parquet(tmp / "records.parquet")
        staged.ledger.write_parquet(tmp / "ledger.parquet")
        (tmp / "stats.json").write_text(json.dumps(staged.stats, ensure_ascii=False, indent=2), encoding="utf-8")
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target

    def read(self, key: list[str]) -> Staged:
        source = self.path(key)
        if not (source / "stats.json").exists():
            raise FileNotFoundError(
                f"no staged output for {'/'.join(key)} under {self.root}; materialise that asset first"
            )
        return Staged(
            records=pl.read_parquet(source / "records.parquet"),
            ledger=pl.read_parquet(source / "ledger.parquet", schema=LEDGER_SCHEMA),
            stats=json.loads((source / "stats.json").read_text(encoding="utf-8")),
        )


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
