"""The Dagster code location loads, validates, and serves its asset graph in the UI."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs import build_definitions

REPO = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).parent / "dagster"


def _asset_paths(defs: dg.Definitions) -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_dataset_gets_its_chain_and_every_source_its_raw_asset(demo_root: Path, tmp_path: Path) -> None:
    defs = build_definitions(catalog_root=demo_root, warehouse=tmp_path)
    paths = _asset_paths(defs)
    assert {"raw/gz-tourism-articles", "raw/gz-power-outage-notices", "raw/gz-weather-daily"} <= paths
    for dataset in ("tourism-zh-corpus", "weather-daily-obs", "guizhou-services-corpus"):
        assert {f"clean/{dataset}", f"dedup/{dataset}", f"published/{dataset}"} <= paths
        assert defs.resolve_job_def(f"build_{dataset.replace('-', '_')}") is not None
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"expectations", "hard_gates", "ledger_balance", "grant_valid", "quarantine_rate"} <= checks


def _env(demo_root: Path, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "HQDATA_CATALOG_ROOT": str(demo_root),
        "HQDATA_WAREHOUSE": str(tmp_path / "warehouse"),
    }


@pytest.mark.slow
def test_dagster_definitions_validate(demo_root: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=REPO,
        env=_env(demo_root, tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_the_ui_serves_the_asset_graph_on_loopback(demo_root: Path, tmp_path: Path) -> None:
    """`make ui` runs `dagster dev`; started in its own process group so the whole group can be stopped."""
    port = _free_port()
    log = (tmp_path / "dagster-dev.log").open("w")
    server = subprocess.Popen(
        [str(DAGSTER), "dev", "-h", "127.0.0.1", "-p", str(port), "-m", "pipelines.definitions"],
        cwd=REPO,
        env=_env(demo_root, tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 150
        paths: set[str] = set()
        while time.monotonic() < deadline and server.poll() is None:
            try:
                data = _graphql(port, "{ assetNodes { assetKey { path } } }")
                paths = {"/".join(node["assetKey"]["path"]) for node in data["data"]["assetNodes"]}
                if paths:
                    break
            except (OSError, KeyError, TypeError):
                pass
            time.sleep(2)
        assert "published/tourism-zh-corpus" in paths, (tmp_path / "dagster-dev.log").read_text()[-3000:]
        assert "raw/gz-weather-daily" in paths
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
