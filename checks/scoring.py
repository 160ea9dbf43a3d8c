"""Metrics → dimension scores (GB/T 36344 and TC609 views) → overall and grade; hard gates apart.

Scores are 0–100. A dimension whose metrics were all not evaluated is itself not evaluated and
left out of the overall, which is the weighted mean of the evaluated GB/T 36344 dimensions. Hard
gates are pass/fail conditions that no score can buy back: they are never averaged in.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from catalog.models import classification_rank
from checks.facts import ReleaseFacts
from checks.metrics import DIMENSION_EN, DIMENSIONS, Metric, grant_problems

# Lowest overall score for each grade, best first; below the last cut-off is "E".
GRADE_CUTOFFS: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
LOWEST_GRADE = "E"
HARMFUL_MAX_RATE = 0.05  # TC260-003-2024: no source with more than 5% illegal or harmful content

Status = Literal["evaluated", "not_evaluated"]
GateStatus = Literal["passed", "failed", "not_evaluated"]

TC609_DIMENSIONS: dict[str, str] = {
    "01": "文档质量 / Documentation",
    "02": "数据质量 / Data quality",
    "03": "模型应用 / Model use",
}
TC609_ITEMS: dict[str, str] = {
    "0101": "基本信息 / Basic info",
    "0102": "内容特征 / Content features",
    "0103": "构建过程 / Construction",
    "0104": "使用信息 / Use",
    "0201": "格式规范 / Format",
    "0202": "内容安全 / Safety",
    "0203": "标注质量 / Annotation",
    "0204": "结构完整 / Structural completeness",
    "0205": "真实可溯 / Authenticity",
    "0206": "内容一致 / Content consistency",
    "0207": "类型一致 / Type consistency",
    "0208": "洁净度 / Cleanliness",
    "0301": "多样性 / Diversity",
    "0302": "规模 / Scale",
    "0303": "时效性 / Timeliness",
    "0304": "标注准确性 / Label accuracy",
    "0305": "模型适配 / Model fit",
}
# Documentation aspects (TC609 01: covered / 5). Every published version carries a manifest (files,
# sizes, schema, parent version), this report and the recipe fingerprints, so those aspects hold by
# construction; the others depend on the declarations.
DocCheck = Callable[[ReleaseFacts], bool]
DOC_ASPECTS: dict[str, tuple[tuple[str, DocCheck], ...]] = {
    "0101": (
        ("size", lambda f: True),
        ("format and schema", lambda f: f.records.width > 0),
        ("file structure (manifest)", lambda f: True),
        ("access channel (warehouse, consumer API)", lambda f: True),
        ("support contact", lambda f: False),
    ),
    "0103": (
        ("sources", lambda f: all(f.source(i) is not None for i in f.dataset.sources)),
        ("collection method (format, location, update cycle)", lambda f: True),
        ("processing flow (recipe fingerprints)", lambda f: True),
        ("annotation rules", lambda f: False),
        ("version history (manifest parent)", lambda f: True),
    ),
    "0104": (
        ("licence", lambda f: bool(f.dataset.publish.license) or all(s.license.strip() for s in f.sources)),
        ("target scenarios (purpose)", lambda f: bool(f.dataset.purpose.strip())),
        ("evaluation method (this report)", lambda f: True),
        ("benchmark results", lambda f: False),
        ("typical cases", lambda f: False),
    ),
}
NOT_ASSESSED: dict[str, str] = {
    "0102": "content features are documented in the dataset card, not assessed here",
    "0203": "no annotations in this pipeline",
    "0301": "no required distribution declared",
    "0304": "no annotations in this pipeline",
    "0305": "needs a model-fit experiment against a baseline dataset",
}


class ItemScore(BaseModel):
    """A TC609 item (e.g. 0201) scored from its metrics or documentation aspects."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    score: float | None
    status: Status
    metrics: list[str]
    evidence: str


class DimensionScore(BaseModel):
    """One dimension of either view, 0–100, with the metrics or items it was computed from."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    score: float | None
    status: Status
    weight: float
    metrics: list[str]
    items: list[ItemScore]


class Gate(BaseModel):
    """A hard gate: passed, failed or not evaluated, with the evidence; never averaged."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    status: GateStatus
    evidence: str
    standard: str


class Scorecard(BaseModel):
    model_config = ConfigDict(frozen=True)

    gbt_36344: list[DimensionScore]
    tc609: list[DimensionScore]
    overall: float | None
    grade: str | None
    gates: list[Gate]
    suite_passed: bool
    publishable: bool
    refusal_reasons: list[str]


