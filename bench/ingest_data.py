"""Large ingest inputs with an exact count of planted defects: a JSONL article corpus and a GB18030 weather CSV.

    .venv/bin/python -m bench.ingest_data --root /tmp/ingest-bench --gb 1.0

The output depends on the seed and the target size only: the same arguments give byte-identical
files. It (re)writes a catalog root under ``root``:

- ``catalog.yaml``, ``sources/bench-articles.yaml``, ``sources/bench-weather.yaml`` (the demo
  declarations pointed at the files below, with grants valid through 2026-2027) and an empty
  ``datasets/``, so ``catalog.loader.load_catalog(root)`` loads it;
- ``data/articles.jsonl``: records ``{doc_id, title, content, published_at, url, site, meta, stats}``
  whose content is one to three demo tourism articles, sentences reordered per record, with a byline;
- ``data/weather.csv``: daily observations of 1,000 Guizhou stations from 1961-01-01 on, in the demo
  weather source's columns, every value inside the declared ranges and rules;
- ``planted.json``: what :meth:`CorpusFiles.truth` returns.

Each file is written line by line until it holds at least ``target_bytes``. About 0.1% of its lines
are defects ingest must quarantine, each kind planted at least once (see ``ARTICLE_DEFECTS`` and
``WEATHER_DEFECTS`` for the kinds and the reason each should be quarantined with); a line over
1 MiB is planted once plus once per 200 MB of articles.
"""

import argparse
import itertools
import json
import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl
import yaml

from catalog.loader import load_catalog
from examples.demo import lexicon as lx
from examples.demo import weather as demo_weather
from examples.demo.articles import KIND_WEIGHTS, KINDS, make_article
from examples.demo.tourism import CST, PII_MIX
from pipelines import reasons

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ARTICLES_FILE = "data/articles.jsonl"
WEATHER_FILE = "data/weather.csv"
ARTICLES_SOURCE = "bench-articles"
WEATHER_SOURCE = "bench-weather"
BYTES_PER_GB = 10**9
DEFECT_RATE = 0.001
OVERSIZE_EVERY = 200_000_000  # bytes of articles per extra line over 1 MiB
OVERSIZE_BYTES = (1 << 20) + 4096
POOL_SIZE = 3000  # distinct base articles; fewer for a small corpus
MAX_CONTENT_CHARS = 2000
N_STATIONS = 1000
BLOCK_DAYS = 32  # days of weather drawn and formatted at once
WRITE_BUFFER = 1 << 22  # a syscall per few MB, not per line
FIRST_DAY = date(1961, 1, 1)
ARTICLE_START = datetime(2026, 1, 1, tzinfo=CST)
ARTICLE_SPAN_S = 365 * 24 * 3600

# Defect kind -> the ingest reason the pipeline should quarantine such a line with.
ARTICLE_DEFECTS: dict[str, str] = {
    "malformed_json": reasons.INGEST_MALFORMED_JSON,
    "not_an_object": reasons.INGEST_MALFORMED_JSON,
    "missing_content": reasons.INGEST_MISSING_FIELD,
    "blank_content": reasons.INGEST_EMPTY_RECORD,
    "invalid_utf8": reasons.INGEST_UNDECODABLE,
    "oversize_line": reasons.INGEST_TOO_LARGE,
}
WEATHER_DEFECTS: dict[str, str] = {
    "wrong_field_count": reasons.INGEST_MALFORMED_ROW,
    "non_numeric_temperature": reasons.INGEST_TYPE_MISMATCH,
    "undecodable": reasons.INGEST_UNDECODABLE,
    "blank_line": reasons.INGEST_EMPTY_RECORD,
}
_RANDOM_ARTICLE_DEFECTS = tuple(kind for kind in ARTICLE_DEFECTS if kind != "oversize_line")
_BROKEN_UTF8 = "\udce8\udcb4"  # the first two bytes of 贵, written raw via surrogateescape
_BROKEN_GB18030 = "\udcff\udcfe"  # 0xFF never starts a GB18030 character
_NOT_NUMBERS = ("N/A", "二十", "缺测", "--")
# Townships that name the regional automatic stations (paired with a national station's city).
_TOWNS = (
    "青岩", "石板", "久安", "孟关", "黔陶", "高坡", "朱昌", "百宜", "羊昌", "水田", "扎佐", "六广", "久长", "小箐",
    "龙场", "鸭池", "卫城", "站街", "流长", "茅台", "鲁班", "土城", "丙安", "永安", "本庄", "寨英", "旧州", "岩脚",
    "郎岱", "乐平", "红枫", "洪渡", "白泥", "新店", "周覃", "谷陇", "朗德", "西江", "肇兴", "尚重",
)  # fmt: skip


