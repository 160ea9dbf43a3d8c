"""规范性 (conformance) indicators: records readable as declared, PII masked, content safe."""

from collections.abc import Mapping

from checks.facts import ReleaseFacts
from checks.funnel import Funnel, top_reasons
from checks.metric import Metric, not_evaluated, ratio


def parse_rate(counts: Funnel) -> Metric:
    return ratio(
        "parse_rate",
        "解析合格率 / Parse rate",
        "规范性",
        "0201",
        a=counts.ingested - counts.quarantined,
        b=counts.ingested,
        rule="1 − quarantined / ingested: records that could be read as declared (ledger outcomes)",
        evidence=f"{counts.quarantined:,} quarantined of {counts.ingested:,}"
        + (f": {top_reasons(counts.by_reason, 'quarantined')}" if counts.quarantined else ""),
    )


def pii_masking(facts: ReleaseFacts) -> Metric:
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


def content_safety(facts: ReleaseFacts) -> Metric:
    ident = ("content_safety", "内容安全合格率 / Content safety", "规范性", "0202")
    rule = "1 − records with harmful-content hits / published records (TC260-003 technical check)"
    if facts.harmful_hits is None:
        return not_evaluated(*ident, rule=rule, why="harmful-content check not run for this release")
    hits = harmful_total(facts.harmful_hits)
    rows = facts.records.height
    return ratio(*ident, a=max(rows - hits, 0), b=rows, rule=rule, evidence=f"{hits:,} hits in {rows:,} records")
