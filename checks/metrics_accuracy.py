"""准确性 (accuracy) indicators: shares of readable records that were not duplicates or dirty."""

from checks.funnel import Funnel, top_reasons
from checks.metric import Metric, ratio


def duplicate_rate(counts: Funnel) -> Metric:
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


def dirty_rate(counts: Funnel) -> Metric:
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
        + (f": {top_reasons(counts.by_reason, 'filtered')}" if counts.filtered else ""),
    )
