"""GB/T 36344 indicators of one release, each ``X = A/B`` in [0, 1] with higher better.

Every metric states its rule and its evidence. A metric that cannot be computed (no rule, or
nothing to count: ``B = 0``) is ``not_evaluated`` with a null value, never 1, so that it cannot
raise a score. Rates of bad things are written ``1 − bad/B`` (DB31/T 1523-2024).
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from catalog.authorisation import check_grant
from catalog.models import Dimension, Source
from checks.expectations import ExpectationOutcome
from checks.facts import ReleaseFacts

DIMENSIONS: tuple[Dimension, ...] = ("规范性", "完整性", "准确性", "一致性", "时效性", "可访问性")
DIMENSION_EN: dict[Dimension, str] = {
    "规范性": "conformance",
    "完整性": "completeness",
    "准确性": "accuracy",
    "一致性": "consistency",
    "时效性": "timeliness",
    "可访问性": "accessibility",
}
# The TC609 02/03 item an expectation of each dimension evidences.
EXPECTATION_TC609: dict[Dimension, str | None] = {
    "规范性": "0201",
    "完整性": "0204",
    "准确性": "0207",
    "一致性": "0206",
    "时效性": "0303",
    "可访问性": None,
}
# Days per update cycle; a source is fresh while its newest record is within two cycles of the run.
CYCLE_DAYS: dict[str, int] = {
    "realtime": 1,
    "hourly": 1,
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "yearly": 366,
}
FRESHNESS_CYCLES = 2
# Columns every published record must fill (DESIGN §4), and those only sources that map them must.
TEXT_REQUIRED: tuple[str, ...] = (
    "id",
    "text",
    "source_id",
    "grant_id",
    "source_key",
    "ingested_at",
    "content_sha256",
    "lang",
    "n_chars",
    "quality_score",
)
TABLE_REQUIRED: tuple[str, ...] = ("id", "source_id", "grant_id", "source_key", "ingested_at")
MAPPED_OPTIONAL: tuple[str, ...] = ("original_time", "source_uri")
PLACEHOLDER_LICENCES = frozenset({"", "unknown", "none", "n/a", "tbd"})

Status = Literal["evaluated", "not_evaluated"]
OutcomeKind = Literal["published", "filtered", "duplicate_of", "quarantined"]


class Metric(BaseModel):
    """One indicator X = A/B with how it was computed and what it saw (DESIGN §7)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    dimension: Dimension
    tc609: str | None
    A: float | None
    B: float | None
    value: float | None
    rule: str
    sample_size: int
    evidence: str
    status: Status
    weight: float = 1.0


def ratio(
    id: str,
    name: str,
    dimension: Dimension,
    tc609: str | None,
    *,
    a: float,
    b: float,
    rule: str,
    evidence: str = "",
    sample_size: int | None = None,
) -> Metric:
    """A metric A/B, clipped to [0, 1]; not evaluated when there is no rule or nothing to count."""
    evaluated = bool(rule) and b > 0
    return Metric(
        id=id,
        name=name,
        dimension=dimension,
        tc609=tc609,
        A=a,
        B=b,
        value=round(min(max(a / b, 0.0), 1.0), 6) if evaluated else None,
        rule=rule,
        sample_size=int(b if sample_size is None else sample_size),
        evidence=evidence if evaluated else (evidence or "nothing to count (B = 0)"),
        status="evaluated" if evaluated else "not_evaluated",
    )


def not_evaluated(id: str, name: str, dimension: Dimension, tc609: str | None, *, rule: str, why: str) -> Metric:
    return Metric(
        id=id,
        name=name,
        dimension=dimension,
        tc609=tc609,
        A=None,
        B=None,
        value=None,
        rule=rule,
        sample_size=0,
        evidence=why,
        status="not_evaluated",
    )


@dataclass(frozen=True)
class Funnel:
    """Final outcomes of every ingested record, read from the ledger (DESIGN §5)."""

    ingested: int
    quarantined: int
    filtered: int
    duplicates: int
    published: int
    by_reason: dict[str, int] = field(default_factory=dict)


def outcome_kind() -> pl.Expr:
    """``published`` / ``filtered`` / ``duplicate_of`` / ``quarantined`` of a ledger outcome."""
    return pl.col("outcome").str.extract(r"^([a-z_]+)", 1).alias("kind")


def outcome_reason() -> pl.Expr:
    """The outcome without duplicate target ids, so that reasons can be counted."""
    return (
        pl.when(pl.col("outcome").str.starts_with("duplicate_of:"))
        .then(pl.lit("duplicate_of"))
        .otherwise(pl.col("outcome"))
        .alias("reason")
    )


