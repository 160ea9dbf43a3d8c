"""The quality report of a release (DESIGN §7): a JSON document and a self-contained HTML page.

``build_report`` is a pure function of ``ReleaseFacts``; the JSON is stable (field order fixed,
maps sorted, ``ensure_ascii=False``) so that two runs on the same facts write identical bytes.
"""

import json
from datetime import date
from importlib import resources
from typing import Any, Literal

import jinja2
import polars as pl
from pydantic import BaseModel, ConfigDict

from checks.expectations import SuiteResult
from checks.facts import ReleaseFacts
from checks.metrics import Metric, compute_metrics, funnel, outcome_kind
from checks.scoring import GRADE_CUTOFFS, LOWEST_GRADE, DimensionScore, Gate, Scorecard, assess, grade

FORMAT_VERSION = 1
REGRESSION_THRESHOLD = 0.02  # a metric falling by more than this since the previous version is flagged
QUALITY_BINS = 10
LENGTH_BREAKS: tuple[int, ...] = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
STANDARDS: tuple[dict[str, str], ...] = (
    {
        "view": "gbt_36344",
        "standard": "GB/T 36344-2018 信息技术 数据质量评价指标",
        "clauses": "six dimensions 规范性 完整性 准确性 一致性 时效性 可访问性; every indicator X = A/B",
    },
    {
        "view": "gbt_36344",
        "standard": "DB31/T 1523-2024",
        "clauses": "duplicate and dirty-data rates written 1 − A/B; 050400 authorisation validity",
    },
    {
        "view": "tc609",
        "standard": "TC609-5-2025-04 高质量数据集 质量评测规范",
        "clauses": "01 documentation (aspects covered / 5), 02 data quality (record pass rates), 03 model use",
    },
    {
        "view": "hard_gates",
        "standard": "TC260-003-2024; GB/T 45654-2025",
        "clauses": "no source over 5% illegal or harmful content",
    },
    {"view": "hard_gates", "standard": "GB/T 43697-2024", "clauses": "classification and grading; 就高从严"},
    {
        "view": "hard_gates",
        "standard": "GB 11643; ISO/IEC 7812 (Luhn)",
        "clauses": "checksum-valid resident ID and bank-card numbers must be masked",
    },
    {
        "view": "hard_gates",
        "standard": "发改数据规〔2025〕27号",
        "clauses": "authorised operation of public data: grant valid for the purpose on the run date",
    },
)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FunnelReport(Model):
    ingested: int
    quarantined: int
    filtered: int
    duplicates: int
    published: int
    by_reason: dict[str, int]
    stage_stats: dict[str, dict[str, float]]


class SourceRow(Model):
    source_id: str
    title: str
    classification: str | None
    license: str | None
    grant_id: str | None
    ingested: int
    quarantined: int
    filtered: int
    duplicates: int
    published: int


class Histogram(Model):
    labels: list[str]
    counts: list[int]


class Distributions(Model):
    quality_score: Histogram | None
    length: Histogram | None
    dup_cluster_size: Histogram | None
    null_counts: dict[str, int]


class MetricDelta(Model):
    id: str
    name: str
    previous: float | None
    current: float | None
    change: float | None
    regression: bool


class Delta(Model):
    previous_version: str | None
    overall_previous: float | None
    overall_current: float | None
    overall_change: float | None
    grade_previous: str | None
    metrics: list[MetricDelta]
    regressions: list[str]


class QualityReport(Model):
    """report.json (DESIGN §7); ``summary`` is copied into the version's manifest."""

    format_version: int = FORMAT_VERSION
    dataset: str
    version: str | None
    run_id: str
    generated_for_date: date
    decision: Literal["published", "refused"]
    refusal_reasons: list[str]
    summary: dict[str, Any]
    dataset_info: dict[str, Any]
    funnel: FunnelReport
    per_source: list[SourceRow]
    metrics: list[Metric]
    dimensions: dict[str, list[DimensionScore]]
    hard_gates: list[Gate]
    expectations: SuiteResult
    distributions: Distributions
    delta: Delta | None
    standards: list[dict[str, str]]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "QualityReport":
        return cls.model_validate_json(text)


