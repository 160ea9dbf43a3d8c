"""Asset checks on raw sources: grants about to expire, and sources that quarantine too much."""

import dagster as dg

from catalog.authorisation import EXPIRY_WARNING_DAYS, check_source
from catalog.models import Source
from pipelines.defs.assets import raw_key
from pipelines.defs.resources import HqdataResource

QUARANTINE_WARN_RATE = 0.05


def grant_check(source: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(source.id),
        name="grant_valid",
        description=f"The grant is valid on the run date; warns {EXPIRY_WARNING_DAYS} days before it expires.",
    )
    def _grant(hqdata: HqdataResource) -> dg.AssetCheckResult:
        catalog = hqdata.catalog()
        verdict = check_source(catalog, catalog.sources[source.id], run_date=hqdata.today(catalog))
        return dg.AssetCheckResult(
            passed=verdict.allowed and not verdict.expiring_soon,
            severity=dg.AssetCheckSeverity.ERROR if not verdict.allowed else dg.AssetCheckSeverity.WARN,
            description=verdict.message,
            metadata={"rule": verdict.rule, "days_left": verdict.days_left if verdict.days_left is not None else -1},
        )

    return _grant


def quarantine_check(source: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(source.id),
        name="quarantine_rate",
        description=f"Warns when more than {QUARANTINE_WARN_RATE:.0%} of a source's records are quarantined.",
    )
    def _quarantine(hqdata: HqdataResource) -> dg.AssetCheckResult:
        store = hqdata.staging()
        key = list(raw_key(source.id).path)
        staged = store.summary(key)
        ingested = store.record_count(key) + staged.ledger.height
        rate = staged.ledger.height / ingested if ingested else 0.0
        return dg.AssetCheckResult(
            passed=rate <= QUARANTINE_WARN_RATE,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "quarantined": staged.ledger.height,
                "ingested": ingested,
                "rate": rate,
                "by_reason": dg.MetadataValue.json(dict(staged.ledger["outcome"].value_counts().iter_rows())),
            },
        )

    return _quarantine
