"""The warehouse commit protocol (DESIGN §6): layout, manifest, atomicity, concurrency, verification."""

import hashlib
import importlib.metadata
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from catalog import consumer
from catalog import warehouse as warehouse_module
from catalog.errors import SchemaMismatchError, WarehouseError
from catalog.records import LEDGER_SCHEMA
from catalog.warehouse import Manifest, VersionDraft, Warehouse


def docs(n: int, *, start: int = 0) -> pl.DataFrame:
    ids = range(start, start + n)
    return pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in ids],
            "text": [f"黄果树瀑布攻略第{i}篇，全角标点：「好」。" for i in ids],
            "source_id": ["gz-tourism-articles"] * n,
            "quality_score": [round((i % 10) / 10, 1) for i in ids],
        }
    )


def ledger_for(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_id": frame["id"],
            "source_id": frame["source_id"],
            "source_key": frame["id"],
            "stage": ["publish"] * frame.height,
            "outcome": ["published"] * frame.height,
            "detail": [None] * frame.height,
        },
        schema=LEDGER_SCHEMA,
    )


def publish(
    wh: Warehouse, dataset: str, frame: pl.DataFrame, *, run_id: str = "run-1", rows_per_file: int = 1_000_000
) -> Manifest:
    with wh.begin(dataset, run_id=run_id) as draft:
        return fill_and_commit(draft, frame, rows_per_file=rows_per_file)


def fill_and_commit(draft: VersionDraft, frame: pl.DataFrame, *, rows_per_file: int = 1_000_000) -> Manifest:
    """Publish without the context manager, which a crashing process would never get to run."""
    draft.write_data(frame, metadata={"hqdata.quality_score": "87.5"}, rows_per_file=rows_per_file)
    draft.write_ledger(ledger_for(frame))
    draft.write_file("quality/report.json", json.dumps({"summary": {"score": 87.5, "grade": "A"}}))
    draft.write_file("quality/report.html", "<!doctype html><meta charset='utf-8'><h1>质量报告</h1>")
    return draft.commit(summary={"score": 87.5, "grade": "A"})


def files_under(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "wh")


def test_two_versions_layout_and_pointer(wh: Warehouse) -> None:
    publish(wh, "docs", docs(3))
    publish(wh, "docs", docs(5, start=3), run_id="run-2", rows_per_file=2)

    assert files_under(wh.root / "docs" / "v2") == {
        "data/part-00000.parquet",
        "data/part-00001.parquet",
        "data/part-00002.parquet",
        "ledger.parquet",
        "quality/report.json",
        "quality/report.html",
        "manifest.json",
    }
    assert (wh.root / "docs" / "latest").read_text().strip() == "v2"
    assert wh.versions("docs") == ["v1", "v2"]
    assert wh.latest("docs") == "v2"
    assert wh.datasets() == ["docs"]
    assert wh.verify("docs", "v1") == []
    assert wh.verify("docs", "v2") == []


def test_manifest_describes_every_file(wh: Warehouse) -> None:
    first = publish(wh, "docs", docs(3))
    frame = docs(5, start=3)
    second = publish(wh, "docs", frame, run_id="run-2", rows_per_file=2)
    version_dir = wh.version_dir("docs", "v2")

    assert (first.parent_version, second.parent_version) == (None, "v1")
    assert (second.dataset, second.version, second.run_id) == ("docs", "v2", "run-2")
    assert second.created_at.utcoffset() == timedelta(0)
    assert second.code_version == importlib.metadata.version("hqdata")
    assert second.schema_ == {"id": "String", "text": "String", "source_id": "String", "quality_score": "Float64"}
    assert second.summary == {"score": 87.5, "grade": "A"}
    assert second.row_count == frame.height
    assert {f.path for f in second.files} == files_under(version_dir) - {"manifest.json"}
    for entry in second.files:
        content = (version_dir / entry.path).read_bytes()
        assert entry.size == len(content)
        assert entry.sha256 == hashlib.sha256(content).hexdigest()
    rows = {f.path: f.rows for f in second.files}
    assert [rows[p] for p in second.data_files()] == [2, 2, 1]
    assert rows["ledger.parquet"] == frame.height
    assert rows["quality/report.json"] is None

    on_disk = json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["schema"] == second.schema_
    assert wh.manifest("docs") == second


