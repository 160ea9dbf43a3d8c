"""Values shared by the tests and their fixtures (conftest.py holds only fixtures)."""

from dataclasses import dataclass
from pathlib import Path

from pipelines.build import BuildResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUN_DATE = "2026-11-23"  # grants are checked against this date, so results do not depend on the clock


@dataclass(frozen=True)
class DemoBuild:
    root: Path
    warehouse: Path
    truth: dict
    results: dict[str, BuildResult]
