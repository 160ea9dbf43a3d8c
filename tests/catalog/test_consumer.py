"""The consumer API and the warehouse settings: what a model trainer sees of published versions."""

import json
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as pads
import pytest

from catalog import consumer
from catalog.errors import SchemaMismatchError, WarehouseError
from catalog.records import LEDGER_SCHEMA
from catalog.settings import resolve_catalog_root, resolve_warehouse
from catalog.warehouse import Warehouse

REPORT = {"summary": {"score": 91.0, "grade": "A"}, "metrics": [{"id": "completeness", "value": 1.0}]}


def docs(scores: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(len(scores))],
            "text": ["遵义会议会址参观指南"] * len(scores),
            "quality_score": scores,
        }
    )


def ledger_for(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    n = frame.height
    columns = {"record_id": frame[key], "source_id": ["src"] * n, "source_key": frame[key], "stage": ["publish"] * n}
    return pl.DataFrame({**columns, "outcome": ["published"] * n, "detail": [None] * n}, schema=LEDGER_SCHEMA)


def publish(root: Path, dataset: str, frame: pl.DataFrame, *, key: str = "id") -> None:
    with Warehouse(root).begin(dataset, run_id="run") as draft:
        draft.write_data(frame, metadata={"hqdata.quality_score": "91.0"}, rows_per_file=2)
        draft.write_ledger(ledger_for(frame, key))
        draft.write_file("quality/report.json", json.dumps(REPORT, ensure_ascii=False))
        draft.commit(summary=REPORT["summary"])


V2_SCORES = [0.2, 0.5, 0.7, 0.9, 0.4, 0.95]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "wh"
    publish(root, "tourism-zh-corpus", docs([0.1, 0.8, 0.6, 0.3]))
    publish(root, "tourism-zh-corpus", docs(V2_SCORES))
    publish(root, "weather-daily", pl.DataFrame({"station_id": ["57816"], "temp_c": [18.5]}), key="station_id")
    return root


def test_open_reads_latest_or_a_pinned_version(root: Path) -> None:
    assert consumer.open("tourism-zh-corpus", warehouse=root).collect().height == len(V2_SCORES)
    assert consumer.open("tourism-zh-corpus", "v1", warehouse=root).collect().height == 4


def test_open_uses_the_environment(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HQDATA_WAREHOUSE", str(root))
    assert consumer.datasets() == ["tourism-zh-corpus", "weather-daily"]
    assert consumer.open("weather-daily").collect()["station_id"].to_list() == ["57816"]


def test_min_quality_filters_in_polars_and_arrow(root: Path) -> None:
    kept = consumer.open("tourism-zh-corpus", min_quality=0.5, warehouse=root).collect()
    assert sorted(kept["quality_score"].to_list()) == [0.5, 0.7, 0.9, 0.95]
    arrow = consumer.open_arrow("tourism-zh-corpus", min_quality=0.5, warehouse=root)
    assert arrow.count_rows() == 4
    assert consumer.open_arrow("tourism-zh-corpus", warehouse=root).count_rows() == len(V2_SCORES)


def test_min_quality_needs_a_score_column(root: Path) -> None:
    with pytest.raises(SchemaMismatchError, match="weather-daily v1 has no quality_score column.*station_id"):
        consumer.open("weather-daily", min_quality=0.5, warehouse=root)
    with pytest.raises(SchemaMismatchError, match="no quality_score column"):
        consumer.open_arrow("weather-daily", min_quality=0.5, warehouse=root)
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        consumer.open("tourism-zh-corpus", min_quality=60, warehouse=root)


def test_listing_report_and_ledger(root: Path) -> None:
    assert consumer.datasets(warehouse=root) == ["tourism-zh-corpus", "weather-daily"]
    assert consumer.versions("tourism-zh-corpus", warehouse=root) == ["v1", "v2"]
    assert consumer.report("tourism-zh-corpus", warehouse=root) == REPORT
    ledger = consumer.ledger("tourism-zh-corpus", "v1", warehouse=root).collect()
    assert ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert ledger["outcome"].to_list() == ["published"] * 4


def test_unknown_names_say_what_exists(root: Path) -> None:
    with pytest.raises(WarehouseError, match="did you mean 'tourism-zh-corpus'.*datasets: tourism-zh-corpus"):
        consumer.versions("tourism-corpus", warehouse=root)
    with pytest.raises(WarehouseError, match=r"'v3' does not exist; versions: v1, v2 \(latest v2\)"):
        consumer.open("tourism-zh-corpus", "v3", warehouse=root)
    with pytest.raises(WarehouseError, match=r"'2' does not exist; did you mean 'v2'\?"):
        consumer.report("tourism-zh-corpus", "2", warehouse=root)


def test_missing_report_is_a_warehouse_error(root: Path) -> None:
    (Warehouse(root).version_dir("weather-daily") / "quality" / "report.json").unlink()
    with pytest.raises(WarehouseError, match="report.json cannot be read"):
        consumer.report("weather-daily", warehouse=root)


def test_stray_data_files_are_not_read(root: Path) -> None:
    data = Warehouse(root).version_dir("tourism-zh-corpus") / "data"
    (data / "part-00003.parquet").write_bytes((data / "part-00000.parquet").read_bytes())
    assert consumer.open("tourism-zh-corpus", warehouse=root).collect().height == len(V2_SCORES)


def test_other_readers_see_the_same_rows(root: Path) -> None:
    data = Warehouse(root).version_dir("tourism-zh-corpus") / "data"
    pattern = str(data / "*.parquet")
    assert pl.scan_parquet(pattern).select(pl.len()).collect().item() == len(V2_SCORES)
    assert pads.dataset(data, format="parquet").count_rows() == len(V2_SCORES)
    frame = pd.read_parquet(data)
    assert len(frame) == len(V2_SCORES)
    assert set(frame["text"]) == {"遵义会议会址参观指南"}
    assert duckdb.execute("select count(*) from read_parquet(?)", [pattern]).fetchone() == (len(V2_SCORES),)
    metadata = duckdb.execute(
        "select distinct decode(value) from parquet_kv_metadata(?) where decode(key) = 'hqdata.version'", [pattern]
    ).fetchall()
    assert metadata == [("v2",)]


def test_settings_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HQDATA_WAREHOUSE", raising=False)
    monkeypatch.delenv("HQDATA_CATALOG_ROOT", raising=False)
    assert resolve_warehouse() == Path("warehouse")
    assert resolve_catalog_root() == Path("examples")
    monkeypatch.setenv("HQDATA_WAREHOUSE", str(tmp_path / "env-wh"))
    monkeypatch.setenv("HQDATA_CATALOG_ROOT", str(tmp_path / "env-cat"))
    assert resolve_warehouse() == tmp_path / "env-wh"
    assert resolve_catalog_root() == tmp_path / "env-cat"
    assert resolve_warehouse(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_catalog_root("~/cat") == Path.home() / "cat"