def test_parquet_metadata_and_compression(wh: Warehouse) -> None:
    publish(wh, "docs", docs(4))
    part = wh.version_dir("docs", "v1") / "data" / "part-00000.parquet"
    meta = pq.read_metadata(part)

    assert meta.metadata[b"hqdata.dataset"] == b"docs"
    assert meta.metadata[b"hqdata.version"] == b"v1"
    assert meta.metadata[b"hqdata.quality_score"] == b"87.5"
    for i in range(meta.num_columns):
        column = meta.row_group(0).column(i)
        assert column.compression == "ZSTD"
        assert column.statistics is not None
        assert column.statistics.has_min_max
    ledger_meta = pq.read_metadata(wh.version_dir("docs", "v1") / "ledger.parquet")
    assert ledger_meta.metadata[b"hqdata.version"] == b"v1"


def test_empty_frame_writes_one_typed_part(wh: Warehouse) -> None:
    manifest = publish(wh, "docs", docs(0))
    assert manifest.data_files() == ["data/part-00000.parquet"]
    assert manifest.row_count == 0
    assert consumer.open("docs", warehouse=wh.root).collect_schema().names() == docs(0).columns


def test_extra_fields_survive_and_cannot_shadow(wh: Warehouse) -> None:
    draft = wh.begin("docs", run_id="run-1")
    draft.write_data(docs(2), metadata={})
    draft.write_ledger(ledger_for(docs(2)))
    with pytest.raises(WarehouseError, match=r"\['version'\]"):
        draft.commit(summary={}, extra={"version": "v99"})
    draft.commit(summary={}, extra={"license": "CC-BY-4.0"}, schema={"id": "String"})

    manifest = wh.manifest("docs")
    assert manifest.model_extra == {"license": "CC-BY-4.0"}
    assert manifest.schema_ == {"id": "String"}


def test_draft_is_invisible(wh: Warehouse) -> None:
    publish(wh, "docs", docs(3))
    draft = wh.begin("docs", run_id="run-2")
    draft.write_data(docs(7), metadata={})
    draft.write_ledger(ledger_for(docs(7)))
    only_draft = wh.begin("news", run_id="run-3")
    only_draft.write_data(docs(1), metadata={})

    assert wh.versions("docs") == ["v1"]
    assert wh.latest("docs") == "v1"
    assert wh.datasets() == ["docs"]
    assert consumer.open("docs", warehouse=wh.root).collect().height == 3
    with pytest.raises(WarehouseError, match="'v2' exists but is not committed"):
        wh.manifest("docs", "v2")
    with pytest.raises(WarehouseError, match="'news' has no committed version"):
        consumer.open("news", warehouse=wh.root)


def test_crashed_draft_number_is_not_reused(wh: Warehouse) -> None:
    publish(wh, "docs", docs(3))
    crashed = wh.begin("docs", run_id="run-2")
    crashed.write_data(docs(2), metadata={})

    third = publish(wh, "docs", docs(4), run_id="run-3")
    assert third.version == "v3"
    assert third.parent_version == "v1"
    assert wh.versions("docs") == ["v1", "v3"]


