"""The ``Metric`` model: one GB/T 36344 indicator ``X = A/B`` in [0, 1], higher better.

A metric that cannot be computed (no rule, or nothing to count: ``B = 0``) is ``not_evaluated``
with a null value, never 1, so that it cannot raise a score. The metric modules of each dimension
build their indicators with ``ratio`` and ``not_evaluated``.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from catalog.models import Dimension

DIMENSIONS: tuple[Dimension, ...] = ("规范性", "完整性", "准确性", "一致性", "时效性", "可访问性")
DIMENSION_EN: dict[Dimension, str] = {
    "规范性": "conformance",
    "完整性": "completeness",
    "准确性": "accuracy",
    "一致性": "consistency",
    "时效性": "timeliness",
    "可访问性": "accessibility",
}

Status = Literal["evaluated", "not_evaluated"]


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
