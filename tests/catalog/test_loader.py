"""Loading declarations: valid roots load, and every mistake names the file, field and fix."""

from pathlib import Path

import pytest
import yaml

from catalog.errors import DeclarationError
from catalog.loader import load_catalog
from tests.support import EXAMPLES


def _root(tmp_path: Path, *, sources: dict[str, dict], datasets: dict[str, dict]) -> Path:
    for folder, items in (("sources", sources), ("datasets", datasets)):
        (tmp_path / folder).mkdir()
        for name, body in items.items():
            (tmp_path / folder / f"{name}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return tmp_path


SOURCE = {
    "id": "s1",
    "title": "文章",
    "kind": "text",
    "format": "jsonl",
    "location": "data/*.jsonl",
    "fields": {"text": "content"},
    "license": "CC-BY-4.0",
    "classification": "general-2",
    "update_cycle": "daily",
}
DATASET = {"name": "d1", "kind": "text", "purpose": "model-training", "sources": ["s1"]}


def test_the_demo_catalog_loads() -> None:
    catalog = load_catalog(EXAMPLES)
    assert set(catalog.datasets) == {"tourism-zh-corpus", "guizhou-services-corpus", "weather-daily-obs"}
    assert catalog.settings.operator == "贵州大数据集团"
    assert catalog.sources["gz-weather-daily"].schema_["station_id"].key


def test_minimal_declarations_get_defaults(tmp_path: Path) -> None:
    catalog = load_catalog(_root(tmp_path, sources={"s1": SOURCE}, datasets={"d1": DATASET}))
    dataset = catalog.dataset("d1")
    assert dataset.dedup.ngram == 5
    assert dataset.clean.convert == "t2s"


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        pytest.param(
            {**DATASET, "dedupe": {}}, "datasets/d1.yaml: unknown field dedupe (did you mean 'dedup'?)", id="typo"
        ),
        pytest.param(
            {**DATASET, "sources": ["s2"]}, "datasets/d1.yaml: field sources.0: no source 's2'", id="unknown-source"
        ),
        pytest.param({k: v for k, v in DATASET.items() if k != "purpose"}, "field purpose is required", id="missing"),
        pytest.param({**DATASET, "dedup": {"threshold": 1.5}}, "field dedup.threshold", id="bounds"),
        pytest.param({**DATASET, "kind": "table"}, "is a text source but the dataset is kind table", id="kind"),
        pytest.param({**DATASET, "suites": ["nope"]}, "field suites.0: no suite 'nope'", id="suite"),
    ],
)
def test_errors_name_file_field_and_fix(tmp_path: Path, dataset: dict, expected: str) -> None:
    with pytest.raises(DeclarationError, match="problem") as caught:
        load_catalog(_root(tmp_path, sources={"s1": SOURCE}, datasets={"d1": dataset}))
    assert expected in str(caught.value)


def test_expired_dates_out_of_order_are_rejected(tmp_path: Path) -> None:
    grant = {
        "grant_id": "G-1",
        "grantor": "局",
        "grantee": "集团",
        "scope": "domain",
        "purposes": ["model-training"],
        "valid_from": "2026-05-01",
        "valid_until": "2026-01-01",
    }
    with pytest.raises(
        DeclarationError, match="sources/s1.yaml: field authorisation: valid_until 2026-01-01 is before"
    ):
        load_catalog(_root(tmp_path, sources={"s1": {**SOURCE, "authorisation": grant}}, datasets={"d1": DATASET}))


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    bad_source = {**SOURCE, "classification": "secret", "format": "xml"}
    with pytest.raises(DeclarationError) as caught:
        load_catalog(_root(tmp_path, sources={"s1": bad_source}, datasets={"d1": {**DATASET, "sources": ["s1", "zz"]}}))
    message = str(caught.value)
    assert "field classification" in message
    assert "field format" in message
    assert "no source 'zz'" in message


def test_a_folder_without_declarations_is_not_a_root(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="is not a catalog root"):
        load_catalog(tmp_path)


def test_invalid_yaml_is_reported_with_its_file(tmp_path: Path) -> None:
    root = _root(tmp_path, sources={"s1": SOURCE}, datasets={})
    (root / "datasets" / "broken.yaml").write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(DeclarationError, match="datasets/broken.yaml: not valid UTF-8 YAML"):
        load_catalog(root)
