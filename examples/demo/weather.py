"""Source ``gz-weather-daily``: a GB18030 CSV of daily observations at Guizhou stations, November 2026.

Rows run by date, then station. Planted defect rows replace the row of their (station, date) key,
one defect each, so the expected outcome of every line is unambiguous; duplicate rows are extra lines.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipelines import reasons

SOURCE_ID = "gz-weather-daily"
FILE = "daily-2026-11.csv"
HEADER = ("站号", "站名", "行政区划代码", "观测日期", "最高气温", "最低气温", "降水量", "相对湿度", "平均风速")
COLUMNS = (
    "station_id",
    "station_name",
    "admin_code",
    "obs_date",
    "temp_max_c",
    "temp_min_c",
    "precip_mm",
    "humidity_pct",
    "wind_ms",
)
REQUIRED = ("station_id", "station_name", "admin_code", "obs_date", "temp_max_c", "temp_min_c", "humidity_pct")
# Plausible bounds for the source's schema; every planted out-of-range value is far outside them.
RANGES: dict[str, tuple[float, float]] = {
    "temp_max_c": (-30.0, 45.0), "temp_min_c": (-30.0, 45.0), "precip_mm": (0.0, 500.0), "humidity_pct": (0.0, 100.0),
    "wind_ms": (0.0, 60.0),
}  # fmt: skip
FIRST_DAY, N_DAYS = date(2026, 11, 1), 20
# (station id, name, GB/T 2260 code of its county, mean November max and min in °C, wetness)
STATIONS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("57816", "贵阳", "520102", 14.8, 8.2, 1.0), ("57713", "遵义", "520302", 14.6, 8.6, 1.0),
    ("57806", "安顺", "520402", 14.2, 7.9, 1.0), ("57707", "毕节", "520502", 12.6, 6.1, 0.9),
    ("57825", "凯里", "522601", 15.4, 8.9, 1.1), ("57827", "都匀", "522701", 15.9, 9.3, 1.1),
    ("57902", "兴义", "522301", 16.8, 9.6, 0.8), ("57741", "铜仁", "520602", 15.6, 9.8, 1.1),
    ("56693", "六盘水", "520201", 12.9, 6.4, 0.9), ("56691", "威宁", "520526", 10.1, 2.6, 0.7),
    ("57606", "桐梓", "520322", 13.1, 7.9, 1.0), ("57932", "榕江", "522632", 18.2, 11.2, 1.2),
    ("57614", "习水", "520330", 12.4, 7.2, 1.0), ("57609", "赤水", "520381", 17.0, 11.6, 1.1),
    ("57722", "湄潭", "520328", 14.3, 8.4, 1.0), ("57731", "思南", "520624", 15.8, 10.1, 1.0),
    ("57637", "沿河", "520627", 15.9, 10.3, 1.0), ("57800", "织金", "520524", 13.5, 7.1, 0.9),
    ("57911", "望谟", "522326", 20.4, 12.8, 0.8), ("57916", "罗甸", "522728", 20.9, 13.2, 0.8),
    ("57922", "独山", "522726", 14.9, 8.6, 1.2), ("57926", "荔波", "522722", 18.6, 11.4, 1.2),
    ("57832", "三穗", "522624", 14.6, 8.4, 1.1), ("57839", "天柱", "522627", 15.5, 9.1, 1.1),
    ("57936", "从江", "522633", 18.9, 11.8, 1.2), ("57845", "黎平", "522631", 15.2, 9.0, 1.2),
    ("56793", "盘州", "520281", 14.6, 7.3, 0.9), ("57640", "江口", "520621", 15.1, 9.4, 1.1),
    ("57803", "清镇", "520181", 13.9, 7.6, 1.0), ("57909", "贞丰", "522325", 17.6, 10.5, 0.9),
)  # fmt: skip

# The row rule temp_min_c <= temp_max_c; the pipeline files its failures under clean_row_rule.
CROSS_FIELD = "cross_field_min_gt_max"
# (problem, reason, column, bad value or None for a computed one, how many rows).
_DEFECTS: tuple[tuple[str, str, str, str | None, int], ...] = (
    ("too_few_fields", reasons.INGEST_MALFORMED_ROW, "", None, 2),
    ("too_many_fields", reasons.INGEST_MALFORMED_ROW, "", None, 2),
    ("unterminated_quote", reasons.INGEST_MALFORMED_ROW, "station_name", None, 2),
    ("wrong_delimiter", reasons.INGEST_MALFORMED_ROW, "", None, 1),
    ("required_null", reasons.CLEAN_REQUIRED_NULL, "station_id", "", 2),
    ("required_null", reasons.CLEAN_REQUIRED_NULL, "obs_date", "", 2),
    ("required_null", reasons.CLEAN_REQUIRED_NULL, "temp_max_c", "", 3),
    ("required_null", reasons.CLEAN_REQUIRED_NULL, "temp_min_c", "", 3),
    ("out_of_range", reasons.CLEAN_OUT_OF_RANGE, "temp_max_c", "99.9", 3),
    ("out_of_range", reasons.CLEAN_OUT_OF_RANGE, "temp_min_c", "-60.0", 2),
    ("out_of_range", reasons.CLEAN_OUT_OF_RANGE, "humidity_pct", "130", 3),
    ("out_of_range", reasons.CLEAN_OUT_OF_RANGE, "precip_mm", "-5.0", 2),
    ("type_mismatch", reasons.INGEST_TYPE_MISMATCH, "temp_max_c", "N/A", 2),
    ("type_mismatch", reasons.INGEST_TYPE_MISMATCH, "temp_max_c", "二十", 1),
    ("type_mismatch", reasons.INGEST_TYPE_MISMATCH, "obs_date", "2026-13-45", 2),
    ("type_mismatch", reasons.INGEST_TYPE_MISMATCH, "humidity_pct", "高", 1),
    ("undecodable", reasons.INGEST_UNDECODABLE, "station_name", None, 2),
    ("cross_field_min_gt_max", CROSS_FIELD, "temp_min_c", None, 4),
)
N_KEPT_NULLS, N_EXACT_DUPLICATES, N_KEY_DUPLICATES = 10, 12, 5


@dataclass
class Row:
    """One data line: its cells, its key, and what was planted in it."""

    cells: dict[str, str]
    key: tuple[str, str]
    defect: tuple[str, str, str] | None = None  # (problem, reason, column)
    kept_null: str | None = None
    copy_of: "Row | None" = None
    same_key_as: "Row | None" = None


def _observations(rng: random.Random) -> list[Row]:
    """Realistic November weather: a shared synoptic pattern (two cold fronts) plus station noise."""
    anomaly, wet = [], []
    level = 1.5
    for d in range(N_DAYS):
        level = level * 0.8 + rng.gauss(0, 0.8) - (4.5 if d in (7, 15) else 0)
        anomaly.append(level)
        wet.append(min(0.9, max(0.1, 0.35 + (0.4 if d in (6, 7, 8, 14, 15, 16) else 0) + rng.gauss(0, 0.1))))
    rows = []
    for d in range(N_DAYS):
        day = (FIRST_DAY + timedelta(days=d)).isoformat()
        for sid, name, code, tmax, tmin, wetness in STATIONS:
            hi = tmax + anomaly[d] + rng.gauss(0, 1.2)
            lo = min(tmin + 0.7 * anomaly[d] + rng.gauss(0, 0.9), hi - 2.0)
            rain = rng.random() < wet[d] * wetness
            cells = {
                "station_id": sid, "station_name": name, "admin_code": code, "obs_date": day,
                "temp_max_c": f"{hi:.1f}", "temp_min_c": f"{lo:.1f}",
                "precip_mm": f"{max(0.1, rng.expovariate(1 / 6)):.1f}" if rain else "0.0",
                "humidity_pct": str(rng.randint(80, 99) if rain else rng.randint(62, 89)),
                "wind_ms": f"{rng.uniform(0.4, 4.6):.1f}",
            }  # fmt: skip
            rows.append(Row(cells, (sid, day)))
    return rows


def _encode(row: Row) -> bytes:
    cells = row.cells
    problem = row.defect[0] if row.defect else None
    values = [cells[c] for c in COLUMNS]
    if problem == "too_few_fields":
        values = values[:-2]
    elif problem == "too_many_fields":
        values.append("备注：数据待核")
    elif problem == "unterminated_quote":
        values[1] = '"' + values[1]
    elif problem == "wrong_delimiter":
        return ";".join(values).encode("gb18030")
    elif problem == "undecodable":
        name = cells["station_name"].encode("gb18030")
        head = ",".join(values[:1]).encode("gb18030") + b","
        return head + name[:2] + b"\xff\xfe" + name[2:] + b"," + ",".join(values[2:]).encode("gb18030")
    return ",".join(values).encode("gb18030")


def _plant(rows: list[Row], rng: random.Random) -> None:
    """Give distinct keys one defect each, and other keys an empty optional cell."""
    chosen = rng.sample(rows, sum(n for *_, n in _DEFECTS) + N_KEPT_NULLS)
    for problem, reason, column, bad, n in _DEFECTS:
        for _ in range(n):
            row = chosen.pop()
            row.defect = (problem, reason, column)
            if bad is not None:
                row.cells[column] = bad
            elif problem == "cross_field_min_gt_max":
                row.cells["temp_min_c"] = f"{float(row.cells['temp_max_c']) + rng.uniform(0.6, 3.5):.1f}"
    for k in range(N_KEPT_NULLS):
        row = chosen.pop()
        row.kept_null = "precip_mm" if k % 2 == 0 else "wind_ms"
        row.cells[row.kept_null] = ""


def _duplicates(rows: list[Row], rng: random.Random) -> list[Row]:
    """Rows with the extra duplicate lines inserted a little after the line they repeat."""
    clean = [r for r in rows if r.defect is None and r.kept_null is None]
    originals = rng.sample(clean, N_EXACT_DUPLICATES + N_KEY_DUPLICATES)
    out = list(rows)
    for k, original in enumerate(originals):
        if k < N_EXACT_DUPLICATES:
            extra = Row(dict(original.cells), original.key, copy_of=original)
        else:
            cells = dict(original.cells)
            hi = float(cells["temp_max_c"]) + rng.choice((-1.5, -0.8, 0.7, 1.3))
            cells |= {"temp_max_c": f"{hi:.1f}", "temp_min_c": f"{min(float(cells['temp_min_c']), hi - 2):.1f}",
                      "humidity_pct": str(min(100, int(cells["humidity_pct"]) + rng.randint(1, 6)))}  # fmt: skip
            extra = Row(cells, original.key, same_key_as=original)
        at = out.index(original) + rng.randint(3, 90)
        out.insert(min(at, len(out)), extra)
    return out


def build(root: Path, rng: random.Random) -> dict[str, Any]:
    """Write ``data/weather/daily-2026-11.csv`` under ``root`` (GB18030) and return its truth."""
    rows = _observations(rng)
    _plant(rows, rng)
    rows = _duplicates(rows, rng)
    folder = root / "data" / "weather"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [",".join(HEADER).encode("gb18030"), *(_encode(r) for r in rows)]
    (folder / FILE).write_bytes(b"".join(line + b"\n" for line in lines))
    line_of = {id(r): n for n, r in enumerate(rows, start=2)}

    def where(row: Row, other: Row) -> dict[str, Any]:
        return {
            "line": line_of[id(row)],
            "of_line": line_of[id(other)],
            "station_id": row.key[0],
            "obs_date": row.key[1],
        }

    defects = [
        {"line": line_of[id(r)], "reason": r.defect[1], "problem": r.defect[0], "column": r.defect[2] or None,
         "value": r.cells[r.defect[2]] if r.defect[2] and r.defect[0] != "undecodable" else None,
         "station_id": r.key[0], "obs_date": r.key[1]}
        for r in rows if r.defect
    ]  # fmt: skip
    n_keys = len(STATIONS) * N_DAYS
    return {
        "source_id": SOURCE_ID,
        "file": FILE,
        "encoding": "gb18030",
        "header": list(HEADER),
        "columns": dict(zip(COLUMNS, HEADER, strict=True)),
        "required": list(REQUIRED),
        "key": ["station_id", "obs_date"],
        "ranges": {c: list(bounds) for c, bounds in RANGES.items()},
        "stations": [{"station_id": s[0], "station_name": s[1], "admin_code": s[2]} for s in STATIONS],
        "n_stations": len(STATIONS),
        "n_days": N_DAYS,
        "n_lines": len(lines),
        "n_data_rows": len(rows),
        "defects": defects,
        "exact_duplicates": [where(r, r.copy_of) for r in rows if r.copy_of],
        "key_duplicates": [where(r, r.same_key_as) for r in rows if r.same_key_as],
        "kept_nulls": [line_of[id(r)] for r in rows if r.kept_null],
        "kept_null_cells": [{"line": line_of[id(r)], "column": r.kept_null} for r in rows if r.kept_null],
        "n_keys": n_keys,
        "n_valid_keys": n_keys - len(defects),
    }
