"""End to end: the demo organisation built through Dagster, checked against the generator's truth.

The generator (examples/generate.py) plants every defect on purpose and records it in
truth/planted.json; these tests assert that each one ends as it should.
"""

import json
from pathlib import Path

import polars as pl
import pytest

from catalog import consumer
from catalog.warehouse import Warehouse
from pipelines.text.pii import is_valid_bank_card, is_valid_resident_id
from tests.support import DemoBuild

pytestmark = pytest.mark.slow

TOURISM = "tourism-zh-corpus"
WEATHER = "weather-daily-obs"


def published(build: DemoBuild, name: str) -> pl.DataFrame:
    return consumer.open(name, warehouse=build.warehouse).collect()


def ledger(build: DemoBuild, name: str) -> pl.DataFrame:
    return consumer.ledger(name, warehouse=build.warehouse).collect()


def outcome_by_key(build: DemoBuild, name: str) -> dict[str, str]:
    return dict(ledger(build, name).select("source_key", "outcome").iter_rows())


def test_two_datasets_publish_and_the_expired_grant_is_refused(demo_build: DemoBuild) -> None:
    results = demo_build.results
    assert results[TOURISM].status == "published"
    assert results[WEATHER].status == "published"
    refused = results["guizhou-services-corpus"]
    assert refused.status == "refused"
    reason = " ".join(refused.reasons)
    assert "GZDA-2025-0117" in reason
    assert "2026-06-30" in reason
    assert "gz-power-outage-notices" in reason
    assert Warehouse(demo_build.warehouse).versions("guizhou-services-corpus") == []


