"""report.json shape and round trip, distributions, deltas, and the self-contained HTML page."""

import json
import re
from collections.abc import Callable

import polars as pl
import pytest

from catalog.models import Dataset
from checks.facts import ReleaseFacts
from checks.report import QualityReport, build_report, render_html

MakeFacts = Callable[..., ReleaseFacts]

TOP_LEVEL = [
    "format_version",
    "dataset",
    "version",
    "run_id",
    "generated_for_date",
    "decision",
    "refusal_reasons",
    "summary",
    "dataset_info",
    "funnel",
    "per_source",
    "metrics",
    "dimensions",
    "hard_gates",
    "expectations",
    "distributions",
    "delta",
    "standards",
]


def test_json_round_trips_and_is_stable(make_facts: MakeFacts):
    report = build_report(make_facts())
    text = report.to_json()
    assert list(json.loads(text)) == TOP_LEVEL
    assert "规范性" in text  # ensure_ascii=False
    again = QualityReport.from_json(text)
    assert again == report
    assert again.to_json() == text == build_report(make_facts()).to_json()


def test_metric_fields_follow_the_contract(make_facts: MakeFacts):
    data = json.loads(build_report(make_facts()).to_json())
    for metric in data["metrics"]:
        assert {"id", "name", "dimension", "A", "B", "value", "rule", "sample_size", "evidence", "status"} <= set(
            metric
        )
    assert set(data["dimensions"]) == {"gbt_36344", "tc609"}
    assert [d["id"] for d in data["dimensions"]["gbt_36344"]] == [
        "规范性",
        "完整性",
        "准确性",
        "一致性",
        "时效性",
        "可访问性",
    ]
    assert [d["id"] for d in data["dimensions"]["tc609"]] == ["01", "02", "03"]
    assert set(data["summary"]) >= {"rows", "overall", "grade", "dimensions"}


def test_funnel_and_per_source(make_facts: MakeFacts):
    report = build_report(make_facts())
    funnel = report.funnel
    assert (funnel.ingested, funnel.quarantined, funnel.filtered, funnel.duplicates, funnel.published) == (
        10,
        1,
        2,
        1,
        6,
    )
    assert funnel.ingested == funnel.published + funnel.filtered + funnel.duplicates + funnel.quarantined
    assert funnel.by_reason == {
        "duplicate_of": 1,
        "filtered:clean_low_cjk_ratio": 1,
        "filtered:clean_too_short": 1,
        "quarantined:ingest_malformed_json": 1,
    }
    rows = {r.source_id: r for r in report.per_source}
    assert (rows["news"].ingested, rows["news"].quarantined, rows["news"].published) == (5, 1, 3)
    assert (rows["blog"].duplicates, rows["blog"].filtered) == (1, 1)
    assert funnel.stage_stats == {"ingest": {"ingested": 10.0}, "clean": {"seconds": 1.5}}


def test_distributions(make_facts: MakeFacts, make_records: Callable[..., pl.DataFrame]):
    records = make_records().with_columns(n_chars=pl.Series([10, 49, 50, 1_500, 20_000, 25_000]))
    dist = build_report(make_facts(records=records)).distributions
    assert dist.quality_score is not None
    assert len(dist.quality_score.counts) == 10
    # 0.35 0.55 0.72 0.81 0.93 1.0: 1.0 falls in the last bin
    assert dist.quality_score.counts == [0, 0, 0, 1, 0, 1, 0, 1, 1, 2]
    assert dist.length is not None
    length = dict(zip(dist.length.labels, dist.length.counts, strict=True))
    assert (length["<50"], length["50–100"], length["1k–2k"], length["≥20k"]) == (2, 1, 1, 2)
    assert dist.dup_cluster_size is not None
    assert dict(zip(dist.dup_cluster_size.labels, dist.dup_cluster_size.counts, strict=True)) == {
        "1": 4,
        "2": 1,
        "3": 1,
    }


def test_table_distributions_count_nulls(make_facts: MakeFacts):
    records = pl.DataFrame({"id": ["a", "b"], "source_id": ["news", "news"], "temp": [1.5, None]})
    dataset = Dataset(name="t", kind="table", sources=["news", "blog"], purpose="model-training")
    dist = build_report(make_facts(records=records, dataset=dataset)).distributions
    assert dist.null_counts == {"id": 0, "source_id": 0, "temp": 1}
    assert dist.quality_score is None
    assert dist.length is None


def test_delta_flags_regressions(make_facts: MakeFacts):
    previous = json.loads(build_report(make_facts(unmasked_valid_pii=0)).to_json())
    for metric in previous["metrics"]:
        if metric["id"] == "dirty_data_rate":
            metric["value"] = 0.79  # now 0.7778: a drop of 0.012, within tolerance
        if metric["id"] == "parse_rate":
            metric["value"] = 0.95  # now 0.9: a regression
    delta = build_report(make_facts(previous=previous)).delta
    assert delta is not None
    assert delta.regressions == ["parse_rate"]
    assert delta.previous_version == "2026.11.22-1"
    changes = {d.id: d.change for d in delta.metrics}
    assert changes["parse_rate"] == pytest.approx(-0.05)
    assert delta.overall_change is not None


def test_no_previous_no_delta(make_facts: MakeFacts):
    assert build_report(make_facts()).delta is None


def _assert_self_contained(html: str) -> None:
    assert '<meta charset="utf-8">' in html
    assert "<svg" in html
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert "url(" not in html
    assert "http://" not in html
    assert "https://" not in html


def test_html_published(make_facts: MakeFacts):
    report = build_report(make_facts())
    html = render_html(report)
    _assert_self_contained(html)
    assert f'<div class="badge">{report.summary["grade"]}</div>' in html
    assert "已发布 / Published" in html
    assert "GB/T 36344" in html
    assert "TC609" in html


def test_html_refused_shows_reasons_and_escapes(make_facts: MakeFacts):
    dataset = Dataset(
        name="tourism-zh",
        kind="text",
        sources=["news", "blog"],
        purpose="model-training",
        description="<script>alert(1)</script>",
    )
    previous = json.loads(build_report(make_facts()).to_json())
    report = build_report(make_facts(dataset=dataset, unmasked_valid_pii=3, previous=previous))
    html = render_html(report)
    _assert_self_contained(html)
    assert 'class="banner refused"' in html
    assert "拒绝发布 / Refused" in html
    assert "3 checksum-valid resident IDs" in html
    assert "&lt;script&gt;" in html
    assert "变化" in html  # the delta section
