"""Source ``gz-tourism-articles``: two monthly JSONL files of articles with planted duplicates,
junk, personal data and malformed lines, and the truth that lists each of them."""

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from examples.demo import lexicon as lx
from examples.demo import variants as vr
from examples.demo.articles import KIND_WEIGHTS, KINDS, Article, make_article
from pipelines import reasons

SOURCE_ID = "gz-tourism-articles"
CST = timezone(timedelta(hours=8))
START = datetime(2026, 10, 1, tzinfo=CST)
END = datetime(2026, 11, 30, 23, 59, 59, tzinfo=CST)
N_BASE = 1650
# Base articles given each kind of planted copy; the sets of bases are disjoint.
N_COPIED, N_COPIED_AGAIN, N_REPOSTED, N_TRADITIONAL, N_PUNCT, N_EDITED = 45, 15, 65, 24, 34, 34
N_NAV, N_SHORT, N_ENGLISH = 28, 12, 6
N_PII_ARTICLES = 190
PII_MIX: tuple[tuple[tuple[str, bool], int], ...] = (
    (("mobile", True), 30), (("email", True), 18), (("resident_id", True), 18), (("resident_id", False), 12),
    (("bank_card", True), 14), (("bank_card", False), 10),
)  # fmt: skip
# Problem of each planted malformed line -> the ingest reason the pipeline should quarantine it with.
MALFORMED_REASONS = {
    "broken_json": reasons.INGEST_MALFORMED_JSON,
    "not_an_object": reasons.INGEST_MALFORMED_JSON,
    "missing_content": reasons.INGEST_MISSING_FIELD,
    "empty_content": reasons.INGEST_EMPTY_RECORD,
    "blank": reasons.INGEST_EMPTY_RECORD,
}
_RAW_ONLY = ("broken_json", "not_an_object", "blank")


@dataclass
class Record:
    """One line-to-be: a well-formed record, or a planted malformed line (``problem`` set)."""

    when: datetime
    title: str = ""
    content: str | None = None
    host: str = lx.HOME_SITE[1]
    category: str = "base"  # base, a planted-copy list name, a junk list name, or "malformed"
    group: int | None = None  # index of the base article it is (a copy of)
    problem: str | None = None
    raw: str = ""  # the verbatim line of a raw-only malformed line
    doc_id: str = ""
    extra: dict[str, Any] | None = None  # truth fields of a planted copy


def build(root: Path, rng: random.Random) -> dict[str, Any]:
    """Write ``data/tourism/articles-2026-{10,11}.jsonl`` under ``root`` and return the truth."""
    bases = _bases(rng)
    records = [Record(when, a.title, a.content, group=i) for i, (a, when) in enumerate(bases)]
    records += _copies(rng, bases)
    records += _junk(rng)
    records += _malformed(rng, [a for a, _ in bases if not a.pii])
    for record, number in zip(records, rng.sample(range(100, 100000), len(records)), strict=True):
        record.doc_id = f"gzta-{number:06d}"
    files = _layout(records, rng)
    file_truth, locations, malformed = _write(root / "data" / "tourism", files)
    base_ids = [r.doc_id for r in records[:N_BASE]]
    by_category: dict[str, list[Record]] = {}
    for record in records[N_BASE:]:
        by_category.setdefault(record.category, []).append(record)
    copies = {
        name: [{"id": r.doc_id, "of": base_ids[r.group], **(r.extra or {})} for r in by_category.get(name, [])]
        for name in ("exact_copies", "reposts", "traditional", "punctuation_variants", "small_edits")
    }
    groups: dict[str, list[str]] = {}
    for record in records[N_BASE:]:
        if record.group is not None:
            groups.setdefault(base_ids[record.group], []).append(record.doc_id)
    return {
        "source_id": SOURCE_ID,
        "files": file_truth,
        "n_lines": sum(f["n_lines"] for f in file_truth.values()),
        "n_records_total": sum(f["n_records"] for f in file_truth.values()),
        "n_malformed": len(malformed),
        "base_ids": base_ids,
        "base_topics": {base_ids[i]: {"kind": a.kind, "topic": a.topic} for i, (a, _) in enumerate(bases)},
        **copies,
        "duplicate_groups": [{"base": base, "members": members} for base, members in groups.items()],
        **{
            name: [r.doc_id for r in by_category.get(name, [])]
            for name in ("navigation_junk", "too_short", "non_chinese")
        },
        "pii": _pii_truth(records, bases),
        "malformed": malformed,
        "locations": locations,
        "expected": {
            "quarantined": len(malformed),
            "junk": sum(len(by_category.get(n, [])) for n in ("navigation_junk", "too_short", "non_chinese")),
            "planted_copies": sum(len(c) for c in copies.values()),
            "distinct_articles": N_BASE,
        },
    }


