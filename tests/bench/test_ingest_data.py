"""The benchmark's ingest input generator and its child-process measurement helper."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bench.ingest_data import ARTICLE_DEFECTS, WEATHER_DEFECTS, CorpusFiles, write_corpus
from bench.measure import MeasureError, measure
from catalog.authorisation import check_source
from catalog.loader import load_catalog
from examples.demo.weather import HEADER
from tests.bench.measure_helpers import allocate, fail

TARGET = 200_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusFiles:
    return write_corpus(tmp_path_factory.mktemp("bench") / "catalog", target_bytes=TARGET, seed=7)


def _article_defect(line: bytes) -> str | None:
    """What is wrong with a JSONL line, found independently of the generator."""
    if len(line) > 1 << 20:
        return "oversize_line"
    try:
        value = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return "invalid_utf8"
    except ValueError:
        return "malformed_json"
    if not isinstance(value, dict):
        return "not_an_object"
    if "content" not in value:
        return "missing_content"
    return None if value["content"].strip() else "blank_content"


def _weather_defect(line: bytes) -> str | None:
    """What is wrong with a CSV line; a good line must also be inside the declared ranges and rule."""
    try:
        text = line.decode("gb18030")
    except UnicodeDecodeError:
        return "undecodable"
    if not text.strip():
        return "blank_line"
    cells = text.split(",")
    if len(cells) != len(HEADER):
        return "wrong_field_count"
    try:
        high, low = float(cells[4]), float(cells[5])
    except ValueError:
        return "non_numeric_temperature"
    assert -30 <= low <= high <= 45, text
    assert 0 <= float(cells[6]) <= 500, text
    assert 0 <= int(cells[7]) <= 100, text
    assert 0 <= float(cells[8]) <= 60, text
    return None


def test_same_seed_gives_the_same_bytes(corpus: CorpusFiles, tmp_path: Path) -> None:
    again = write_corpus(tmp_path, target_bytes=TARGET, seed=7)
    written = sorted(p.relative_to(corpus.root) for p in corpus.root.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for name in written:
        assert (corpus.root / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert again.articles.planted == corpus.articles.planted


def test_declarations_load_with_grants_for_2026_and_2027(corpus: CorpusFiles) -> None:
    catalog = load_catalog(corpus.root)
    assert {s: catalog.sources[s].kind for s in catalog.sources} == {"bench-articles": "text", "bench-weather": "table"}
    for source in catalog.sources.values():
        assert source.authorisation.grantee == catalog.settings.operator
        for day in (date(2026, 1, 1), date(2027, 12, 31)):
            assert check_source(catalog, source, run_date=day).allowed


def test_sizes_and_line_counts_match_the_files(corpus: CorpusFiles) -> None:
    for f in (corpus.articles, corpus.weather):
        data = f.path.read_bytes()
        assert len(data) == f.n_bytes >= TARGET
        assert data.count(b"\n") == f.n_lines
        assert data.endswith(b"\n")
        assert f.n_records == f.n_lines - sum(f.planted.values()) - (f is corpus.weather)
    truth = json.loads((corpus.root / "planted.json").read_text(encoding="utf-8"))
    assert truth == json.loads(json.dumps(corpus.truth()))


def test_planted_articles_are_exactly_the_defective_lines(corpus: CorpusFiles) -> None:
    found = Counter(_article_defect(line) for line in corpus.articles.path.read_bytes().splitlines())
    assert found.pop(None) == corpus.articles.n_records
    assert found == corpus.articles.planted
    assert set(corpus.articles.planted) == set(ARTICLE_DEFECTS)
    assert min(corpus.articles.planted.values()) >= 1


def test_planted_weather_rows_are_exactly_the_defective_lines(corpus: CorpusFiles) -> None:
    header, *rows = corpus.weather.path.read_bytes().split(b"\n")[:-1]
    assert header.decode("gb18030").split(",") == list(HEADER)
    found = Counter(_weather_defect(line) for line in rows)
    assert found.pop(None) == corpus.weather.n_records
    assert found == corpus.weather.planted
    assert set(corpus.weather.planted) == set(WEATHER_DEFECTS)
    assert min(corpus.weather.planted.values()) >= 1


def test_measure_returns_the_value_and_the_child_s_own_usage() -> None:
    m = measure(allocate, 300_000_000, label="big")
    assert m.value == ("big", 300_000_000)
    assert m.start_rss_mb > 0
    assert m.peak_rss_mb >= 300_000_000 / 2**20 > m.start_rss_mb
    assert m.wall_s > 0
    assert m.cpu_s >= 0


def test_measure_reports_the_child_s_traceback() -> None:
    with pytest.raises(
        MeasureError, match=r"(?s)measure_helpers.fail failed in the child.*Traceback.*ValueError: planted failure"
    ):
        measure(fail)


def test_measure_refuses_what_cannot_be_spawned() -> None:
    with pytest.raises(MeasureError, match="module-level function"):
        measure(lambda: None)