def crash_on_replace(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the rename onto ``name`` fail, as if the process died just before it."""
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == name:
            raise OSError("simulated crash")
        real_replace(src, dst)

    monkeypatch.setattr(warehouse_module.os, "replace", replace)


def test_crash_before_manifest_rename_leaves_old_state(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(wh, "docs", docs(3))
    before = files_under(wh.root / "docs" / "v1")
    crash_on_replace(monkeypatch, "manifest.json")
    with pytest.raises(OSError, match="simulated crash"):
        fill_and_commit(wh.begin("docs", run_id="run-2"), docs(5))
    # A manifest written under its temporary name but never renamed is just as invisible.
    (wh.root / "docs" / "v2" / ".manifest.json.0123.tmp").write_text(wh.manifest("docs").model_dump_json())

    assert wh.versions("docs") == ["v1"]
    assert wh.latest("docs") == "v1"
    assert (wh.root / "docs" / "latest").read_text().strip() == "v1"
    assert files_under(wh.root / "docs" / "v1") == before
    assert consumer.open("docs", warehouse=wh.root).collect().height == 3


def test_crash_before_pointer_rename_reads_as_new_state(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(wh, "docs", docs(3))
    with monkeypatch.context() as patch:
        crash_on_replace(patch, "latest")
        # Leaving the block by error must not abort a version whose manifest is already in place.
        with pytest.raises(OSError, match="simulated crash"), wh.begin("docs", run_id="run-2") as draft:
            fill_and_commit(draft, docs(5))

    assert (wh.root / "docs" / "latest").read_text().strip() == "v1"
    assert wh.versions("docs") == ["v1", "v2"]
    assert wh.latest("docs") == "v2"
    assert consumer.open("docs", warehouse=wh.root).collect().height == 5
    publish(wh, "docs", docs(1), run_id="run-3")
    assert (wh.root / "docs" / "latest").read_text().strip() == "v3"
    assert wh.manifest("docs").parent_version == "v2"


def test_pointer_missing_or_dangling_is_ignored(wh: Warehouse) -> None:
    publish(wh, "docs", docs(3))
    publish(wh, "docs", docs(3), run_id="run-2")
    pointer = wh.root / "docs" / "latest"
    pointer.unlink()
    assert wh.latest("docs") == "v2"
    pointer.write_text("v7\n")
    assert wh.latest("docs") == "v2"


def test_versions_order_numerically(wh: Warehouse) -> None:
    for i in range(11):
        publish(wh, "docs", docs(1, start=i), run_id=f"run-{i}")
    assert wh.versions("docs")[-3:] == ["v9", "v10", "v11"]
    assert wh.latest("docs") == "v11"
    assert wh.manifest("docs", "v10").parent_version == "v9"


def test_concurrent_begin_claims_distinct_versions(wh: Warehouse) -> None:
    barrier = threading.Barrier(16)

    def claim(i: int) -> str:
        barrier.wait()
        return wh.begin("docs", run_id=f"run-{i}").version

    with ThreadPoolExecutor(max_workers=16) as pool:
        claimed = list(pool.map(claim, range(16)))
    assert sorted(claimed, key=lambda v: int(v[1:])) == [f"v{i}" for i in range(1, 17)]


def test_overtaken_draft_is_refused(wh: Warehouse) -> None:
    slow = wh.begin("docs", run_id="run-1")
    slow.write_data(docs(2), metadata={})
    slow.write_ledger(ledger_for(docs(2)))
    publish(wh, "docs", docs(3), run_id="run-2")

    with pytest.raises(WarehouseError, match="v2 was committed while v1 was being written"):
        slow.commit(summary={})
    slow.abort()
    assert wh.versions("docs") == ["v2"]
    assert wh.manifest("docs").parent_version is None


def test_concurrent_publishers_keep_one_chain(wh: Warehouse) -> None:
    def attempt(i: int) -> Manifest | None:
        try:
            return publish(wh, "docs", docs(2, start=i), run_id=f"run-{i}")
        except WarehouseError:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        committed = [m for m in pool.map(attempt, range(8)) if m is not None]

    versions = wh.versions("docs")
    assert versions == sorted((m.version for m in committed), key=lambda v: int(v[1:]))
    assert [wh.manifest("docs", v).parent_version for v in versions] == [None, *versions[:-1]]
    assert (wh.root / "docs" / "latest").read_text().strip() == versions[-1]
    assert files_under(wh.root / "docs") == {
        f"{v}/{f}" for v in versions for f in files_under(wh.root / "docs" / v)
    } | {
        "latest",
        ".lock",
    }, "refused drafts were aborted"


def test_verify_detects_tampering(wh: Warehouse) -> None:
    publish(wh, "docs", docs(3))
    version_dir = wh.version_dir("docs", "v1")
    part = version_dir / "data" / "part-00000.parquet"
    content = bytearray(part.read_bytes())
    content[len(content) // 2] ^= 0xFF
    part.write_bytes(bytes(content))
    (version_dir / "quality" / "report.html").write_text("changed")
    (version_dir / "ledger.parquet").unlink()
    (version_dir / "data" / "part-00001.parquet").write_bytes(b"smuggled")

    problems = wh.verify("docs", "v1")
    assert any(p.startswith("data/part-00000.parquet: sha256") for p in problems)
    assert any(p.startswith("quality/report.html: size") for p in problems)
    assert "ledger.parquet: missing" in problems
    assert "data/part-00001.parquet: not in the manifest" in problems
    assert len(problems) == 4


def test_unknown_names_list_what_exists(wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist; pass --warehouse DIR or set HQDATA_WAREHOUSE"):
        wh.manifest("tourism-zh-corpus")
    publish(wh, "tourism-zh-corpus", docs(2))
    publish(wh, "weather-daily", docs(2))

    with pytest.raises(WarehouseError) as unknown:
        wh.manifest("tourism-zh-corpsu")
    assert "did you mean 'tourism-zh-corpus'?" in str(unknown.value)
    assert "datasets: tourism-zh-corpus, weather-daily" in str(unknown.value)
    with pytest.raises(WarehouseError, match="did you mean 'tourism-zh-corpus'"):
        wh.manifest("Tourism-zh-corpus")
    with pytest.raises(WarehouseError, match=r"'v9' does not exist; versions: v1 \(latest v1\)"):
        wh.manifest("weather-daily", "v9")
    empty = Warehouse(tmp_path / "empty")
    empty.begin("docs", run_id="run-1").abort()
    with pytest.raises(WarehouseError, match="no committed version .* has no published datasets: build one"):
        empty.resolve("docs")


def test_staging_and_hidden_entries_are_not_datasets(wh: Warehouse) -> None:
    publish(wh, "docs", docs(1))
    for hidden in ("_staging", ".tmp"):
        (wh.root / hidden / "v1").mkdir(parents=True)
        (wh.root / hidden / "v1" / "manifest.json").write_text("{}")
    (wh.root / "docs" / "_v2").mkdir()
    assert wh.datasets() == ["docs"]
    assert wh.versions("docs") == ["v1"]


def test_refused_report_is_kept_out_of_sight(wh: Warehouse) -> None:
    report_dir = wh.write_refused("docs", "run-9", {"report.json": "{}", "report.html": "<h1>拒绝发布</h1>"})
    assert report_dir == wh.root / "docs" / ".refused" / "run-9" / "quality"
    assert (report_dir / "report.html").read_text(encoding="utf-8") == "<h1>拒绝发布</h1>"
    assert wh.datasets() == []
    with pytest.raises(WarehouseError, match="run id"):
        wh.write_refused("docs", "../escape", {})


def test_abort_and_context_manager_leave_nothing(wh: Warehouse) -> None:
    draft = wh.begin("docs", run_id="run-1")
    draft.write_data(docs(1), metadata={})
    draft.abort()
    assert not draft.path.exists()
    with pytest.raises(WarehouseError, match="aborted"):
        draft.write_data(docs(1), metadata={})

    def fail_midway() -> None:
        with wh.begin("docs", run_id="run-2") as failing:
            failing.write_data(docs(1), metadata={})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    assert not (wh.root / "docs" / "v1").exists()
    assert wh.versions("docs") == []


def test_committed_version_is_never_modified(wh: Warehouse) -> None:
    draft = wh.begin("docs", run_id="run-1")
    draft.write_data(docs(1), metadata={})
    draft.write_ledger(ledger_for(docs(1)))
    draft.commit(summary={})
    with pytest.raises(WarehouseError, match="never modified"):
        draft.write_file("quality/card.md", "late")
    with pytest.raises(WarehouseError, match="never modified"):
        draft.abort()


@pytest.mark.parametrize(
    ("relpath", "message"),
    [
        ("../outside.txt", "not a relative path"),
        ("/etc/passwd", "not a relative path"),
        ("quality/.hidden", "not a relative path"),
        ("manifest.json", "written by commit"),
        ("ledger.parquet", "written by commit"),
        ("data/part-00009.parquet", "written by commit"),
    ],
)
def test_write_file_refuses_reserved_and_escaping_paths(wh: Warehouse, relpath: str, message: str) -> None:
    with pytest.raises(WarehouseError, match=message):
        wh.begin("docs", run_id="run-1").write_file(relpath, "x")


def test_commit_needs_data_and_ledger(wh: Warehouse) -> None:
    draft = wh.begin("docs", run_id="run-1")
    with pytest.raises(WarehouseError, match="call write_data"):
        draft.commit(summary={})
    draft.write_data(docs(1), metadata={})
    with pytest.raises(WarehouseError, match="call write_ledger"):
        draft.commit(summary={})
    with pytest.raises(SchemaMismatchError, match="cast to one schema"):
        draft.write_data(docs(1).drop("text"), metadata={})
    with pytest.raises(SchemaMismatchError, match="lacks columns"):
        draft.write_ledger(pl.DataFrame({"record_id": ["a"]}))


@pytest.mark.parametrize("name", ["../evil", "_staging", ".refused", "Docs", ""])
def test_begin_refuses_names_that_are_not_dataset_slugs(wh: Warehouse, name: str) -> None:
    with pytest.raises(WarehouseError, match="not a valid name"):
        wh.begin(name, run_id="run-1")