def build_report(facts: ReleaseFacts) -> QualityReport:
    """Assess the release and assemble its report; written whether or not it is published."""
    metrics = compute_metrics(facts)
    card = assess(facts, metrics)
    decision: Literal["published", "refused"] = "published" if card.publishable else "refused"
    return QualityReport(
        dataset=facts.dataset.name,
        version=facts.version,
        run_id=facts.run_id,
        generated_for_date=facts.run_date,
        decision=decision,
        refusal_reasons=[] if decision == "published" else card.refusal_reasons,
        summary=_summary(facts, card, decision),
        dataset_info=_dataset_info(facts),
        funnel=_funnel(facts),
        per_source=_per_source(facts),
        metrics=metrics,
        dimensions={"gbt_36344": card.gbt_36344, "tc609": card.tc609},
        hard_gates=card.gates,
        expectations=facts.suite,
        distributions=_distributions(facts.records),
        delta=_delta(metrics, card, facts.previous),
        standards=list(STANDARDS),
    )


def render_html(report: QualityReport) -> str:
    """One self-contained page: inline CSS and SVG charts, no scripts, no network."""
    source = resources.files("checks").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["num"] = _fmt_num
    env.filters["tone"] = _tone
    failed_first = sorted(report.expectations.outcomes, key=lambda o: (o.success, o.decl.severity != "error", o.target))
    return env.from_string(source).render(
        r=report,
        outcomes=failed_first,
        cutoffs=[*GRADE_CUTOFFS, (LOWEST_GRADE, 0.0)],
        reason_rows=sorted(report.funnel.by_reason.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def _summary(facts: ReleaseFacts, card: Scorecard, decision: str) -> dict[str, Any]:
    return {
        "rows": facts.records.height,
        "overall": card.overall,
        "grade": card.grade,
        "decision": decision,
        "dimensions": {d.id: d.score for d in card.gbt_36344},
        "tc609": {d.id: d.score for d in card.tc609},
        "hard_gates": {g.id: g.status for g in card.gates},
        "expectations_passed": facts.suite.passed,
    }


def _dataset_info(facts: ReleaseFacts) -> dict[str, Any]:
    dataset = facts.dataset
    sources = [facts.source(i) for i in dataset.sources]
    return {
        "title": dataset.title or dataset.name,
        "description": dataset.description,
        "kind": dataset.kind,
        "purpose": dataset.purpose,
        "license": dataset.publish.license or ", ".join(sorted({s.license for s in sources if s})),
        "max_classification": dataset.publish.max_classification,
        "format": "parquet",
        "columns": {name: str(dtype) for name, dtype in facts.records.schema.items()},
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "format": s.format,
                "update_cycle": s.update_cycle,
                "license": s.license,
                "classification": s.classification,
                "grant_id": s.authorisation.grant_id if s.authorisation else None,
                "grantor": s.authorisation.grantor if s.authorisation else None,
                "valid_until": s.authorisation.valid_until.isoformat() if s.authorisation else None,
            }
            for s in sources
            if s is not None
        ],
        "recipe": {
            "clean": dataset.clean.fingerprint(),
            "pii": dataset.pii.fingerprint(),
            "dedup": dataset.dedup.fingerprint(),
            "scoring": dataset.scoring.fingerprint(),
        },
        "suites": list(dataset.suites),
    }


def _funnel(facts: ReleaseFacts) -> FunnelReport:
    counts = funnel(facts.ledger)
    return FunnelReport(
        ingested=counts.ingested,
        quarantined=counts.quarantined,
        filtered=counts.filtered,
        duplicates=counts.duplicates,
        published=counts.published,
        by_reason=dict(sorted(counts.by_reason.items())),
        stage_stats={
            stage: {k: float(v) for k, v in sorted(stats.items())} for stage, stats in sorted(facts.stage_stats.items())
        },
    )


def _per_source(facts: ReleaseFacts) -> list[SourceRow]:
    counts = (
        facts.ledger.group_by(pl.col("source_id").cast(pl.String), outcome_kind()).len().iter_rows()
        if facts.ledger.height
        else []
    )
    table: dict[str, dict[str, int]] = {}
    for source_id, kind, n in counts:
        table.setdefault(source_id or "", {})[kind or ""] = n
    rows = []
    for source_id in dict.fromkeys([*facts.dataset.sources, *sorted(table)]):
        by_kind = table.get(source_id, {})
        source = facts.source(source_id)
        rows.append(
            SourceRow(
                source_id=source_id,
                title=source.title if source else "",
                classification=source.classification if source else None,
                license=source.license if source else None,
                grant_id=source.authorisation.grant_id if source and source.authorisation else None,
                ingested=sum(by_kind.values()),
                quarantined=by_kind.get("quarantined", 0),
                filtered=by_kind.get("filtered", 0),
                duplicates=by_kind.get("duplicate_of", 0),
                published=by_kind.get("published", 0),
            )
        )
    return rows


