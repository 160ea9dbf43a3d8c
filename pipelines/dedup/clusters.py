"""Duplicate clusters: join verified pairs and pick the record each cluster keeps.

The keep policy is shared by exact, key and near-duplicate removal: the highest
``quality_score`` wins, then the earliest ``original_time`` (missing times last), then the
smallest ``id``. ``id`` is unique, so the choice never depends on row order.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from pipelines.reasons import Outcome, Stage
from pipelines.stage import ledger_rows

CLUSTER_SIZE = "dup_cluster_size"


def keep_rank(records: pl.DataFrame) -> np.ndarray:
    """Each row's place in the keep order (0 = the best record of the whole frame).

    Highest ``quality_score``, then earliest ``original_time``, then earliest in its source
    (``source_id``, then ``source_key`` with a trailing ``:line`` compared as a number, so the first
    delivery of a repeated table row is kept), then ``id``. Independent of row order.
    """
    keys = [pl.col("id").cast(pl.String).alias("__id")]
    descending = [False]
    if "source_key" in records.columns:
        key = pl.col("source_key").cast(pl.String)
        line = key.str.extract(r":(\d+)$").cast(pl.Int64, strict=False)
        keys[:0] = [
            pl.col("source_id").cast(pl.String).alias("__source"),
            key.str.replace(r":\d+$", "").alias("__file"),
            line.alias("__line"),
            key.alias("__key"),
        ]
        descending[:0] = [False, False, False, False]
    if "original_time" in records.columns:
        keys.insert(0, pl.col("original_time").alias("__time"))
        descending.insert(0, False)
    if "quality_score" in records.columns:
        keys.insert(0, pl.col("quality_score").cast(pl.Float64).fill_nan(None).alias("__score"))
        descending.insert(0, True)
    order = (
        records.select(keys)
        .with_row_index("__row")
        .sort([key.meta.output_name() for key in keys], descending=descending, nulls_last=True)
        .get_column("__row")
        .to_numpy()
    )
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def components(n_records: int, pairs: np.ndarray) -> np.ndarray:
    """A cluster label per record: records linked through any chain of pairs share one."""
    graph = coo_array((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n_records, n_records))
    _, labels = connected_components(graph, directed=False)
    return labels


@dataclass(frozen=True)
class Clusters:
    """Which record each cluster keeps and how many input records each kept record stands for."""

    keeper: np.ndarray  # per row: the row of the record its cluster keeps
    size: np.ndarray  # per row: summed dup_cluster_size of its cluster
    n_clusters: int  # clusters with more than one member

    @property
    def kept(self) -> np.ndarray:
        """Per row: whether it is the record its cluster keeps."""
        return self.keeper == np.arange(len(self.keeper))


def resolve(records: pl.DataFrame, labels: np.ndarray, *, rank: np.ndarray | None = None) -> Clusters:
    """Apply the keep policy within each group of equal ``labels`` (``rank``: from keep_rank)."""
    rank = keep_rank(records) if rank is None else rank
    _, labels = np.unique(labels, return_inverse=True)
    order = np.lexsort((rank, labels))
    first = np.ones(len(order), dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    keeper_of = np.empty(int(labels.max(initial=-1)) + 1, dtype=np.int64)
    keeper_of[labels[order][first]] = order[first]
    weights = (
        records.get_column(CLUSTER_SIZE).cast(pl.Int64).fill_null(1).to_numpy()
        if CLUSTER_SIZE in records.columns
        else np.ones(len(records), dtype=np.int64)
    )
    sizes = np.bincount(labels, weights=weights, minlength=len(keeper_of)).astype(np.int64)
    members = np.bincount(labels, minlength=len(keeper_of))
    return Clusters(keeper=keeper_of[labels], size=sizes[labels], n_clusters=int((members > 1).sum()))


def with_cluster_size(records: pl.DataFrame, sizes: np.ndarray | None = None) -> pl.DataFrame:
    """``records`` with ``dup_cluster_size`` set (UInt32), keeping its column position if present."""
    if sizes is None:
        column = (
            pl.col(CLUSTER_SIZE).cast(pl.UInt32).fill_null(1)
            if CLUSTER_SIZE in records.columns
            else pl.lit(1, pl.UInt32)
        )
        return records.with_columns(column.alias(CLUSTER_SIZE))
    return records.with_columns(pl.Series(CLUSTER_SIZE, sizes, dtype=pl.UInt32))


def split(records: pl.DataFrame, clusters: Clusters, *, detail: str | pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Kept records (input order, cluster sizes updated) and ledger rows for the removed ones.

    ``detail`` is one string, or one per removed record in input order.
    """
    kept = clusters.kept
    removed = records.filter(pl.Series(~kept))
    kept_ids = records.get_column("id").cast(pl.String).gather(clusters.keeper[~kept])
    ledger = ledger_rows(
        removed,
        stage=Stage.DEDUP,
        kind=Outcome.DUPLICATE,
        reason=pl.lit(kept_ids),
        detail=detail if isinstance(detail, str) else pl.lit(detail),
    )
    return with_cluster_size(records.filter(pl.Series(kept)), clusters.size[kept]), ledger
