"""Expectation pass rates, one indicator per dimension the release's suite has expectations for."""

from collections.abc import Sequence

from catalog.models import Dimension
from checks.expectations import ExpectationOutcome
from checks.metric import DIMENSION_EN, DIMENSIONS, Metric, ratio

# The TC609 02/03 item an expectation of each dimension evidences.
EXPECTATION_TC609: dict[Dimension, str | None] = {
    "规范性": "0201",
    "完整性": "0204",
    "准确性": "0207",
    "一致性": "0206",
    "时效性": "0303",
    "可访问性": None,
}


def expectation_rates(outcomes: Sequence[ExpectationOutcome]) -> list[Metric]:
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