@dataclass(frozen=True)
class CorpusFile:
    """One generated file: its size, its physical lines, and how many of each defect it holds."""

    path: Path
    n_bytes: int
    n_lines: int  # physical lines, a header included
    n_records: int  # lines ingest should keep
    planted: dict[str, int]  # defect kind -> lines

    def truth(self, root: Path, reasons_by_kind: dict[str, str]) -> dict[str, Any]:
        """This file's part of ``planted.json``, with the ingest reason of each defect kind."""
        return {
            "file": str(self.path.relative_to(root)),
            "n_bytes": self.n_bytes,
            "n_lines": self.n_lines,
            "n_records": self.n_records,
            "n_defects": sum(self.planted.values()),
            "planted": self.planted,
            "reasons": {kind: reasons_by_kind[kind] for kind in self.planted},
        }


@dataclass(frozen=True)
class CorpusFiles:
    """The generated catalog root and its two data files."""

    root: Path
    seed: int
    target_bytes: int
    articles: CorpusFile
    weather: CorpusFile

    def truth(self) -> dict[str, Any]:
        """The content of ``planted.json``: per source, sizes, line counts, defects and their ingest reasons."""
        return {
            "seed": self.seed,
            "target_bytes": self.target_bytes,
            ARTICLES_SOURCE: self.articles.truth(self.root, ARTICLE_DEFECTS),
            WEATHER_SOURCE: self.weather.truth(self.root, WEATHER_DEFECTS),
        }


@dataclass(frozen=True)
class _Base:
    """A pool article split into (heading, sentences) paragraphs so a record can reorder its sentences."""

    kind: str
    topic: str
    title: str
    paragraphs: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Stations:
    """Every station's CSV prefix and annual climate, as arrays for vectorised draws over many days."""

    prefixes: pl.Series  # "站号,站名,行政区划代码"
    tmax: np.ndarray  # annual mean daily maximum, °C
    tmin: np.ndarray
    wetness: np.ndarray


def write_corpus(root: Path, *, target_bytes: int, seed: int = 0, defects: bool = True) -> CorpusFiles:
    """Write the catalog root, both data files (each at least ``target_bytes``) and ``planted.json``.

    ``seed`` must be non-negative; the same seed and target give byte-identical files. Without
    ``defects`` every line is a good record: the files a bare parser can read too, for comparisons.
    """
    write_declarations(root)
    rng = random.Random(f"{seed}:articles")
    articles = write_articles(root / ARTICLES_FILE, target_bytes=target_bytes, rng=rng, defects=defects)
    gen = np.random.default_rng([seed, 20261123])
    weather = write_weather(root / WEATHER_FILE, target_bytes=target_bytes, gen=gen, defects=defects)
    files = CorpusFiles(root=root, seed=seed, target_bytes=target_bytes, articles=articles, weather=weather)
    text = json.dumps(files.truth(), ensure_ascii=False, indent=2) + "\n"
    (root / "planted.json").write_bytes(text.encode("utf-8"))
    return files


