"""Exact duplicates: records with identical content, or table rows sharing a declared key.

Grouping compares the values themselves (polars' group_by checks equality within its hash
buckets), so two different records can never be merged by a collision, and nothing derived from
a hash is persisted.
"""

from collections.abc import Sequence

import numpy as np
import polars as pl

from catalog.errors import SchemaMismatchError
from pipelines.dedup.clusters import resolve, split, with_cluster_size
from pipelines.reasons import DEDUP_EXACT, DEDUP_KEY
from pipelines.stage import StageResult


def _normalised(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``columns`` lowercased, without whitespace or punctuation (Unicode P*), so variants that
    differ only in spacing, case or punctuation (full-width or not) compare equal.

    Two steps, so the stripped text is computed once; lowercasing runs only on texts that have
    something to lowercase, since on Chinese text it is several times slower than the check.
    """
    stripped = frame.select(pl.col(columns).str.replace_all(r"[\p{P}\s]+", ""))
    text = pl.col(columns)
    return stripped.select(
        pl.when(text.str.contains(r"\p{Changes_When_Lowercased}")).then(text.str.to_lowercase()).otherwise(text)
    )


def _require(records: pl.DataFrame, columns: Sequence[str], *, role: str) -> None:
    """Fail with the missing columns and the ones available, before any work is done."""
    missing = [name for name in columns if name not in records.columns]
    if not columns or missing:
        raise SchemaMismatchError(
            f"{role} needs columns present in the records; missing {missing or 'all (none given)'}, "
            f"available {records.columns}: fix the dataset's dedup columns or its schema"
        )


def _labels(keys: pl.DataFrame) -> np.ndarray:
    """One label per row; rows with equal values in every column of ``keys`` share it."""
    groups = (
        keys.with_row_index("__row")
        .group_by(pl.exclude("__row"))
        .agg("__row")
        .with_row_index("__label")
        .explode("__row")
    )
    labels = np.empty(keys.height, dtype=np.int64)
    labels[groups.get_column("__row").to_numpy()] = groups.get_column("__label").to_numpy()
    return labels


def _deduplicate(records: pl.DataFrame, keys: pl.DataFrame, *, detail: str, stat: str) -> StageResult:
    if records.is_empty():
        return StageResult(kept=with_cluster_size(records), stats={f"{stat}_removed": 0.0, f"{stat}_clusters": 0.0})
    clusters = resolve(records, _labels(keys))
    kept, removed = split(records, clusters, detail=detail)
    return StageResult(
        kept=kept,
        removed=removed,
        stats={f"{stat}_removed": float(removed.height), f"{stat}_clusters": float(clusters.n_clusters)},
    )


def dedup_exact(records: pl.DataFrame, *, columns: Sequence[str], normalise: bool = True) -> StageResult:
    """Keep one record per group of identical content in ``columns`` (see the keep policy in
    :mod:`pipelines.dedup.clusters`); the others become ``duplicate_of:<kept id>``.

    With ``normalise`` text columns are compared lowercased and without whitespace or
    punctuation; tables pass their declared columns with ``normalise=False`` so values compare
    as they are.
    Stats: ``dedup_exact_removed``, ``dedup_exact_clusters`` (groups of two or more).
    """
    _require(records, columns, role="dedup_exact")
    texts = [name for name in columns if normalise and records.schema[name] == pl.String]
    keys = records.select(columns).with_columns(_normalised(records, texts)) if texts else records.select(columns)
    return _deduplicate(records, keys, detail=DEDUP_EXACT, stat="dedup_exact")


def dedup_on_key(records: pl.DataFrame, *, key: Sequence[str]) -> StageResult:
    """Keep one row per value of a declared table key; the others become ``duplicate_of:<kept id>``
    with detail ``dedup_key:<columns>``.

    Rows with a null in any key column are never merged: a missing key identifies nothing.
    Stats: ``dedup_key_removed``, ``dedup_key_clusters``.
    """
    _require(records, key, role="dedup_on_key")
    incomplete = pl.any_horizontal(pl.col(name).is_null() for name in key)
    keys = records.select(*key, pl.when(incomplete).then(pl.int_range(pl.len())).alias("__alone"))
    return _deduplicate(records, keys, detail=f"{DEDUP_KEY}:{','.join(key)}", stat="dedup_key")
