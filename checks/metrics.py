"""GB/T 36344 indicators of one release, each ``X = A/B`` in [0, 1] with higher better.

Every metric states its rule and its evidence. A metric that cannot be computed (no rule, or
nothing to count: ``B = 0``) is ``not_evaluated`` with a null value, never 1, so that it cannot
raise a score. Rates of bad things are written ``1 − bad/B`` (DB31/T 1523-2024).
"""

from checks.facts import ReleaseFacts
from checks.funnel import funnel, outcome_kind
from checks.metric import DIMENSION_EN, DIMENSIONS, Metric, not_evaluated, ratio
from checks.metrics_accessibility import grant_problems, grant_validity, licence_declared
from checks.metrics_accuracy import dirty_rate, duplicate_rate
from checks.metrics_completeness import completeness, scale
from checks.metrics_conformance import content_safety, parse_rate, pii_masking
from checks.metrics_consistency import content_hash, id_uniqueness, provenance
from checks.metrics_expectations import expectation_rates
from checks.metrics_timeliness import source_freshness, time_validity

# Imported from here by the report, the scores and the tests.
__all__ = [
    "DIMENSIONS",
    "DIMENSION_EN",
    "Metric",
    "compute_metrics",
    "funnel",
    "grant_problems",
    "not_evaluated",
    "outcome_kind",
    "ratio",
]


def compute_metrics(facts: ReleaseFacts) -> list[Metric]:
    """All indicators of the release, in report order."""
    counts = funnel(facts.ledger)
    return [
        parse_rate(counts),
        pii_masking(facts),
        content_safety(facts),
        *expectation_rates(facts.suite.outcomes),
        *completeness(facts),
        scale(facts),
        duplicate_rate(counts),
        dirty_rate(counts),
        id_uniqueness(facts.records),
        content_hash(facts),
        provenance(facts),
        time_validity(facts),
        source_freshness(facts),
        grant_validity(facts),
        licence_declared(facts),
    ]
