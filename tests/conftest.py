"""Shared fixtures: a generated copy of the demo organisation, and its datasets built once."""

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

from examples.generate import generate
from pipelines.build import build_dataset
from tests.support import EXAMPLES, RUN_DATE, DemoBuild


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example declarations with freshly generated data, outside the repo."""
    root = tmp_path_factory.mktemp("demo") / "catalog"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("data", "truth", "__pycache__", "*.py", "demo"))
    generate(root)
    return root


@pytest.fixture(scope="session")
def demo_build(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """Every demo dataset built once through Dagster, in-process, on an ephemeral instance."""
    warehouse = tmp_path_factory.mktemp("warehouse")
    instance = dg.DagsterInstance.ephemeral()
    results = {
        name: build_dataset(name, catalog_root=demo_root, warehouse=warehouse, run_date=RUN_DATE, instance=instance)
        for name in ("tourism-zh-corpus", "weather-daily-obs", "guizhou-services-corpus")
    }
    truth = json.loads((demo_root / "truth" / "planted.json").read_text(encoding="utf-8"))
    return DemoBuild(root=demo_root, warehouse=warehouse, truth=truth, results=results)