@pytest.mark.parametrize("name", [TOURISM, WEATHER])
def test_published_rows_match_manifest_and_ledger(demo_build: DemoBuild, name: str) -> None:
    warehouse = Warehouse(demo_build.warehouse)
    manifest = warehouse.manifest(name)
    version_dir = warehouse.version_dir(name)
    rows = pl.scan_parquet(version_dir / "data" / "*.parquet").collect()
    book = ledger(demo_build, name)
    assert rows.height == manifest.row_count
    assert book.filter(pl.col("outcome") == "published").height == manifest.row_count
    assert set(rows["id"]) == set(book.filter(pl.col("outcome") == "published")["record_id"])
    assert book["record_id"].n_unique() == book.height
    assert warehouse.verify(name) == []
    for part in ("quality/report.json", "quality/report.html", "ledger.parquet", "manifest.json"):
        assert (version_dir / part).is_file()
    report = json.loads((version_dir / "quality" / "report.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in report["dimensions"]["gbt_36344"]} == {
        "规范性",
        "完整性",
        "准确性",
        "一致性",
        "时效性",
        "可访问性",
    }
    assert report["decision"] == "published"
    assert 0 <= report["summary"]["overall"] <= 100


def test_every_tourism_line_is_accounted_for(demo_build: DemoBuild) -> None:
    truth = demo_build.truth["tourism"]
    assert ledger(demo_build, TOURISM).height == truth["n_lines"]


def test_malformed_lines_are_quarantined_with_reasons(demo_build: DemoBuild) -> None:
    outcomes = outcome_by_key(demo_build, TOURISM)
    expected = {
        "broken_json": "quarantined:ingest_malformed_json",
        "not_an_object": "quarantined:ingest_malformed_json",
        "missing_content": "quarantined:ingest_missing_field",
        "empty_content": "quarantined:ingest_empty_record",
        "blank": "quarantined:ingest_empty_record",
    }
    for item in demo_build.truth["tourism"]["malformed"]:
        key = f"data/tourism/{item['file']}:{item['line']}"
        assert outcomes.get(key) == expected[item["problem"]], item


def _kept_one_per_group(build: DemoBuild, groups: dict[str, set[str]]) -> None:
    kept = set(published(build, TOURISM)["source_key"])
    outcomes = outcome_by_key(build, TOURISM)
    for base, members in groups.items():
        survivors = kept & members
        assert len(survivors) <= 1, (base, survivors)
        for member in members - survivors:
            assert outcomes[member].startswith(("duplicate_of:", "filtered:")), (member, outcomes[member])


def test_planted_exact_and_near_duplicates_are_gone(demo_build: DemoBuild) -> None:
    truth = demo_build.truth["tourism"]
    groups: dict[str, set[str]] = {}
    for kind in ("exact_copies", "traditional", "punctuation_variants"):
        for item in truth[kind]:
            groups.setdefault(item["of"], {item["of"]}).add(item["id"])
    for kind in ("reposts", "small_edits"):
        for item in truth[kind]:
            if item["jaccard5"] >= 0.7:
                groups.setdefault(item["of"], {item["of"]}).add(item["id"])
    _kept_one_per_group(demo_build, groups)
    outcomes = outcome_by_key(demo_build, TOURISM)
    removed = [i["id"] for kind in ("exact_copies", "traditional", "reposts") for i in truth[kind]]
    duplicates = [k for k in removed if outcomes[k].startswith("duplicate_of:")]
    assert len(duplicates) >= 0.95 * len(removed)


def test_unrelated_articles_are_not_merged(demo_build: DemoBuild) -> None:
    """Precision: a base article only ever becomes a duplicate of a copy of itself."""
    truth = demo_build.truth["tourism"]
    family = {i: i for i in truth["base_ids"]}
    for kind in ("exact_copies", "traditional", "punctuation_variants", "reposts", "small_edits"):
        for item in truth[kind]:
            family[item["id"]] = item["of"]
    book = ledger(demo_build, TOURISM).filter(pl.col("outcome").str.starts_with("duplicate_of:"))
    key_of = dict(ledger(demo_build, TOURISM).select("record_id", "source_key").iter_rows())
    wrong = [
        (key, key_of[target])
        for key, target in zip(book["source_key"], book["outcome"].str.strip_prefix("duplicate_of:"), strict=True)
        if family.get(key) is None or family.get(key) != family.get(key_of[target])
    ]
    assert len(wrong) <= 0.01 * max(book.height, 1), wrong[:10]


def test_valid_pii_is_masked_and_invalid_look_alikes_are_not(demo_build: DemoBuild) -> None:
    rows = published(demo_build, TOURISM)
    texts = dict(rows.select("source_key", "text").iter_rows())
    corpus = "\n".join(texts.values())
    for item in demo_build.truth["tourism"]["pii"]:
        if item["valid"]:
            assert item["value"] not in corpus, item
        elif item["doc_id"] in texts:
            assert item["value"] in texts[item["doc_id"]], item
    assert "[身份证号]" in corpus
    assert "[手机号]" in corpus
    assert rows["pii_masked"].sum() > 0


def test_no_checksum_valid_id_or_card_survives(demo_build: DemoBuild) -> None:
    texts = published(demo_build, TOURISM)["text"]
    ids = texts.str.extract_all(r"\d{17}[\dXx]").explode().drop_nulls()
    cards = texts.str.extract_all(r"\d{16,19}").explode().drop_nulls()
    assert not any(is_valid_resident_id(v) for v in ids)
    assert not any(is_valid_bank_card(v) for v in cards if not is_valid_resident_id(v))


def test_traditional_reposts_come_out_simplified(demo_build: DemoBuild) -> None:
    texts = "".join(published(demo_build, TOURISM)["text"])
    for traditional in ("貴州", "瀑佈", "遊客", "門票", "數據"):
        assert traditional not in texts


def test_junk_short_and_foreign_records_are_filtered_with_named_rules(demo_build: DemoBuild) -> None:
    truth = demo_build.truth["tourism"]
    outcomes = outcome_by_key(demo_build, TOURISM)
    assert all(outcomes[i].startswith("filtered:clean_") for i in truth["navigation_junk"])
    assert all(outcomes[i] == "filtered:clean_too_short" for i in truth["too_short"])
    assert all(
        outcomes[i] in ("filtered:clean_low_cjk_ratio", "filtered:clean_too_short") for i in truth["non_chinese"]
    )


def test_weather_defects_end_with_their_reasons(demo_build: DemoBuild) -> None:
    truth = demo_build.truth["weather"]
    outcomes = outcome_by_key(demo_build, WEATHER)
    assert len(outcomes) == truth["n_data_rows"]
    expected = {
        "ingest_malformed_row": "quarantined:ingest_malformed_row",
        "ingest_type_mismatch": "quarantined:ingest_type_mismatch",
        "ingest_undecodable": "quarantined:ingest_undecodable",
        "clean_required_null": "filtered:clean_required_null",
        "clean_out_of_range": "filtered:clean_out_of_range",
        "cross_field_min_gt_max": "filtered:clean_row_rule",
    }
    for defect in truth["defects"]:
        key = f"data/weather/daily-2026-11.csv:{defect['line']}"
        assert outcomes[key] == expected[defect["reason"]], defect
    for dup in truth["exact_duplicates"] + truth["key_duplicates"]:
        key = f"data/weather/daily-2026-11.csv:{dup['line']}"
        assert outcomes[key].startswith("duplicate_of:"), dup
    for line in truth["kept_nulls"]:
        assert outcomes[f"data/weather/daily-2026-11.csv:{line}"] == "published"


def test_consumers_read_the_same_rows_with_every_engine(demo_build: DemoBuild) -> None:
    import duckdb
    import pandas as pd
    import pyarrow.dataset as ds

    data = Warehouse(demo_build.warehouse).version_dir(WEATHER) / "data"
    expected = pl.scan_parquet(data / "*.parquet").collect().height
    assert ds.dataset(data, format="parquet").count_rows() == expected
    assert len(pd.read_parquet(data)) == expected
    assert duckdb.sql(f"select count(*) from read_parquet('{data}/*.parquet')").fetchall() == [(expected,)]
    assert consumer.open(WEATHER, warehouse=demo_build.warehouse, min_quality=1.0).collect().height <= expected


def test_report_html_is_self_contained(demo_build: DemoBuild) -> None:
    html = Path(demo_build.results[TOURISM].report).read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html
    assert "<svg" in html
    assert "<script src" not in html