def _distributions(records: pl.DataFrame) -> Distributions:
    return Distributions(
        quality_score=_quality_histogram(records) if "quality_score" in records.columns else None,
        length=_length_histogram(records) if "n_chars" in records.columns else None,
        dup_cluster_size=_cluster_sizes(records) if "dup_cluster_size" in records.columns else None,
        null_counts={name: int(n) for name, n in records.null_count().row(0, named=True).items()}
        if records.height
        else dict.fromkeys(records.columns, 0),
    )


def _quality_histogram(records: pl.DataFrame) -> Histogram:
    """Ten bins [0, 0.1) … [0.9, 1.0]; 1.0 falls in the last."""
    bins = (
        records.select(
            (pl.col("quality_score").cast(pl.Float64).clip(0, 1) * QUALITY_BINS)
            .floor()
            .clip(0, QUALITY_BINS - 1)
            .cast(pl.Int32)
            .alias("bin")
        )
        .drop_nulls()
        .group_by("bin")
        .len()
    )
    found = dict(bins.iter_rows())
    return Histogram(
        labels=[f"{i / QUALITY_BINS:.1f}–{(i + 1) / QUALITY_BINS:.1f}" for i in range(QUALITY_BINS)],
        counts=[int(found.get(i, 0)) for i in range(QUALITY_BINS)],
    )


def _length_histogram(records: pl.DataFrame) -> Histogram:
    """Roughly logarithmic character-count bins: <50, 50–99, …, ≥20k."""
    edges = (0, *LENGTH_BREAKS)
    labels = [f"{_short(lo)}–{_short(hi)}" for lo, hi in zip(edges[:-1], LENGTH_BREAKS, strict=True)]
    labels[0] = f"<{_short(LENGTH_BREAKS[0])}"
    labels.append(f"≥{_short(LENGTH_BREAKS[-1])}")
    binned = (
        records.select(
            pl.col("n_chars").cast(pl.Float64).cut(list(LENGTH_BREAKS), labels=labels, left_closed=True).alias("bin")
        )
        .drop_nulls()
        .group_by(pl.col("bin").cast(pl.String))
        .len()
    )
    found = dict(binned.iter_rows())
    return Histogram(labels=labels, counts=[int(found.get(label, 0)) for label in labels])


def _cluster_sizes(records: pl.DataFrame) -> Histogram:
    sizes = records.select(pl.col("dup_cluster_size").cast(pl.Int64)).drop_nulls().group_by("dup_cluster_size").len()
    rows = sorted(sizes.iter_rows())
    return Histogram(labels=[str(size) for size, _ in rows], counts=[int(n) for _, n in rows])


def _delta(metrics: list[Metric], card: Scorecard, previous: dict[str, Any] | None) -> Delta | None:
    if not previous:
        return None
    before = {m.get("id"): m.get("value") for m in previous.get("metrics", []) if isinstance(m, dict)}
    rows = []
    for metric in metrics:
        if metric.id not in before:
            continue
        old = before[metric.id]
        change = None if old is None or metric.value is None else round(metric.value - float(old), 6)
        rows.append(
            MetricDelta(
                id=metric.id,
                name=metric.name,
                previous=old,
                current=metric.value,
                change=change,
                regression=change is not None and change < -REGRESSION_THRESHOLD,
            )
        )
    old_summary = previous.get("summary") or {}
    old_overall = old_summary.get("overall")
    return Delta(
        previous_version=previous.get("version"),
        overall_previous=old_overall,
        overall_current=card.overall,
        overall_change=None if old_overall is None or card.overall is None else round(card.overall - old_overall, 2),
        grade_previous=old_summary.get("grade"),
        metrics=rows,
        regressions=[r.id for r in rows if r.regression],
    )


def _short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _fmt_num(value: float | int | None, digits: int = 0) -> str:
    """Thousands separators; '—' for missing values (used by the template)."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _tone(score: float | None) -> str:
    """CSS class for a 0–100 score, following the grade cut-offs."""
    return f"g{grade(score) or 'na'}"