def write_declarations(root: Path) -> None:
    """The demo's catalog settings and source declarations, pointed at the bench files with grants for 2026-2027."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "datasets").mkdir(exist_ok=True)
    settings = yaml.safe_load((EXAMPLES / "catalog.yaml").read_text(encoding="utf-8"))
    _write_yaml(root / "catalog.yaml", settings)
    for demo_id, source_id, location, title in (
        ("gz-tourism-articles", ARTICLES_SOURCE, ARTICLES_FILE, "基准测试：贵州旅游文章"),
        ("gz-weather-daily", WEATHER_SOURCE, WEATHER_FILE, "基准测试：贵州气象站逐日观测"),
    ):
        declaration = yaml.safe_load((EXAMPLES / "sources" / f"{demo_id}.yaml").read_text(encoding="utf-8"))
        description = f"Generated by bench.ingest_data from the {demo_id} demo source, with planted defects."
        declaration |= {"id": source_id, "title": title, "description": description, "location": location}
        declaration["authorisation"] |= {
            "grant_id": f"BENCH-{source_id}",
            "grantee": settings["operator"],
            "valid_from": date(2026, 1, 1),
            "valid_until": date(2027, 12, 31),
        }
        _write_yaml(root / "sources" / f"{source_id}.yaml", declaration)


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


class _Schedule:
    """Byte offsets at which a defect kind is due: every kind once, spread over the file, plus extras.

    Planting each kind at least once makes even a small corpus exercise every quarantine path; a
    writer keeps going past its target while the schedule is not empty, so none is left out.
    """

    def __init__(self, target_bytes: int, kinds: tuple[str, ...], extra: list[tuple[int, str]]) -> None:
        spread = [(target_bytes * (i + 1) // (len(kinds) + 1), kind) for i, kind in enumerate(kinds)]
        self._due = sorted([*spread, *extra], reverse=True)

    def __bool__(self) -> bool:
        return bool(self._due)

    def due(self, written: int) -> list[str]:
        """Every kind whose offset ``written`` bytes have reached, in order; they leave the schedule."""
        kinds = []
        while self._due and self._due[-1][0] <= written:
            kinds.append(self._due.pop()[1])
        return kinds


# Articles


def write_articles(path: Path, *, target_bytes: int, rng: random.Random, defects: bool = True) -> CorpusFile:
    """Stream JSONL records until the file holds ``target_bytes``; about 0.1% of lines are defects (if any)."""
    pool = _pool(rng, size=min(POOL_SIZE, max(64, target_bytes // 20_000)))
    oversize = [(k * OVERSIZE_EVERY, "oversize_line") for k in range(1, math.ceil(target_bytes / OVERSIZE_EVERY))]
    schedule = _Schedule(target_bytes, tuple(ARTICLE_DEFECTS), oversize) if defects else _Schedule(0, (), [])
    rate = DEFECT_RATE if defects else 0.0
    planted: Counter[str] = Counter()
    n_lines = written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=WRITE_BUFFER) as out:
        while written < target_bytes or schedule:
            for kind in schedule.due(written) or [_random_defect(rng, rate)]:
                record = _record(pool, rng, number=n_lines + 1)
                line = json.dumps(record, ensure_ascii=False) if kind is None else _defective(kind, record, pool, rng)
                written += _write_line(out, line, "utf-8")
                n_lines += 1
                if kind is not None:
                    planted[kind] += 1
    n_defects = sum(planted.values())
    return CorpusFile(path, written, n_lines, n_lines - n_defects, {k: planted[k] for k in ARTICLE_DEFECTS})


def _random_defect(rng: random.Random, rate: float) -> str | None:
    """A defect kind for ``rate`` of the lines (lines over 1 MiB are scheduled instead), else None."""
    return rng.choice(_RANDOM_ARTICLE_DEFECTS) if rng.random() < rate else None


def _write_line(out: BinaryIO, line: str, encoding: str) -> int:
    data = (line + "\n").encode(encoding, "surrogateescape")
    out.write(data)
    return len(data)


def _pool(rng: random.Random, *, size: int) -> list[_Base]:
    """Distinct demo articles (a tenth carry personal data), generated once and varied per record."""
    kinds = [k for k, _ in PII_MIX]
    weights = [w for _, w in PII_MIX]
    pool = []
    for _ in range(size):
        pii = rng.choices(kinds, weights=weights) if rng.random() < 0.1 else []
        when = ARTICLE_START + timedelta(seconds=rng.randrange(ARTICLE_SPAN_S))
        article = make_article(rng.choices(KINDS, weights=KIND_WEIGHTS)[0], rng, when=when, pii_kinds=pii)
        paragraphs = tuple((p.head, tuple(s.text for s in p.sentences)) for p in article.paragraphs)
        pool.append(_Base(article.kind, article.topic, article.title, paragraphs))
    return pool


def _record(pool: list[_Base], rng: random.Random, *, number: int) -> dict[str, Any]:
    """One to three pool articles (70/25/5%) with their sentences reordered, a byline, and the demo's metadata."""
    share = rng.random()
    bases = [rng.choice(pool) for _ in range(1 if share < 0.7 else 2 if share < 0.95 else 3)]
    when = ARTICLE_START + timedelta(seconds=rng.randrange(ARTICLE_SPAN_S))
    author = lx.name(rng)
    byline = f"\n（文/{author}，{when.year}年{when.month}月{when.day}日）"
    content = _body(bases[0], rng.getrandbits(64))
    for extra in bases[1:]:
        more = f"\n延伸阅读｜{extra.title}\n{_body(extra, rng.getrandbits(64))}"
        if len(content) + len(more) + len(byline) <= MAX_CONTENT_CHARS:
            content += more
    site_name, host = rng.choice(lx.SITES)
    views = rng.randrange(80, 120_000)
    return {
        "doc_id": f"bta-{number:09d}",
        "title": bases[0].title,
        "content": content + byline,
        "published_at": when.isoformat(timespec="seconds"),
        "url": f"https://{host}/{when:%Y%m}/t{when:%Y%m%d}_{number}.html",
        "site": host,
        "meta": {"site_name": site_name, "author": author, "kind": bases[0].kind, "tags": [bases[0].topic, "贵州"]},
        "stats": {"views": views, "likes": rng.randrange(views // 8 + 1), "comments": rng.randrange(60)},
    }


def _body(base: _Base, turns: int) -> str:
    """The article with each paragraph's sentences rotated, by amounts drawn from ``turns``.

    One random number per article instead of a shuffle per paragraph keeps a record's cost low.
    """
    parts = []
    for head, sentences in base.paragraphs:
        k = turns % len(sentences)
        turns //= len(sentences)
        parts.append(head + "".join(sentences[k:] + sentences[:k]))
    return "\n".join(parts)


def _defective(kind: str, record: dict[str, Any], pool: list[_Base], rng: random.Random) -> str:
    """The line of a planted defect, made from a well-formed record."""
    content = record["content"]
    match kind:
        case "malformed_json":
            line = json.dumps(record, ensure_ascii=False)
            return line[: rng.randint(len(line) // 4, len(line) * 3 // 4)]
        case "not_an_object":
            day = record["published_at"][:10].replace("-", "")
            return rng.choice((json.dumps([record["doc_id"], record["title"]], ensure_ascii=False), day, "null"))
        case "missing_content":
            del record["content"]
        case "blank_content":
            record["content"] = rng.choice(("", "   ", "\u3000\u3000", "\n"))
        case "invalid_utf8":
            at = rng.randrange(1, len(content))
            record["content"] = content[:at] + _BROKEN_UTF8 + content[at:]
        case "oversize_line":
            record["content"] = _oversize(pool, rng)
    return json.dumps(record, ensure_ascii=False)


def _oversize(pool: list[_Base], rng: random.Random) -> str:
    """Pool articles run together into one text of more than 1 MiB in UTF-8, as a scraped dump page."""
    parts: list[str] = []
    size = 0
    while size <= OVERSIZE_BYTES:
        parts.append(_body(rng.choice(pool), rng.getrandbits(64)))
        size += len(parts[-1].encode("utf-8")) + 1
    return "\n".join(parts)


# Weather


def write_weather(path: Path, *, target_bytes: int, gen: np.random.Generator, defects: bool = True) -> CorpusFile:
    """Stream a day of every station at a time until the file holds ``target_bytes``; ~0.1% of rows are defects
    (if any)."""
    stations = _stations(gen)
    schedule = _Schedule(target_bytes, tuple(WEATHER_DEFECTS), []) if defects else _Schedule(0, (), [])
    rate = DEFECT_RATE if defects else 0.0
    days = _synoptic(gen)
    planted: Counter[str] = Counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=WRITE_BUFFER) as out:
        written = _write_line(out, ",".join(demo_weather.HEADER), "gb18030")
        n_lines = 1
        while written < target_bytes or schedule:
            for lines in _block_lines(stations, list(itertools.islice(days, BLOCK_DAYS)), gen):
                planted.update(_plant_rows(lines, schedule.due(written), gen, rate))
                written += _write_line(out, "\n".join(lines), "gb18030")
                n_lines += len(lines)
                if written >= target_bytes and not schedule:
                    break
    n_defects = sum(planted.values())
    return CorpusFile(path, written, n_lines, n_lines - 1 - n_defects, {k: planted[k] for k in WEATHER_DEFECTS})


def _stations(gen: np.random.Generator) -> _Stations:
    """The demo's 30 national stations and regional automatic stations near them, with their own climate."""
    national = demo_weather.STATIONS
    rows = list(national)
    taken = {s[0] for s in national}
    free = [i for i in range(50000, 60000) if str(i) not in taken]
    ids = sorted(gen.choice(free, size=N_STATIONS - len(national), replace=False).tolist())
    pairs = [(p, town) for p in range(len(national)) for town in _TOWNS]
    picks = gen.choice(len(pairs), size=len(ids), replace=False).tolist()
    for sid, pick in zip(ids, picks, strict=True):
        parent, town = pairs[pick]
        _, city, code, tmax, tmin, wet = national[parent]
        shift = float(gen.normal(0, 1.0))  # altitude: hills are cooler than the city
        rows.append((str(sid), city + town, code, tmax + shift, tmin + shift, wet * float(gen.uniform(0.9, 1.1))))
    # The demo's normals are for November; a year averages about 5 °C warmer.
    return _Stations(
        prefixes=pl.Series([f"{sid},{name},{code}" for sid, name, code, *_ in rows]),
        tmax=np.array([r[3] + 5.0 for r in rows]),
        tmin=np.array([r[4] + 4.6 for r in rows]),
        wetness=np.array([r[5] for r in rows]),
    )


def _synoptic(gen: np.random.Generator) -> Iterator[tuple[date, float, float]]:
    """Each day from 1961 on with the weather all stations share: a temperature anomaly and a wetness anomaly."""
    day, level = FIRST_DAY, 0.0
    while True:
        front = 4.5 if gen.random() < 0.03 else 0.0
        level = 0.8 * level + float(gen.normal(0, 1.0)) - front
        yield day, level, float(np.clip(gen.normal(0, 0.12) + (0.3 if front else 0.0), -0.3, 0.5))
        day += timedelta(days=1)


def _block_lines(
    stations: _Stations, days: list[tuple[date, float, float]], gen: np.random.Generator
) -> list[list[str]]:
    """Per day, one CSV line per station: a seasonal cycle, the day's anomaly and station noise, in declared ranges.

    Days are drawn and formatted in blocks because one polars query per day costs more than its rows.
    """
    n_days, n = len(days), len(stations.tmax)
    shape = (n_days, n)
    season = np.array([math.cos(2 * math.pi * (d.timetuple().tm_yday - 196) / 365.25) for d, _, _ in days])[:, None]
    anomaly = np.array([a for _, a, _ in days])[:, None]
    wet = np.array([w for _, _, w in days])[:, None]
    tmax = np.clip(stations.tmax + 9.5 * season + anomaly + gen.normal(0, 1.2, shape), -29.0, 45.0)
    tmin = np.clip(stations.tmin + 8.0 * season + 0.7 * anomaly + gen.normal(0, 0.9, shape), -30.0, tmax - 1.0)
    rain = gen.random(shape) < np.clip((0.4 + 0.15 * season + wet) * stations.wetness, 0.05, 0.95)
    amount = gen.exponential(np.broadcast_to(4.0 + 6.0 * np.maximum(season, 0.0), shape))
    precip = np.where(rain, np.clip(amount, 0.1, 300.0), 0.0)
    humidity = np.where(rain, gen.integers(80, 100, shape), gen.integers(58, 90, shape))
    wind = gen.uniform(0.3, 4.8, shape)
    frame = pl.DataFrame(
        {
            "prefix": stations.prefixes.gather(np.tile(np.arange(n), n_days)),
            "date": pl.Series([d.isoformat() for d, _, _ in days]).gather(np.repeat(np.arange(n_days), n)),
            **{name: np.rint(v * 10).astype(np.int64).ravel() for name, v in
               (("tmax", tmax), ("tmin", tmin), ("precip", precip), ("wind", wind))},
            "humidity": humidity.ravel(),
        }
    )  # fmt: skip
    cells = [_decimal("tmax"), _decimal("tmin"), _decimal("precip"), pl.col("humidity").cast(pl.String)]
    line = pl.concat_str([pl.col("prefix"), pl.col("date"), *cells, _decimal("wind")], separator=",")
    lines = frame.select(line).to_series().to_list()
    return [lines[k * n : (k + 1) * n] for k in range(n_days)]


def _decimal(column: str) -> pl.Expr:
    """A column of tenths as one-decimal strings such as -3.5, without float formatting."""
    tenths = pl.col(column)
    sign = pl.when(tenths < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    magnitude = tenths.abs()
    return pl.concat_str([sign, (magnitude // 10).cast(pl.String), pl.lit("."), (magnitude % 10).cast(pl.String)])


def _plant_rows(lines: list[str], forced: list[str], gen: np.random.Generator, rate: float) -> list[str]:
    """Turn ``rate`` of the lines, and one more per due kind, into defects; the kinds planted."""
    kinds = list(WEATHER_DEFECTS)
    random_hits = np.flatnonzero(gen.random(len(lines)) < rate)
    spare = np.setdiff1d(np.arange(len(lines)), random_hits)
    hits = [*random_hits.tolist(), *gen.choice(spare, size=len(forced), replace=False).tolist()]
    planted = [*(kinds[k] for k in gen.integers(len(kinds), size=len(random_hits)).tolist()), *forced]
    for at, kind in zip(hits, planted, strict=True):
        lines[at] = _defective_row(kind, lines[at], gen)
    return planted


def _defective_row(kind: str, line: str, gen: np.random.Generator) -> str:
    cells = line.split(",")
    match kind:
        case "wrong_field_count":
            cells = cells[:-2] if gen.random() < 0.5 else [*cells, "备注：数据待核"]
        case "non_numeric_temperature":
            cells[int(gen.integers(4, 6))] = _NOT_NUMBERS[int(gen.integers(len(_NOT_NUMBERS)))]
        case "undecodable":
            cells[1] = cells[1][:1] + _BROKEN_GB18030 + cells[1][1:]
        case "blank_line":
            return ""
    return ",".join(cells)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="catalog root to (re)write")
    parser.add_argument("--gb", type=float, default=1.0, help="least size of each data file, in 10^9 bytes")
    parser.add_argument("--seed", type=int, default=0, help="non-negative; same seed and size, same bytes")
    parser.add_argument("--clean", action="store_true", help="plant no defects")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = write_corpus(args.root, target_bytes=int(args.gb * BYTES_PER_GB), seed=args.seed, defects=not args.clean)
    elapsed = time.perf_counter() - start
    catalog = load_catalog(args.root)
    print(f"wrote {args.root} in {elapsed:.1f} s; sources {', '.join(sorted(catalog.sources))}")
    for name, f in ((ARTICLES_SOURCE, files.articles), (WEATHER_SOURCE, files.weather)):
        defects = ", ".join(f"{kind} {n:,}" for kind, n in f.planted.items())
        print(f"{name}: {f.n_bytes / 1e6:,.1f} MB, {f.n_lines:,} lines, {f.n_records:,} records; planted {defects}")


if __name__ == "__main__":
    main()
