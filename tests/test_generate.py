"""The demo generator: deterministic, meets its minimums, and its truth file matches the bytes it wrote.

Checks here re-derive everything from the written files with their own code (check digits, Luhn,
5-gram Jaccard), so a bug in the generator's helpers cannot hide behind itself.
"""

import csv
import datetime as dt
import itertools
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import opencc
import pytest

from examples.generate import generate

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
             61, 62, 63, 64, 65, 71, 81, 82}  # fmt: skip
WEATHER_COLUMNS = ("station_id", "station_name", "admin_code", "obs_date", "temp_max_c", "temp_min_c", "precip_mm",
                   "humidity_pct", "wind_ms")  # fmt: skip


def _id_ok(value: str) -> bool:
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return value[17].upper() == "10X98765432"[total % 11]


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def _grams(text: str) -> set[str]:
    norm = "".join(unicodedata.normalize("NFKC", text).split())
    return {norm[i : i + 5] for i in range(len(norm) - 4)}


def _jaccard(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("demo")
    return root, generate(root)


@pytest.fixture(scope="module")
def records(built: tuple[Path, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Well-formed tourism records by doc_id, with the file each came from."""
    root, truth = built
    out: dict[str, dict[str, Any]] = {}
    for name in truth["tourism"]["files"]:
        for line in (root / "data" / "tourism" / name).read_text(encoding="utf-8").split("\n")[:-1]:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("content"), str) and record["content"].strip():
                assert record["doc_id"] not in out, f"doc_id {record['doc_id']} appears twice"
                out[record["doc_id"]] = record | {"_file": name}
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7)
    generate(tmp_path / "b", seed=7)
    generate(tmp_path / "c", seed=8)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 5
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert (tmp_path / "a" / files[0]).read_bytes() != (tmp_path / "c" / files[0]).read_bytes()


def test_truth_file_is_the_returned_dict(built: tuple[Path, dict[str, Any]]) -> None:
    root, truth = built
    assert json.loads((root / "truth" / "planted.json").read_text(encoding="utf-8")) == truth


def test_tourism_counts_meet_the_minimums(built: tuple[Path, dict[str, Any]]) -> None:
    t = built[1]["tourism"]
    copied = [c["of"] for c in t["exact_copies"]]
    assert len(t["base_ids"]) >= 1600
    assert len(set(copied)) >= 40
    assert max(copied.count(b) for b in set(copied)) >= 2
    assert len(t["reposts"]) >= 60
    assert len(t["traditional"]) >= 20
    assert len(t["punctuation_variants"]) >= 30
    assert len(t["small_edits"]) >= 30
    assert len(t["navigation_junk"]) >= 25
    assert len(t["too_short"]) >= 10
    assert len(t["non_chinese"]) >= 5
    assert len({p["doc_id"] for p in t["pii"] if p["of"] is None}) >= 150
    problems = [m["problem"] for m in t["malformed"]]
    assert problems.count("broken_json") >= 5
    assert problems.count("missing_content") >= 3
    assert problems.count("empty_content") >= 3
    assert problems.count("not_an_object") == 2
    assert problems.count("blank") >= 2


def test_tourism_lines_are_what_the_truth_says(built: tuple[Path, dict[str, Any]], records: dict[str, Any]) -> None:
    root, truth = built
    t = truth["tourism"]
    malformed = {(m["file"], m["line"]): m for m in t["malformed"]}
    seen = 0
    for name, summary in t["files"].items():
        lines = (root / "data" / "tourism" / name).read_text(encoding="utf-8").split("\n")
        assert lines[-1] == ""
        lines = lines[:-1]
        assert len(lines) == summary["n_lines"]
        for number, line in enumerate(lines, start=1):
            planted = malformed.get((name, number))
            if planted is None:
                record = json.loads(line)
                assert t["locations"][record["doc_id"]] == f"{name}:{number}"
                assert record["published_at"].startswith(name[9:16])
                assert record["published_at"].endswith("+08:00")
                dt.datetime.fromisoformat(record["published_at"])
                assert record["url"].startswith(f"https://{record['site']}/")
                continue
            seen += 1
            problem = planted["problem"]
            if problem == "blank":
                assert line.strip() == ""
                continue
            if problem == "broken_json":
                with pytest.raises(json.JSONDecodeError):
                    json.loads(line)
                continue
            parsed = json.loads(line)
            if problem == "not_an_object":
                assert not isinstance(parsed, dict)
            elif problem == "missing_content":
                assert "content" not in parsed
                assert parsed["doc_id"] == planted["doc_id"]
            else:
                assert parsed["content"].strip() == ""
                assert parsed["doc_id"] == planted["doc_id"]
    assert seen == len(t["malformed"]) == t["n_malformed"] == t["expected"]["quarantined"]
    assert len(records) == t["n_records_total"] == t["n_lines"] - t["n_malformed"]


def test_copies_of_one_article_are_never_neighbours(built: tuple[Path, dict[str, Any]]) -> None:
    t = built[1]["tourism"]
    group = {m: g["base"] for g in t["duplicate_groups"] for m in [g["base"], *g["members"]]}
    where = sorted((loc.split(":")[0], int(loc.split(":")[1]), doc) for doc, loc in t["locations"].items())
    for (file_a, line_a, a), (file_b, line_b, b) in itertools.pairwise(where):
        if file_a == file_b and line_b == line_a + 1 and a in group:
            assert group[a] != group.get(b)
    members = sum(len(g["members"]) for g in t["duplicate_groups"])
    assert members == t["expected"]["planted_copies"]


def test_base_articles_are_long_enough_and_genuinely_different(
    built: tuple[Path, dict[str, Any]], records: dict[str, Any]
) -> None:
    t = built[1]["tourism"]
    texts = {i: records[i]["content"] for i in t["base_ids"]}
    for text in texts.values():
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) >= 300
        assert len(text) <= 900
    rng = random.Random(0)
    ids = list(texts)
    pairs = {tuple(rng.sample(ids, 2)) for _ in range(400)}
    sample = rng.sample(ids, 300)
    for a, b in itertools.combinations(sample, 2):
        if t["base_topics"][a]["topic"] == t["base_topics"][b]["topic"]:
            pairs.add((a, b))
    assert len(pairs) > 1000
    worst = max(_jaccard(texts[a], texts[b]) for a, b in pairs)
    assert worst < 0.35


def test_planted_copies_are_near_duplicates_of_their_base(
    built: tuple[Path, dict[str, Any]], records: dict[str, Any]
) -> None:
    t = built[1]["tourism"]
    base = {i: records[i]["content"] for i in t["base_ids"]}
    for copy in t["exact_copies"]:
        assert records[copy["id"]]["content"] == base[copy["of"]]
    # NFKC folds full-width commas and colons but keeps "。", so half-width variants sit lower.
    for kind, floor in (("reposts", 0.75), ("small_edits", 0.8), ("punctuation_variants", 0.6)):
        for copy in t[kind]:
            text = records[copy["id"]]["content"]
            assert text != base[copy["of"]]
            assert _jaccard(text, base[copy["of"]]) == pytest.approx(copy["jaccard5"], abs=1e-4)
            assert copy["jaccard5"] >= floor, (kind, copy)
    for copy in t["reposts"]:
        assert base[copy["of"]] in records[copy["id"]]["content"]
    t2s = opencc.OpenCC("t2s")
    for copy in t["traditional"]:
        text = records[copy["id"]]["content"]
        assert _jaccard(text, base[copy["of"]]) < 0.9
        assert _jaccard(t2s.convert(text), base[copy["of"]]) > 0.9
    for copy in t["punctuation_variants"]:
        text = records[copy["id"]]["content"]
        if copy["direction"] == "to_halfwidth":
            assert not set(text) & set("，。！？：；（）")
        else:
            assert re.search("[０-９]", text)
            assert unicodedata.normalize("NFKC", text) == unicodedata.normalize("NFKC", base[copy["of"]])


def test_junk_records_look_like_junk(built: tuple[Path, dict[str, Any]], records: dict[str, Any]) -> None:
    t = built[1]["tourism"]
    for i in t["too_short"]:
        assert len(records[i]["content"]) < 30
    for i in t["non_chinese"]:
        text = records[i]["content"]
        assert len(re.findall(r"[A-Za-z]", text)) > 0.6 * len(text)
    for i in t["navigation_junk"]:
        lines = records[i]["content"].split("\n")
        assert len(lines) >= 5
        assert max(len(line) for line in lines) <= 40


def test_planted_pii_is_where_the_truth_says_and_valid_as_recorded(
    built: tuple[Path, dict[str, Any]], records: dict[str, Any]
) -> None:
    pii = built[1]["tourism"]["pii"]
    for entry in pii:
        text, value = records[entry["doc_id"]]["content"], entry["value"]
        at = text.index(value)
        around = text[at - 1 : at] + text[at + len(value) : at + len(value) + 1]
        assert not re.search(r"[0-9A-Za-z]", around), (value, around)
        if entry["kind"] == "resident_id":
            assert re.fullmatch(r"\d{17}[\dX]", value)
            assert int(value[:2]) in PROVINCES
            dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
            assert _id_ok(value) is entry["valid"]
            assert not _luhn_ok(value.removesuffix("X")), "an ID must not also read as a bank card"
        elif entry["kind"] == "bank_card":
            assert re.fullmatch(r"\d{16,19}", value)
            assert len(value) != 18
            assert _luhn_ok(value) is entry["valid"]
            assert not any(_id_ok(value[i : i + 18]) for i in range(len(value) - 17)), "a card must not read as an ID"
        elif entry["kind"] == "mobile":
            assert re.fullmatch(r"1[3-9]\d{9}", value)
            assert entry["valid"]
        else:
            assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+", value)
            assert entry["valid"]
    bases = [p for p in pii if p["of"] is None]
    for kind in ("resident_id", "bank_card"):
        assert sum(p["kind"] == kind and p["valid"] for p in bases) >= 15
        assert sum(p["kind"] == kind and not p["valid"] for p in bases) >= 10


def test_no_unplanted_number_looks_like_pii(built: tuple[Path, dict[str, Any]], records: dict[str, Any]) -> None:
    planted: dict[str, set[str]] = {}
    for entry in built[1]["tourism"]["pii"]:
        planted.setdefault(entry["doc_id"], set()).add(entry["value"])
    pattern = re.compile(
        r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15,19}|1[3-9]\d{9})(?![0-9A-Za-z])|[A-Za-z0-9._]+@[A-Za-z0-9.-]+\.[a-z]+"
    )
    for doc_id, record in records.items():
        found = {m.group(0) for m in pattern.finditer(unicodedata.normalize("NFKC", record["content"]))}
        assert found <= planted.get(doc_id, set()), (doc_id, found)


def test_power_notices(built: tuple[Path, dict[str, Any]]) -> None:
    root, truth = built
    lines = (root / "data" / "power" / "notices-2026.jsonl").read_text(encoding="utf-8").splitlines()
    notices = [json.loads(line) for line in lines]
    assert len(notices) == truth["power"]["n_records"] == 150
    assert all(set(n) == {"notice_id", "title", "body", "issued_at", "url"} for n in notices)
    assert len({n["body"] for n in notices}) == 150


def _weather_problems(cells: list[str], ranges: dict[str, list[float]]) -> list[str]:
    """Every problem of one parsed row, judged independently of the generator."""
    if len(cells) != len(WEATHER_COLUMNS):
        return ["ingest_malformed_row"]
    row = dict(zip(WEATHER_COLUMNS, cells, strict=True))
    problems = []
    numbers: dict[str, float] = {}
    for column in ("temp_max_c", "temp_min_c", "precip_mm", "humidity_pct", "wind_ms"):
        if row[column]:
            try:
                numbers[column] = int(row[column]) if column == "humidity_pct" else float(row[column])
            except ValueError:
                problems.append("ingest_type_mismatch")
    if row["obs_date"]:
        try:
            dt.date.fromisoformat(row["obs_date"])
        except ValueError:
            problems.append("ingest_type_mismatch")
    problems += ["clean_required_null" for c in ("station_id", "obs_date", "temp_max_c", "temp_min_c") if not row[c]]
    problems += ["clean_out_of_range" for c, v in numbers.items() if not ranges[c][0] <= v <= ranges[c][1]]
    if not problems and numbers["temp_min_c"] > numbers["temp_max_c"]:
        problems.append("cross_field_min_gt_max")
    return problems


def test_weather_csv_matches_its_truth(built: tuple[Path, dict[str, Any]]) -> None:
    root, truth = built
    w = truth["weather"]
    raw_lines = (root / "data" / "weather" / w["file"]).read_bytes().split(b"\n")
    assert raw_lines[-1] == b""
    raw_lines = raw_lines[:-1]
    assert len(raw_lines) == w["n_lines"] == w["n_data_rows"] + 1
    assert raw_lines[0].decode("gb18030").split(",") == w["header"]
    assert w["n_stations"] >= 25
    assert w["n_days"] >= 20
    assert w["n_data_rows"] >= 500
    defects = {d["line"]: d for d in w["defects"]}
    undecodable = set()
    cells_at: dict[int, list[str]] = {}
    for number, raw in enumerate(raw_lines[1:], start=2):
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            undecodable.add(number)
            continue
        try:
            cells_at[number] = next(csv.reader([text], strict=True))
            problems = _weather_problems(cells_at[number], w["ranges"])
        except csv.Error:
            problems = ["ingest_malformed_row"]
        expected = [defects[number]["reason"]] if number in defects else []
        assert problems == expected, (number, text, problems)
    assert undecodable == {d["line"] for d in w["defects"] if d["reason"] == "ingest_undecodable"}
    assert len(undecodable) == 2
    reasons = [d["reason"] for d in w["defects"]]
    for reason, floor in (("ingest_malformed_row", 6), ("clean_required_null", 8), ("clean_out_of_range", 8),
                          ("ingest_type_mismatch", 5), ("cross_field_min_gt_max", 3)):  # fmt: skip
        assert reasons.count(reason) >= floor, reason
    for dup in w["exact_duplicates"]:
        assert raw_lines[dup["line"] - 1] == raw_lines[dup["of_line"] - 1]
        assert dup["line"] > dup["of_line"]
    for dup in w["key_duplicates"]:
        new, old = cells_at[dup["line"]], cells_at[dup["of_line"]]
        assert (new[0], new[3]) == (old[0], old[3]) == (dup["station_id"], dup["obs_date"])
        assert new != old
    assert len(w["exact_duplicates"]) >= 10
    assert len(w["key_duplicates"]) >= 4
    assert len(w["kept_nulls"]) >= 8
    for line in w["kept_nulls"]:
        row = dict(zip(WEATHER_COLUMNS, cells_at[line], strict=True))
        assert "" in (row["precip_mm"], row["wind_ms"])
    keys = {(c[0], c[3]) for n, c in cells_at.items() if n not in defects}
    assert len(keys) == w["n_valid_keys"]
