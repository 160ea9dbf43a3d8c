"""时效性 (timeliness) indicators: plausible record timestamps and sources updated on their cycle."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

import polars as pl

from catalog.models import Source
from checks.facts import ReleaseFacts
from checks.metric import Metric, not_evaluated, ratio

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


def time_validity(facts: ReleaseFacts) -> Metric:
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


def source_freshness(facts: ReleaseFacts) -> Metric:
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