def grade(score: float | None) -> str | None:
    """The letter for an overall score (see ``GRADE_CUTOFFS``); None when nothing was scored."""
    if score is None:
        return None
    return next((letter for letter, cutoff in GRADE_CUTOFFS if score >= cutoff), LOWEST_GRADE)


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs; None when no weight is positive."""
    total = sum(w for _, w in pairs if w > 0)
    return sum(v * w for v, w in pairs if w > 0) / total if total > 0 else None


def gbt_dimensions(metrics: Sequence[Metric], weights: Mapping[str, float]) -> list[DimensionScore]:
    """GB/T 36344 view: each dimension is the weighted mean of its evaluated metrics × 100."""
    scores = []
    for dim in DIMENSIONS:
        mine = [m for m in metrics if m.dimension == dim]
        value = weighted_mean([(m.value, m.weight) for m in mine if m.value is not None])
        scores.append(
            DimensionScore(
                id=dim,
                name=f"{dim} / {DIMENSION_EN[dim].capitalize()}",
                score=_pct(value),
                status="evaluated" if value is not None else "not_evaluated",
                weight=weights.get(dim, 1.0),
                metrics=[m.id for m in mine],
                items=[],
            )
        )
    return scores


def tc609_dimensions(facts: ReleaseFacts, metrics: Sequence[Metric]) -> list[DimensionScore]:
    """TC609 view: items from metrics (02, 03) or documentation aspects (01); a dimension is their mean."""
    items = [_item(facts, metrics, item) for item in TC609_ITEMS]
    scores = []
    for dim, name in TC609_DIMENSIONS.items():
        mine = [i for i in items if i.id.startswith(dim)]
        value = weighted_mean([(i.score, 1.0) for i in mine if i.score is not None])
        scores.append(
            DimensionScore(
                id=dim,
                name=name,
                score=None if value is None else round(value, 2),
                status="evaluated" if value is not None else "not_evaluated",
                weight=1.0,
                metrics=sorted({m for i in mine for m in i.metrics}),
                items=mine,
            )
        )
    return scores


def overall(dimensions: Sequence[DimensionScore]) -> float | None:
    value = weighted_mean([(d.score, d.weight) for d in dimensions if d.score is not None])
    return None if value is None else round(value, 2)


def evaluate_gates(facts: ReleaseFacts) -> list[Gate]:
    return [
        _authorisation(facts),
        _harmful(facts),
        _unmasked_pii(facts),
        _classification(facts),
        _ledger_balance(facts),
        _non_empty(facts),
    ]


def assess(facts: ReleaseFacts, metrics: Sequence[Metric]) -> Scorecard:
    """Scores, grade and gates of a release, and whether it may be published (and if not, why)."""
    gbt = gbt_dimensions(metrics, facts.dataset.scoring.weights)
    gates = evaluate_gates(facts)
    score = overall(gbt)
    reasons = [f"{g.name}: {g.evidence}" for g in gates if g.status == "failed"]
    reasons += [f"{facts.suite.suite_name}: {o.message}" for o in facts.suite.blocking_failures]
    return Scorecard(
        gbt_36344=gbt,
        tc609=tc609_dimensions(facts, metrics),
        overall=score,
        grade=grade(score),
        gates=gates,
        suite_passed=facts.suite.passed,
        publishable=not reasons,
        refusal_reasons=reasons,
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def _item(facts: ReleaseFacts, metrics: Sequence[Metric], item: str) -> ItemScore:
    name = TC609_ITEMS[item]
    if item in DOC_ASPECTS:
        aspects = DOC_ASPECTS[item]
        covered = [label for label, check in aspects if check(facts)]
        missing = [label for label, _ in aspects if label not in covered]
        return ItemScore(
            id=item,
            name=name,
            score=_pct(len(covered) / len(aspects)),
            status="evaluated",
            metrics=[],
            evidence=f"{len(covered)}/{len(aspects)} aspects covered"
            + (f"; missing: {', '.join(missing)}" if missing else ""),
        )
    mine = [m for m in metrics if m.tc609 == item]
    value = weighted_mean([(m.value, m.weight) for m in mine if m.value is not None])
    if value is None:
        why = NOT_ASSESSED.get(item) or ("no evaluated metric" if mine else "no metric maps to this item")
        return ItemScore(
            id=item, name=name, score=None, status="not_evaluated", metrics=[m.id for m in mine], evidence=why
        )
    return ItemScore(
        id=item,
        name=name,
        score=_pct(value),
        status="evaluated",
        metrics=[m.id for m in mine],
        evidence=", ".join(f"{m.id} {m.value:.4f}" for m in mine if m.value is not None),
    )


def _authorisation(facts: ReleaseFacts) -> Gate:
    problems = []
    for source_id in facts.dataset.sources:
        source = facts.source(source_id)
        if source is None:
            problems.append(
                f"{source_id}: no source declaration; declare it under sources/ or remove it from the dataset"
            )
        else:
            problems.extend(grant_problems(source, facts))
    return Gate(
        id="authorisation",
        name="授权有效 / Authorisation",
        status="failed" if problems else "passed",
        evidence="; ".join(problems)
        or f"{len(facts.dataset.sources)} grants valid on {facts.run_date} for purpose {facts.dataset.purpose!r}",
        standard="发改数据规〔2025〕27号 公共数据授权运营; DB31/T 1523-2024 050400",
    )


def _harmful(facts: ReleaseFacts) -> Gate:
    ident = {
        "id": "harmful_content",
        "name": "有害内容 / Harmful content",
        "standard": f"TC260-003-2024: no source over {HARMFUL_MAX_RATE:.0%} illegal or harmful content",
    }
    hits = facts.harmful_hits
    if hits is None:
        return Gate(status="not_evaluated", evidence="harmful-content check not run for this release", **ident)
    records = facts.records
    if isinstance(hits, int):
        rate = hits / records.height if records.height else (1.0 if hits else 0.0)
        status: GateStatus = "failed" if rate > HARMFUL_MAX_RATE else "passed"
        evidence = f"{hits:,} hits in {records.height:,} records ({rate:.2%}, dataset-wide: no per-source counts)"
        return Gate(status=status, evidence=evidence, **ident)
    sizes: dict[str, int] = (
        dict(records.group_by(pl.col("source_id").cast(pl.String)).len().iter_rows())
        if "source_id" in records.columns
        else {}
    )
    over, notes = [], []
    for source_id in sorted(set(facts.dataset.sources) | set(hits)):
        n, size = hits.get(source_id, 0), sizes.get(source_id, 0)
        rate = n / size if size else (1.0 if n else 0.0)
        notes.append(f"{source_id} {n:,}/{size:,} ({rate:.2%})")
        if rate > HARMFUL_MAX_RATE:
            over.append(source_id)
    prefix = f"over {HARMFUL_MAX_RATE:.0%} in {', '.join(over)}: " if over else ""
    return Gate(status="failed" if over else "passed", evidence=prefix + "; ".join(notes), **ident)


def _unmasked_pii(facts: ReleaseFacts) -> Gate:
    n = facts.unmasked_valid_pii
    return Gate(
        id="unmasked_pii",
        name="未脱敏个人信息 / Unmasked PII",
        status="failed" if n > 0 else "passed",
        evidence=f"{n:,} checksum-valid resident IDs or bank-card numbers left unmasked in published text"
        + ("; enable their masking in the dataset's pii settings" if n else ""),
        standard="GB 11643 resident ID check digit, Luhn for bank cards; 个人信息保护法",
    )


def _classification(facts: ReleaseFacts) -> Gate:
    allowed = facts.dataset.publish.max_classification
    levels = {s.id: s.classification for s in facts.sources if s.id in facts.dataset.sources}
    ident = {"id": "classification", "name": "分类分级 / Classification", "standard": "GB/T 43697-2024 (就高从严)"}
    if not levels:
        return Gate(status="not_evaluated", evidence="no declared source to classify", **ident)
    highest = max(levels.values(), key=classification_rank)
    above = sorted(i for i, level in levels.items() if classification_rank(level) > classification_rank(allowed))
    evidence = f"highest source level {highest}, target allows up to {allowed}"
    if above:
        evidence += f"; above it: {', '.join(f'{i} ({levels[i]})' for i in above)}"
    return Gate(status="failed" if above else "passed", evidence=evidence, **ident)


def _ledger_balance(facts: ReleaseFacts) -> Gate:
    """DESIGN §5: every input record has exactly one final outcome."""
    ingested = int(facts.stage_stats.get("ingest", {}).get("ingested", 0))
    rows = facts.ledger.height
    repeated = rows - facts.ledger["record_id"].n_unique()
    balanced = rows == ingested and repeated == 0
    return Gate(
        id="ledger_balance",
        name="台账平衡 / Ledger balance",
        status="passed" if balanced else "failed",
        evidence=f"ingested {ingested:,} = ledger rows {rows:,}; record ids with more than one outcome: {repeated:,}"
        if balanced
        else f"ingested {ingested:,} but the ledger has {rows:,} rows, {repeated:,} record ids with more than one "
        "outcome: records were lost or counted twice; this is a pipeline bug, report it",
        standard="hqdata DESIGN §5: ingested = published + filtered + duplicates + quarantined",
    )


def _non_empty(facts: ReleaseFacts) -> Gate:
    """An empty release passes every expectation vacuously; it must not be published as a version."""
    rows = facts.records.height
    return Gate(
        id="non_empty",
        name="非空发布 / Non-empty release",
        status="passed" if rows else "failed",
        evidence=f"{rows:,} records to publish"
        if rows
        else "no record survived cleaning and dedup; see the funnel for where they went",
        standard="GB/T 36344 完整性: records present vs expected",
    )