def _when(rng: random.Random) -> datetime:
    day = START + timedelta(days=rng.randrange((END - START).days + 1))
    return day.replace(hour=rng.choice((7, 8, 9, 10, 11, 14, 15, 16, 17, 19, 20, 21, 22)), minute=rng.randrange(60),
                       second=rng.randrange(60))  # fmt: skip


def _later(rng: random.Random, when: datetime) -> datetime:
    """A moment after ``when`` (20 minutes to 12 days) that stays inside the two months."""
    room = int((END - when).total_seconds() // 60)
    return when + timedelta(minutes=rng.randint(min(room, 20), min(room, 60 * 24 * 12)))


def _bases(rng: random.Random) -> list[tuple[Article, datetime]]:
    kinds = [k for k, _ in PII_MIX]
    weights = [w for _, w in PII_MIX]
    plan: dict[int, list[tuple[str, bool]]] = {}
    for i in sorted(rng.sample(range(N_BASE), N_PII_ARTICLES)):
        first = rng.choices(kinds, weights=weights)[0]
        plan[i] = [first]
        if rng.random() < 0.3:
            plan[i].append(rng.choice([k for k in kinds if k[0] != first[0]]))
    bases = []
    for i in range(N_BASE):
        when = _when(rng)
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        bases.append((make_article(kind, rng, when=when, pii_kinds=plan.get(i, [])), when))
    return bases


def _copies(rng: random.Random, bases: list[tuple[Article, datetime]]) -> list[Record]:
    """Exact copies, reposts, Traditional-script, punctuation and small-edit variants of disjoint bases."""
    order = rng.sample(range(N_BASE), N_BASE)
    reposted = [i for i in order if len(bases[i][0].content) >= 450][:N_REPOSTED]
    taken = frozenset(reposted)
    rest = [i for i in order if i not in taken]
    punct = [i for i in rest if bases[i][0].pii][: N_PUNCT // 3]
    punct += [i for i in rest if not bases[i][0].pii][: N_PUNCT - len(punct)]
    taken = frozenset(punct)
    rest = [i for i in rest if i not in taken]
    copied, trad, edited = (rest[:N_COPIED], rest[N_COPIED : N_COPIED + N_TRADITIONAL],
                            rest[N_COPIED + N_TRADITIONAL : N_COPIED + N_TRADITIONAL + N_EDITED])  # fmt: skip
    titles = [a.title for a, _ in bases]
    out: list[Record] = []

    def add(i: int, category: str, content: str, *, host: str, title: str = "", when: datetime | None = None,
            **extra: Any) -> None:  # fmt: skip
        article, base_when = bases[i]
        moment = when or _later(rng, base_when)
        out.append(Record(moment, title or article.title, content, host, category, i, extra=extra or None))

    for n, i in enumerate(copied):
        for _ in range(rng.randint(2, 3) if n < N_COPIED_AGAIN else 1):
            add(i, "exact_copies", bases[i][0].content, host=rng.choice((lx.HOME_SITE[1], *[h for _, h in lx.SITES])))
    for i in reposted:
        name, host = rng.choice(lx.SITES)
        when = _later(rng, bases[i][1])
        text, score = vr.repost(
            bases[i][0], rng, site=name, stamp=f"{when:%Y-%m-%d %H:%M}", others=rng.sample(titles, 4)
        )
        add(i, "reposts", text, host=host, when=when, site=host, jaccard5=round(score, 4))
    for i in trad:
        article = bases[i][0]
        add(
            i,
            "traditional",
            vr.traditional(article.content),
            host=lx.MIRROR_SITE[1],
            title=vr.traditional(article.title),
        )
    for n, i in enumerate(punct):
        article = bases[i][0]
        text = vr.punctuation_variant(article.content, to_half=n % 2 == 0, keep=[p.value for p in article.pii])
        add(i, "punctuation_variants", text, host=rng.choice(lx.SITES)[1],
            direction="to_halfwidth" if n % 2 == 0 else "to_fullwidth", jaccard5=round(vr.jaccard5(article.content, text), 4))  # fmt: skip
    for i in edited:
        text, edit, n_edits, score = vr.small_edit(bases[i][0], rng)
        add(i, "small_edits", text, host=rng.choice(lx.SITES)[1], edit=edit, n_edits=n_edits, jaccard5=round(score, 4))
    return out


def _junk(rng: random.Random) -> list[Record]:
    out = []
    for category, count, make in (("navigation_junk", N_NAV, vr.navigation_page), ("too_short", N_SHORT, vr.too_short),
                                  ("non_chinese", N_ENGLISH, vr.english)):  # fmt: skip
        for _ in range(count):
            content = make(rng)
            title = "Guizhou travel notes" if category == "non_chinese" else content.splitlines()[0][:24]
            out.append(Record(_when(rng), title, content, rng.choice(lx.SITES)[1], category))
    return out


def _malformed(rng: random.Random, donors: list[Article]) -> list[Record]:
    """Truncated JSON, a missing or empty content field, non-objects and blank lines."""
    out: list[Record] = []
    for _ in range(6):
        a = rng.choice(donors)
        line = json.dumps({"doc_id": f"gzta-{rng.randrange(100000, 999999)}", "title": a.title, "content": a.content},
                          ensure_ascii=False)  # fmt: skip
        cut = line[: rng.randint(len(line) // 4, len(line) * 3 // 4)]
        out.append(Record(_when(rng), category="malformed", problem="broken_json", raw=cut))
    for _ in range(3):
        out.append(Record(_when(rng), rng.choice(donors).title, None, category="malformed", problem="missing_content"))
    for blank in ("", "", " \t ", "\u3000\u3000"):
        out.append(Record(_when(rng), rng.choice(donors).title, blank, category="malformed", problem="empty_content"))
    out.append(
        Record(_when(rng), category="malformed", problem="not_an_object", raw='["gzta-000000", "黄果树瀑布门票"]')
    )
    out.append(Record(_when(rng), category="malformed", problem="not_an_object", raw="20261103"))
    out.extend(Record(_when(rng), category="malformed", problem="blank") for _ in range(3))
    return out


def _layout(records: list[Record], rng: random.Random) -> dict[str, list[Record]]:
    """Records per monthly file, shuffled so that no two copies of one base are neighbours."""
    files: dict[str, list[Record]] = {}
    for record in records:
        files.setdefault(f"articles-{record.when:%Y-%m}.jsonl", []).append(record)
    for lines in files.values():
        rng.shuffle(lines)
        while True:
            clash = [k for k in range(1, len(lines)) if _related(lines[k - 1], lines[k])]
            if lines[-1].problem == "blank":
                clash.append(len(lines) - 1)
            if not clash:
                break
            for k in clash:
                j = rng.randrange(len(lines) - 1)
                lines[k], lines[j] = lines[j], lines[k]
    return dict(sorted(files.items()))


def _related(a: Record, b: Record) -> bool:
    return a.group is not None and a.group == b.group


def _line(record: Record) -> str:
    if record.problem in _RAW_ONLY:
        return record.raw
    fields: dict[str, Any] = {"doc_id": record.doc_id, "title": record.title}
    if record.content is not None:
        fields["content"] = record.content
    number = record.doc_id.removeprefix("gzta-")
    if record.host == lx.HOME_SITE[1]:
        url = f"https://{record.host}/article/{number}.html"
    elif record.host == lx.MIRROR_SITE[1]:
        url = f"https://{record.host}/zh-hant/article/{number}.html"
    else:
        url = f"https://{record.host}/{record.when:%Y%m}/t{record.when:%Y%m%d}_{number}.html"
    fields |= {"published_at": record.when.isoformat(timespec="seconds"), "url": url, "site": record.host}
    return json.dumps(fields, ensure_ascii=False)


def _write(folder: Path, files: dict[str, list[Record]]) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    folder.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {}
    locations: dict[str, str] = {}
    malformed: list[dict[str, Any]] = []
    for name, lines in files.items():
        (folder / name).write_bytes("".join(_line(r) + "\n" for r in lines).encode("utf-8"))
        for number, record in enumerate(lines, start=1):
            if record.problem is None:
                locations[record.doc_id] = f"{name}:{number}"
            else:
                malformed.append({
                    "file": name, "line": number, "problem": record.problem, "reason": MALFORMED_REASONS[record.problem],
                    "doc_id": None if record.problem in _RAW_ONLY else record.doc_id,
                })  # fmt: skip
        summary[name] = {"n_lines": len(lines), "n_records": sum(r.problem is None for r in lines)}
    return summary, locations, malformed


def _pii_truth(records: list[Record], bases: list[tuple[Article, datetime]]) -> list[dict[str, Any]]:
    """Every planted value in every well-formed record that carries it (base and planted copies)."""
    out = []
    base_ids = [r.doc_id for r in records[:N_BASE]]
    for record in records:
        if record.group is None or record.problem is not None:
            continue
        for value in bases[record.group][0].pii:
            if value.value not in (record.content or ""):
                raise RuntimeError(f"planted {value.kind} {value.value} lost from {record.doc_id} ({record.category})")
            of = None if record.category == "base" else base_ids[record.group]
            out.append(
                {"doc_id": record.doc_id, "kind": value.kind, "value": value.value, "valid": value.valid, "of": of}
            )
    return out
