"""Keep policy, connected components and cluster sizes."""

import numpy as np
import polars as pl
import pytest
from dedup_helpers import RecordsFactory, utc

from pipelines.dedup.clusters import components, keep_rank, resolve


def kept_id(records: pl.DataFrame) -> str:
    clusters = resolve(records, np.zeros(records.height, dtype=np.int64))
    return records.get_column("id")[int(clusters.keeper[0])]


@pytest.mark.parametrize(
    ("title", "columns", "expected"),
    [
        ("highest score wins", {"quality_score": [0.2, 0.9, 0.5]}, "r1"),
        ("missing score counts as lowest", {"quality_score": [None, 0.1, None]}, "r1"),
        ("NaN score counts as lowest", {"quality_score": [float("nan"), 0.1, 0.05]}, "r1"),
        (
            "equal scores: earliest time",
            {"quality_score": [0.5, 0.5, 0.5], "original_time": [utc(3), utc(2), utc(4)]},
            "r1",
        ),
        (
            "missing time counts as latest",
            {"quality_score": [0.5, 0.5, 0.5], "original_time": [None, utc(9), None]},
            "r1",
        ),
        ("equal score and time: smallest id", {"quality_score": [0.5, 0.5, 0.5]}, "r0"),
        ("tables without score or time: smallest id", {}, "r0"),
        ("score beats time", {"quality_score": [0.4, 0.6, 0.5], "original_time": [utc(1), utc(9), utc(2)]}, "r1"),
    ],
)
def test_keep_policy(make_records: RecordsFactory, title: str, columns: dict, expected: str) -> None:
    records = make_records(["a", "b", "c"], **columns)
    assert kept_id(records) == expected, title
    reversed_rows = records.reverse()
    assert kept_id(reversed_rows) == expected, f"{title} (rows reversed)"


def test_keep_rank_is_a_total_order(make_records: RecordsFactory) -> None:
    records = make_records(["a"] * 4, quality_score=[0.5, 0.9, 0.5, None])
    assert keep_rank(records).tolist() == [1, 0, 2, 3]


def test_resolve_sums_existing_cluster_sizes(make_records: RecordsFactory) -> None:
    records = make_records(["a"] * 5, quality_score=[0.1, 0.9, 0.3, 0.2, 0.5], dup_cluster_size=[3, None, 1, 2, 1])
    clusters = resolve(records, np.array([7, 7, 7, 2, 9]))
    assert clusters.keeper.tolist() == [1, 1, 1, 3, 4]
    assert clusters.kept.tolist() == [False, True, False, True, True]
    assert clusters.size.tolist() == [5, 5, 5, 2, 1]
    assert clusters.n_clusters == 1


def test_components_join_chains() -> None:
    labels = components(6, np.array([[0, 1], [1, 4], [2, 3]]))
    assert labels[0] == labels[1] == labels[4]
    assert labels[2] == labels[3]
    assert len({labels[0], labels[2], labels[5]}) == 3


def test_equal_records_keep_the_first_delivery_by_line_number() -> None:
    """Ids are hashes, so without this a repeated table row would survive at random."""
    rows = pl.DataFrame(
        {
            "id": ["zzz", "aaa", "mmm"],
            "source_id": ["w", "w", "w"],
            "source_key": ["data/w.csv:100", "data/w.csv:45", "data/w.csv:9"],
            "quality_score": [1.0, 1.0, 1.0],
        }
    )
    assert keep_rank(rows).tolist() == [2, 1, 0]
    assert keep_rank(rows.reverse()).tolist() == [0, 1, 2]