def funnel(ledger: pl.DataFrame) -> Funnel:
    kinds = dict(ledger.group_by(outcome_kind()).len().iter_rows())
    reasons = ledger.group_by(outcome_reason()).len().sort("len", "reason", descending=[True, False])
    return Funnel(
        ingested=ledger.height,
        quarantined=kinds.get("quarantined", 0),
        filtered=kinds.get("filtered", 0),
        duplicates=kinds.get("duplicate_of", 0),
        published=kinds.get("published", 0),
        by_reason={r: n for r, n in reasons.iter_rows() if r != "published"},
    )


def grant_problems(source: Source, facts: ReleaseFacts) -> list[str]:
    """Why ``source``'s grant does not cover the dataset on the run date (empty when it does).

    Classification is left to its own gate: it is about the publish target, not the grant.
    """
    verdict = check_grant(source, run_date=facts.run_date, settings=facts.settings, dataset=facts.dataset)
    return [] if verdict.rule in ("valid", "classification") else [verdict.message]


def compute_metrics(facts: ReleaseFacts) -> list[Metric]:
    """All indicators of the release, in report order."""
    counts = funnel(facts.ledger)
    return [
        _parse_rate(counts),
        _pii_masking(facts),
        _content_safety(facts),
        *_expectation_rates(facts.suite.outcomes),
        *_completeness(facts),
        _scale(facts),
        _duplicate_rate(counts),
        _dirty_rate(counts),
        _id_uniqueness(facts.records),
        _content_hash(facts),
        _provenance(facts),
        _time_validity(facts),
        _source_freshness(facts),
        _grant_validity(facts),
        _licence_declared(facts),
    ]


def _top(reasons: dict[str, int], prefix: str, limit: int = 3) -> str:
    shown = [f"{r.split(':', 1)[-1]} {n:,}" for r, n in reasons.items() if r.startswith(prefix)][:limit]
    return "; ".join(shown)


def _parse_rate(counts: Funnel) -> Metric:
    return ratio(
        "parse_rate",
        "解析合格率 / Parse rate",
        "规范性",
        "0201",
        a=counts.ingested - counts.quarantined,
        b=counts.ingested,
        rule="1 − quarantined / ingested: records that could be read as declared (ledger outcomes)",
        evidence=f"{counts.quarantined:,} quarantined of {counts.ingested:,}"
        + (f": {_top(counts.by_reason, 'quarantined')}" if counts.quarantined else ""),
    )


def _pii_masking(facts: ReleaseFacts) -> Metric:
    rows = facts.records.height
    return ratio(
        "pii_masking",
        "个人信息去标识合规率 / PII masking compliance",
        "规范性",
        "0202",
        a=max(rows - facts.unmasked_valid_pii, 0),
        b=rows,
        rule="1 − unmasked checksum-valid resident IDs and bank cards / published records "
        "(each occurrence counts as one record: a lower bound)",
        evidence=f"{facts.unmasked_valid_pii:,} checksum-valid numbers left unmasked in {rows:,} records",
    )


def harmful_total(hits: int | Mapping[str, int]) -> int:
    return hits if isinstance(hits, int) else sum(hits.values())


def _content_safety(facts: ReleaseFacts) -> Metric:
    ident = ("content_safety", "内容安全合格率 / Content safety", "规范性", "0202")
    rule = "1 − records with harmful-content hits / published records (TC260-003 technical check)"
    if facts.harmful_hits is None:
        return not_evaluated(*ident, rule=rule, why="harmful-content check not run for this release")
    hits = harmful_total(facts.harmful_hits)
    rows = facts.records.height
    return ratio(*ident, a=max(rows - hits, 0), b=rows, rule=rule, evidence=f"{hits:,} hits in {rows:,} records")


def _expectation_rates(outcomes: Sequence[ExpectationOutcome]) -> list[Metric]:
    metrics = []
    for dim in DIMENSIONS:
        mine = [o for o in outcomes if o.dimension == dim]
        if not mine:
            continue
        failed = [o for o in mine if not o.success]
        element = sum(o.element_count for o in mine)
        metrics.append(
            ratio(
                f"expectations.{DIMENSION_EN[dim]}",
                f"期望通过率·{dim} / Expectation pass rate ({DIMENSION_EN[dim]})",
                dim,
                EXPECTATION_TC609[dim],
                a=sum(o.element_count - o.unexpected_count for o in mine),
                b=element,
                rule=f"Σ(rows − unexpected) / Σ rows over the {len(mine)} expectations tagged {dim}",
                evidence=f"{len(mine) - len(failed)} of {len(mine)} passed"
                + (f"; failed: {'; '.join(o.message for o in failed[:3])}" if failed else ""),
                sample_size=element,
            )
        )
    return metrics


