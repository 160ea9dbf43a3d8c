"""Exact and key duplicates: grouping, keep policy, ledger outcomes, cluster sizes, stats."""

from collections.abc import Callable

import polars as pl
import pytest
from dedup_helpers import RecordsFactory, utc

from catalog.errors import SchemaMismatchError
from catalog.records import LEDGER_SCHEMA
from pipelines.dedup.exact import dedup_exact, dedup_on_key
from pipelines.stage import StageResult


def outcomes(result: StageResult) -> dict[str, str]:
    return dict(result.removed.select("record_id", "outcome").iter_rows())


@pytest.mark.parametrize(
    ("title", "texts"),
    [
        ("full-width and ascii punctuation", ["黄果树瀑布，真美！", "黄果树瀑布,真美!", "黄果树瀑布真美"]),
        (
            "whitespace and line breaks",
            ["西江 千户苗寨\n位于雷山县", "西江千户苗寨位于雷山县", "西江千户苗寨　位于　雷山县"],
        ),
        (
            "case and punctuation in English",
            ["Open Data, Good Models.", "open data good models", "OPEN-DATA GOOD MODELS!"],
        ),
        ("quotes and brackets", ["「梵净山」（世界遗产）", "“梵净山”(世界遗产)", "梵净山世界遗产"]),
    ],
)
def test_variants_collapse_to_the_best_record(make_records: RecordsFactory, title: str, texts: list[str]) -> None:
    records = make_records([*texts, "完全不同的一段文字"], quality_score=[0.2, 0.8, 0.5, 0.1])
    result = dedup_exact(records, columns=["text"])
    assert result.kept.get_column("id").to_list() == ["r1", "r3"], title
    assert outcomes(result) == {"r0": "duplicate_of:r1", "r2": "duplicate_of:r1"}
    assert set(result.removed.get_column("detail")) == {"dedup_exact"}
    assert set(result.removed.get_column("stage")) == {"dedup"}
    assert result.kept.get_column("dup_cluster_size").to_list() == [3, 1]
    assert result.stats == {"dedup_exact_removed": 2.0, "dedup_exact_clusters": 1.0}


def test_ledger_rows_carry_provenance(make_records: RecordsFactory) -> None:
    result = dedup_exact(make_records(["同一段文字", "同一段文字。"]), columns=["text"])
    assert result.removed.schema == pl.Schema(LEDGER_SCHEMA)
    assert result.removed.row(0, named=True) == {
        "record_id": "r1",
        "source_id": "src",
        "source_key": "line-1",
        "stage": "dedup",
        "outcome": "duplicate_of:r0",
        "detail": "dedup_exact",
    }


def test_cluster_size_sums_earlier_sizes(make_records: RecordsFactory) -> None:
    records = make_records(["甲", "甲", "乙", "甲"], dup_cluster_size=pl.Series([2, 3, 1, None], dtype=pl.UInt32))
    result = dedup_exact(records, columns=["text"])
    assert result.kept.select("id", "dup_cluster_size").rows() == [("r0", 6), ("r2", 1)]
    assert result.kept.schema["dup_cluster_size"] == pl.UInt32
    assert result.kept.columns == records.columns


def test_keeps_columns_and_row_order(make_records: RecordsFactory) -> None:
    records = make_records(["丙", "甲", "乙", "甲。", "丁"], original_time=[utc(5), utc(4), utc(3), utc(1), None])
    result = dedup_exact(records, columns=["text"])
    assert result.kept.get_column("id").to_list() == ["r0", "r2", "r3", "r4"]
    assert result.kept.columns == [*records.columns, "dup_cluster_size"]
    assert outcomes(result) == {"r1": "duplicate_of:r3"}


def test_tables_compare_values_as_they_are() -> None:
    table = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "source_id": "weather",
            "source_key": ["1", "2", "3", "4"],
            "station": ["GY01", "gy01", "GY01", "GY01"],
            "temp_c": [21.5, 21.5, 21.5, 22.0],
        }
    )
    result = dedup_exact(table, columns=["station", "temp_c"], normalise=False)
    assert outcomes(result) == {"c": "duplicate_of:a"}
    assert result.kept.get_column("dup_cluster_size").to_list() == [2, 1, 1]


def test_several_text_columns_must_all_match(make_records: RecordsFactory) -> None:
    records = make_records(["问题", "问题？", "问题"], response=["回答一", "回答一。", "回答二"])
    result = dedup_exact(records, columns=["text", "response"])
    assert outcomes(result) == {"r1": "duplicate_of:r0"}


def test_key_dedup_keeps_the_best_row_per_key() -> None:
    table = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "source_id": "weather",
            "source_key": ["1", "2", "3", "4", "5", "6"],
            "station": ["GY01", "GY01", "GY02", "GY01", None, None],
            "date": ["2026-11-01", "2026-11-01", "2026-11-01", "2026-11-02", "2026-11-01", "2026-11-01"],
            "temp_c": [21.5, 22.0, 18.0, 20.0, 1.0, 1.0],
            "quality_score": [0.6, 0.9, 0.5, 0.5, 0.5, 0.5],
        }
    )
    result = dedup_on_key(table, key=["station", "date"])
    assert outcomes(result) == {"a": "duplicate_of:b"}
    assert result.removed.get_column("detail").to_list() == ["dedup_key:station,date"]
    assert result.kept.get_column("id").to_list() == ["b", "c", "d", "e", "f"]
    assert result.kept.get_column("dup_cluster_size").to_list() == [2, 1, 1, 1, 1]
    assert result.stats == {"dedup_key_removed": 1.0, "dedup_key_clusters": 1.0}


@pytest.mark.parametrize("stage", ["exact", "key"])
def test_empty_and_single_record(make_records: RecordsFactory, stage: str) -> None:
    for texts in ([], ["唯一的记录"]):
        records = make_records(texts)
        result = dedup_exact(records, columns=["text"]) if stage == "exact" else dedup_on_key(records, key=["text"])
        assert result.kept.get_column("id").to_list() == records.get_column("id").to_list()
        assert result.kept.schema["dup_cluster_size"] == pl.UInt32
        assert result.removed.is_empty()
        assert result.removed.columns == list(LEDGER_SCHEMA)
        assert result.stats == {f"dedup_{stage}_removed": 0.0, f"dedup_{stage}_clusters": 0.0}


def test_result_does_not_depend_on_row_order(make_records: RecordsFactory) -> None:
    texts = ["甲", "甲！", "乙", "乙", "乙。", "丙", "甲"]
    records = make_records(texts, quality_score=[0.5, 0.5, 0.1, 0.7, 0.7, 0.3, 0.5])
    expected = dedup_exact(records, columns=["text"])
    for seed in range(5):
        shuffled = dedup_exact(records.sample(fraction=1.0, shuffle=True, seed=seed), columns=["text"])
        assert set(shuffled.kept.select("id", "dup_cluster_size").rows()) == set(
            expected.kept.select("id", "dup_cluster_size").rows()
        )
        assert set(shuffled.removed.rows()) == set(expected.removed.rows())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda records: dedup_exact(records, columns=["content"]), "missing \\['content'\\]"),
        (lambda records: dedup_exact(records, columns=[]), "none given"),
        (lambda records: dedup_on_key(records, key=["station"]), "dedup_on_key"),
    ],
)
def test_missing_columns_are_named(
    make_records: RecordsFactory, call: Callable[[pl.DataFrame], StageResult], message: str
) -> None:
    with pytest.raises(SchemaMismatchError, match=message):
        call(make_records(["文字"]))
