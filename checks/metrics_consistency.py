"""一致性 (consistency) indicators: unique ids, content hashes that match, provenance that traces."""

import polars as pl

from catalog.records import sha256_hex
from checks.facts import ReleaseFacts
from checks.metric import Metric, not_evaluated, ratio
from checks.metrics_completeness import is_filled


def id_uniqueness(records: pl.DataFrame) -> Metric:
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


def content_hash(facts: ReleaseFacts) -> Metric:
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
    mismatched = [i for i, text, digest in pairs if text is None or sha256_hex(text) != digest]
    evidence = f"{len(mismatched):,} mismatches" + (
        f", e.g. {', '.join(map(str, mismatched[:3]))}" if mismatched else ""
    )
    return ratio(*ident, a=records.height - len(mismatched), b=records.height, rule=rule, evidence=evidence)


def provenance(facts: ReleaseFacts) -> Metric:
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
            (
                pl.col("_grant").is_not_null()
                & (pl.col("grant_id") == pl.col("_grant"))
                & is_filled(records, "source_key")
            )
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
