"""Hand-made releases for the checks tests: no pipeline, no Great Expectations."""

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest

from catalog.models import Dataset, ExpectationDecl, Source
from catalog.records import LEDGER_SCHEMA
from checks.expectations import ExpectationOutcome, SuiteResult
from checks.facts import ReleaseFacts

RUN_DATE = date(2026, 11, 22)
TEXTS = [
    "贵州黄果树瀑布是中国最大的瀑布之一，每年吸引大量游客前来观光。",
    "西江千户苗寨位于雷山县，是世界上最大的苗族聚居村寨。",
    "梵净山是武陵山脉的主峰，被列为世界自然遗产。",
    "荔波小七孔景区以山水秀丽著称，四季皆宜游览。",
    "遵义会议会址是重要的红色旅游目的地。",
    "镇远古镇依山傍水，历史悠久，古建筑保存完好。",
]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def source(id: str, **changes: Any) -> Source:
    base: dict[str, Any] = {
        "id": id,
        "title": f"{id} 标题",
        "kind": "text",
        "format": "jsonl",
        "location": f"data/{id}/*.jsonl",
        "fields": {"id": "doc_id", "text": "content", "original_time": "published_at"},
        "license": "CC-BY-4.0",
        "classification": "general-2",
        "update_cycle": "daily",
        "authorisation": {
            "grant_id": f"G-{id}",
            "grantor": "贵州省大数据发展管理局",
            "grantee": "贵州大数据集团",
            "scope": "domain",
            "purposes": ["model-training"],
            "valid_from": date(2026, 1, 1),
            "valid_until": date(2027, 12, 31),
        },
    }
    base.update(changes)
    return Source.model_validate(base)


def text_records(n: int = 6) -> pl.DataFrame:
    texts = TEXTS[:n]
    return pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(n)],
            "text": texts,
            "source_id": ["news" if i % 2 == 0 else "blog" for i in range(n)],
            "grant_id": ["G-news" if i % 2 == 0 else "G-blog" for i in range(n)],
            "source_uri": [f"file:///data/{i}.jsonl" for i in range(n)],
            "source_key": [f"k{i}" for i in range(n)],
            "original_time": [datetime(2026, 11, 21, 8, tzinfo=UTC)] * n,
            "ingested_at": [datetime(2026, 11, 22, 1, tzinfo=UTC)] * n,
            "content_sha256": [sha(t) for t in texts],
            "lang": ["zh"] * n,
            "n_chars": [len(t) for t in texts],
            "quality_score": [0.35, 0.55, 0.72, 0.81, 0.93, 1.0][:n],
            "pii_masked": [0] * n,
            "dup_cluster_size": [1, 1, 2, 1, 3, 1][:n],
        }
    )


def ledger(published: pl.DataFrame, extra: list[tuple[str, str]] | None = None) -> pl.DataFrame:
    """Published rows for ``published`` plus (source_id, outcome) rows for removed records."""
    rows = [
        {
            "record_id": r["id"],
            "source_id": r["source_id"],
            "source_key": r.get("source_key", r["id"]),
            "stage": "publish",
            "outcome": "published",
            "detail": "",
        }
        for r in published.iter_rows(named=True)
    ]
    for i, (source_id, outcome) in enumerate(extra or []):
        rows.append(
            {
                "record_id": f"x{i}",
                "source_id": source_id,
                "source_key": f"line {i}",
                "stage": "clean",
                "outcome": outcome,
                "detail": "",
            }
        )
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA)


REMOVED = [
    ("news", "quarantined:ingest_malformed_json"),
    ("news", "filtered:clean_too_short"),
    ("blog", "filtered:clean_low_cjk_ratio"),
    ("blog", "duplicate_of:doc-1"),
]


def outcome(decl: ExpectationDecl, *, rows: int, unexpected: int = 0) -> ExpectationOutcome:
    ok = unexpected == 0
    return ExpectationOutcome(
        decl=decl,
        gx_type="ExpectColumnValuesToNotBeNull",
        success=ok,
        element_count=rows,
        unexpected_count=unexpected,
        unexpected_percent=100 * unexpected / rows if rows else None,
        partial_unexpected=[] if ok else ["null"],
        message="passed" if ok else "FAILED: hand-made failure",
    )


def passing_suite(rows: int) -> SuiteResult:
    decls = [
        ExpectationDecl(expect="not_null", column="text", dimension="完整性"),
        ExpectationDecl(expect="unique", column="id", dimension="准确性"),
        ExpectationDecl(expect="regex", column="content_sha256", pattern="^[0-9a-f]{64}$", dimension="规范性"),
    ]
    return SuiteResult(suite_name="builtin", row_count=rows, outcomes=[outcome(d, rows=rows) for d in decls])


@pytest.fixture
def make_source() -> Callable[..., Source]:
    """A text source with a grant valid for model-training through 2027; keywords replace fields."""
    return source


@pytest.fixture
def make_records() -> Callable[..., pl.DataFrame]:
    """``n`` contract-conforming text records (DESIGN §4) from sources news and blog."""
    return text_records


@pytest.fixture
def make_outcome() -> Callable[..., ExpectationOutcome]:
    return outcome


@pytest.fixture
def make_facts() -> Callable[..., ReleaseFacts]:
    """Facts of a clean two-source text release; keyword arguments replace any field."""

    def make(**changes: Any) -> ReleaseFacts:
        records = changes.pop("records", None)
        records = text_records() if records is None else records
        fields: dict[str, Any] = {
            "dataset": Dataset(
                name="tourism-zh", kind="text", sources=["news", "blog"], purpose="model-training", title="旅游语料"
            ),
            "sources": [source("news"), source("blog")],
            "run_date": RUN_DATE,
            "run_id": "run-1",
            "version": "2026.11.22-1",
            "records": records,
            "ledger": ledger(records, REMOVED),
            "suite": passing_suite(records.height),
            "unmasked_valid_pii": 0,
            "harmful_hits": 0,
            "previous": None,
        }
        fields.update(changes)
        fields.setdefault("stage_stats", {"ingest": {"ingested": fields["ledger"].height}, "clean": {"seconds": 1.5}})
        return ReleaseFacts(**fields)

    return make
