"""The `hqdata` CLI: exit codes (DESIGN §8) and what it prints, against the built demo."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.support import RUN_DATE, DemoBuild

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.slow
def test_build_refuses_the_dataset_with_the_expired_grant(demo_build: DemoBuild) -> None:
    code, output = invoke(
        "build",
        "guizhou-services-corpus",
        "--catalog-root",
        str(demo_build.root),
        "--warehouse",
        str(demo_build.warehouse),
        "--run-date",
        RUN_DATE,
    )
    assert code == 1, output
    assert "refused" in output
    assert "GZDA-2025-0117" in output
    assert "2026-06-30" in output


def test_build_of_an_unknown_dataset_is_a_usage_error(demo_root: Path, tmp_path: Path) -> None:
    code, output = invoke("build", "tourism", "--catalog-root", str(demo_root), "--warehouse", str(tmp_path))
    assert code == 2
    assert "no dataset named 'tourism'" in output


def test_bad_declarations_exit_2(tmp_path: Path) -> None:
    code, output = invoke("build", "x", "--catalog-root", str(tmp_path))
    assert code == 2
    assert "is not a catalog root" in output


def test_sources_check_shows_status_and_days_left(demo_root: Path) -> None:
    code, output = invoke("sources", "check", "--catalog-root", str(demo_root), "--run-date", RUN_DATE)
    assert code == 0
    assert "gz-power-outage-notices" in output
    assert "expired" in output
    assert "403" in output  # gz-tourism-articles: 2027-12-31 is 403 days after the run date


def test_catalog_list_show_and_read(demo_build: DemoBuild, tmp_path: Path) -> None:
    warehouse = str(demo_build.warehouse)
    code, output = invoke("catalog", "list", "--warehouse", warehouse)
    assert code == 0
    assert "tourism-zh-corpus" in output
    assert "weather-daily-obs" in output
    assert "guizhou-services-corpus" not in output

    code, output = invoke("catalog", "show", "tourism-zh-corpus", "--warehouse", warehouse)
    assert code == 0
    assert "规范性" in output
    assert "manifest.json" not in output or "data/part-00000.parquet" in output

    code, output = invoke(
        "catalog",
        "read",
        "weather-daily-obs",
        "--columns",
        "station_id,obs_date",
        "--limit",
        "3",
        "--warehouse",
        warehouse,
    )
    assert code == 0
    assert "station_id" in output

    target = tmp_path / "export.parquet"
    code, output = invoke(
        "catalog",
        "read",
        "tourism-zh-corpus",
        "--min-quality",
        "0.5",
        "--output",
        str(target),
        "--warehouse",
        warehouse,
    )
    assert code == 0, output
    assert target.exists()


def test_catalog_show_of_an_unknown_version_exits_2(demo_build: DemoBuild) -> None:
    code, output = invoke(
        "catalog", "show", "tourism-zh-corpus", "--version", "v99", "--warehouse", str(demo_build.warehouse)
    )
    assert code == 2
    assert "v99" in output