def _required_cells(facts: ReleaseFacts) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(column, applies-to-row, is-filled) for each column a record must fill."""
    records = facts.records
    if facts.dataset.kind == "text":
        always = list(TEXT_REQUIRED)
    else:
        schema = next((s.schema_ for s in facts.sources if s.schema_), {})
        always = [*TABLE_REQUIRED, *(n for n, spec in schema.items() if spec.required or spec.key)]
    cells = [(c, pl.lit(True), _filled(records, c)) for c in dict.fromkeys(always)]
    for column in MAPPED_OPTIONAL:
        mapping = [s.id for s in facts.sources if column in s.fields or column in s.schema_]
        if mapping and column not in always:
            cells.append((column, pl.col("source_id").is_in(mapping).fill_null(False), _filled(records, column)))
    return cells


def _filled(records: pl.DataFrame, column: str) -> pl.Expr:
    if column not in records.columns:
        return pl.lit(False)
    if records.schema[column] == pl.String:
        return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")
    return pl.col(column).is_not_null()


def _completeness(facts: ReleaseFacts) -> list[Metric]:
    records = facts.records
    if "source_id" not in records.columns:
        records = records.with_columns(source_id=pl.lit(None, pl.String))
    cells = _required_cells(facts)
    columns = [c for c, _, _ in cells]
    flags = records.with_columns(
        *(applies.alias(f"b:{c}") for c, applies, _ in cells),
        *((applies & filled).alias(f"a:{c}") for c, applies, filled in cells),
    )
    sums = flags.select(
        *(pl.col(f"a:{c}").sum() for c in columns),
        *(pl.col(f"b:{c}").sum() for c in columns),
        pl.all_horizontal(pl.col(f"a:{c}") | ~pl.col(f"b:{c}") for c in columns).sum().alias("complete"),
    ).row(0, named=True)
    filled = sum(int(sums[f"a:{c}"] or 0) for c in columns)
    applicable = sum(int(sums[f"b:{c}"] or 0) for c in columns)
    gaps = sorted(((int(sums[f"b:{c}"] or 0) - int(sums[f"a:{c}"] or 0), c) for c in columns), reverse=True)
    gap_text = ", ".join(f"{c} {n:,} empty" for n, c in gaps if n) or "no empty required cell"
    return [
        ratio(
            "required_completeness",
            "必填字段完整率 / Required-field completeness",
            "完整性",
            "0204",
            a=filled,
            b=applicable,
            rule=f"non-empty cells / required cells over {', '.join(columns)} "
            "(original_time and source_uri only where the record's source maps them)",
            evidence=gap_text,
            sample_size=records.height,
        ),
        ratio(
            "record_completeness",
            "记录完整率 / Record completeness",
            "完整性",
            "0204",
            a=int(sums["complete"] or 0),
            b=records.height,
            rule="records with no empty required field / records",
            evidence=gap_text,
        ),
    ]


def _scale(facts: ReleaseFacts) -> Metric:
    ident = ("scale", "规模达成率 / Scale vs target", "完整性", "0302")
    rule = "min(records, target) / target records"
    if facts.size_target is None:
        return not_evaluated(*ident, rule=rule, why="no size target declared for this dataset")
    rows = facts.records.height
    return ratio(
        *ident,
        a=min(rows, facts.size_target),
        b=facts.size_target,
        rule=rule,
        evidence=f"{rows:,} records against a target of {facts.size_target:,}",
        sample_size=rows,
    )


def _duplicate_rate(counts: Funnel) -> Metric:
    readable = counts.ingested - counts.quarantined
    return ratio(
        "duplicate_rate",
        "1 − 重复率 / 1 − duplicate rate",
        "准确性",
        "0208",
        a=readable - counts.duplicates,
        b=readable,
        rule="1 − duplicates (exact and near, within the release and against earlier versions) "
        "/ (ingested − quarantined)",
        evidence=f"{counts.duplicates:,} duplicates of {readable:,} readable records",
    )


def _dirty_rate(counts: Funnel) -> Metric:
    readable = counts.ingested - counts.quarantined
    return ratio(
        "dirty_data_rate",
        "1 − 脏数据率 / 1 − dirty-data rate",
        "准确性",
        "0208",
        a=readable - counts.filtered,
        b=readable,
        rule="1 − records filtered by cleaning rules / (ingested − quarantined)",
        evidence=f"{counts.filtered:,} filtered of {readable:,}"
        + (f": {_top(counts.by_reason, 'filtered')}" if counts.filtered else ""),
    )


def _id_uniqueness(records: pl.DataFrame) -> Metric:
    ident = ("id_uniqueness", "标识唯一率 / Id uniqueness", "一致性", "0206")
    rule = "records whose id is present and occurs once / records"
    if "id" not in records.columns:
        return not_evaluated(*ident, rule=rule, why="records have no id column")
    unique = records.select((pl.col("id").is_not_null() & pl.col("id").is_unique()).sum()).item()
    repeated = records.filter(pl.col("id").is_duplicated() & pl.col("id").is_not_null())["id"].unique().sort()
    evidence = f"{records.height - unique:,} records share or lack an id" + (
        f", e.g. {', '.join(str(v) for v in repeated.head(3).to_list())}" if repeated.len() else ""
    )
    return ratio(*ident, a=unique, b=records.height, rule=rule, evidence=evidence)


def _content_hash(facts: ReleaseFacts) -> Metric:
    ident = ("content_hash_consistency", "内容哈希一致率 / Content-hash consistency", "一致性", "0206")
    rule = "records whose content_sha256 equals sha256(UTF-8 text) / records"
    records = facts.records
    if facts.dataset.kind != "text":
        return not_evaluated(*ident, rule=rule, why="applies to text datasets only")
    if not {"text", "content_sha256"} <= set(records.columns):
        return not_evaluated(*ident, rule=rule, why="records lack text or content_sha256")
    pairs = zip(
        records["id"].to_list() if "id" in records.columns else [None] * records.height,
        records["text"].to_list(),
        records["content_sha256"].to_list(),
        strict=True,
    )
    mismatched = [i for i, text, digest in pairs if text is None or hashlib.sha256(text.encode()).hexdigest() != digest]
    evidence = f"{len(mismatched):,} mismatches" + (
        f", e.g. {', '.join(map(str, mismatched[:3]))}" if mismatched else ""
    )
    return ratio(*ident, a=records.height - len(mismatched), b=records.height, rule=rule, evidence=evidence)


def _provenance(facts: ReleaseFacts) -> Metric:
    ident = ("provenance_consistency", "溯源一致率 / Provenance consistency", "一致性", "0205")
    rule = (
        "records whose source_id is a declared source, grant_id is that source's grant and source_key is set / records"
    )
    records = facts.records
    if not {"source_id", "grant_id", "source_key"} <= set(records.columns):
        return not_evaluated(*ident, rule=rule, why="records lack source_id, grant_id or source_key")
    grants = pl.DataFrame(
        {
            "source_id": [s.id for s in facts.sources if s.id in facts.dataset.sources],
            "_grant": [
                s.authorisation.grant_id if s.authorisation else None
                for s in facts.sources
                if s.id in facts.dataset.sources
            ],
        },
        schema={"source_id": pl.String, "_grant": pl.String},
    )
    traced = (
        records.select(pl.col("source_id").cast(pl.String), pl.col("grant_id").cast(pl.String), "source_key")
        .join(grants, on="source_id", how="left", maintain_order="left")
        .select(
            (pl.col("_grant").is_not_null() & (pl.col("grant_id") == pl.col("_grant")) & _filled(records, "source_key"))
            .fill_null(False)
            .sum()
        )
        .item()
    )
    return ratio(
        *ident,
        a=traced,
        b=records.height,
        rule=rule,
        evidence=f"{records.height - traced:,} records not traceable to a declared source and grant",
    )


def _utc_naive(series: pl.Series) -> pl.Series:
    """Timestamps as naive UTC microseconds; unparseable or non-temporal values become null."""
    if series.dtype == pl.String:
        series = series.str.to_datetime(strict=False, time_unit="us")
    if series.dtype == pl.Date:
        series = series.cast(pl.Datetime("us"))
    if not isinstance(series.dtype, pl.Datetime):
        return pl.Series(series.name, [None] * series.len(), dtype=pl.Datetime("us"))
    if series.dtype.time_zone is not None:
        series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return series.cast(pl.Datetime("us"))


def _dated_sources(facts: ReleaseFacts) -> list[Source]:
    return [
        s
        for s in facts.sources
        if s.id in facts.dataset.sources and ("original_time" in s.fields or "original_time" in s.schema_)
    ]


def _times(facts: ReleaseFacts, sources: Iterable[Source]) -> pl.DataFrame:
    """source_id, original_time and ingested_at (naive UTC) of records from ``sources``."""
    records = facts.records
    ids = [s.id for s in sources]
    height = records.height
    column = records["original_time"] if "original_time" in records.columns else pl.Series([None] * height)
    ingested = records["ingested_at"] if "ingested_at" in records.columns else pl.Series([None] * height)
    source_ids = records["source_id"].cast(pl.String) if "source_id" in records.columns else pl.Series([None] * height)
    frame = pl.DataFrame(
        {"source_id": source_ids.cast(pl.String), "t": _utc_naive(column), "ingested": _utc_naive(ingested)}
    )
    return frame.filter(pl.col("source_id").is_in(ids).fill_null(False))


def _time_validity(facts: ReleaseFacts) -> Metric:
    ident = ("time_validity", "时间有效率 / Timestamp validity", "时效性", "0303")
    rule = (
        "records with original_time present, not after ingested_at and not after the run date "
        "/ records of sources that map original_time"
    )
    sources = _dated_sources(facts)
    if not sources:
        return not_evaluated(*ident, rule=rule, why="no source maps original_time")
    times = _times(facts, sources)
    end_of_run = datetime.combine(facts.run_date + timedelta(days=1), time())
    valid = (
        pl.col("t").is_not_null()
        & (pl.col("t") <= pl.coalesce("ingested", pl.lit(end_of_run)))
        & (pl.col("t") < end_of_run)
    )
    counts = times.select(
        valid.fill_null(False).sum().alias("valid"),
        pl.col("t").is_null().sum().alias("missing"),
    ).row(0, named=True)
    future = times.height - counts["valid"] - counts["missing"]
    return ratio(
        *ident,
        a=counts["valid"],
        b=times.height,
        rule=rule,
        evidence=f"{counts['missing']:,} missing or unparseable, {future:,} after ingestion or the run date",
    )


def _source_freshness(facts: ReleaseFacts) -> Metric:
    ident = ("source_freshness", "来源时效率 / Source freshness", "时效性", "0303")
    rule = (
        f"sources whose newest original_time is within {FRESHNESS_CYCLES} update cycles of the run date "
        "/ sources with a periodic update_cycle that map original_time"
    )
    sources = [s for s in _dated_sources(facts) if s.update_cycle in CYCLE_DAYS]
    if not sources:
        return not_evaluated(*ident, rule=rule, why="no periodic source maps original_time")
    end_of_run = datetime.combine(facts.run_date + timedelta(days=1), time())
    newest = dict(
        _times(facts, sources).filter(pl.col("t") < end_of_run).group_by("source_id").agg(pl.col("t").max()).iter_rows()
    )
    fresh = 0
    notes = []
    for source in sources:
        window = FRESHNESS_CYCLES * CYCLE_DAYS[source.update_cycle]
        last = newest.get(source.id)
        if last is None:
            notes.append(f"{source.id}: no dated record")
            continue
        lag = (facts.run_date - last.date()).days
        fresh += lag <= window
        notes.append(f"{source.id}: newest {last.date()}, lag {lag} d, window {window} d ({source.update_cycle})")
    return ratio(*ident, a=fresh, b=len(sources), rule=rule, evidence="; ".join(notes))


def _declared_sources(facts: ReleaseFacts) -> tuple[list[Source], list[str]]:
    known = {s.id: s for s in facts.sources}
    return [known[i] for i in facts.dataset.sources if i in known], [i for i in facts.dataset.sources if i not in known]


def _grant_validity(facts: ReleaseFacts) -> Metric:
    sources, undeclared = _declared_sources(facts)
    problems = [p for s in sources for p in grant_problems(s, facts)]
    problems += [f"{i}: no source declaration" for i in undeclared]
    valid = sum(not grant_problems(s, facts) for s in sources)
    return ratio(
        "authorisation_validity",
        "授权有效率 / Authorisation validity",
        "可访问性",
        None,
        a=valid,
        b=len(facts.dataset.sources),
        rule="sources whose grant is valid on the run date and covers the dataset's purpose / sources",
        evidence="; ".join(problems) or f"all grants valid on {facts.run_date} for {facts.dataset.purpose}",
    )


def _licence_declared(facts: ReleaseFacts) -> Metric:
    sources, _ = _declared_sources(facts)
    missing = [s.id for s in sources if s.license.strip().lower() in PLACEHOLDER_LICENCES]
    return ratio(
        "licence_declared",
        "许可声明率 / Licence declared",
        "可访问性",
        None,
        a=len(sources) - len(missing),
        b=len(facts.dataset.sources),
        rule="sources with a declared licence (not empty or 'unknown') / sources",
        evidence=f"missing: {', '.join(missing)}" if missing else ", ".join(sorted({s.license for s in sources})),
    )
