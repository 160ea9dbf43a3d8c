"""Duplicate chains in the ledger: resolved to the kept record, the direct target kept in the detail."""

import random

import polars as pl
import pytest
from dedup_helpers import RecordsFactory, mutate, random_cjk

from catalog.models import DedupConfig
from catalog.records import LEDGER_SCHEMA
from pipelines.dedup.chains import resolve_duplicate_chains
from pipelines.dedup.exact import dedup_exact
from pipelines.dedup.near import dedup_near


def ledger(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Ledger rows from (record_id, outcome, detail)."""
    return pl.DataFrame(
        {
            "record_id": [row[0] for row in rows],
            "source_id": ["src"] * len(rows),
            "source_key": [f"line-{i}" for i in range(len(rows))],
            "stage": ["dedup"] * len(rows),
            "outcome": [row[1] for row in rows],
            "detail": [row[2] for row in rows],
        },
        schema=LEDGER_SCHEMA,
    )


def resolved(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return resolve_duplicate_chains(ledger(rows)).select("record_id", "outcome", "detail").rows()


@pytest.mark.parametrize(
    ("title", "rows", "expected"),
    [
        (
            "length 1: untouched",
            [("a", "duplicate_of:b", "dedup_exact"), ("b", "published", "")],
            [("a", "duplicate_of:b", "dedup_exact"), ("b", "published", "")],
        ),
        (
            "length 2: exact then near",
            [("a", "duplicate_of:b", "dedup_exact"), ("b", "duplicate_of:c", "dedup_near_duplicate jaccard=0.81")],
            [
                ("a", "duplicate_of:c", "dedup_exact via b"),
                ("b", "duplicate_of:c", "dedup_near_duplicate jaccard=0.81"),
            ],
        ),
        (
            "length 3, listed out of order",
            [
                ("c", "duplicate_of:d", "dedup_near_duplicate jaccard=0.75"),
                ("a", "duplicate_of:b", "dedup_exact"),
                ("d", "published", ""),
                ("b", "duplicate_of:c", "dedup_key:station,day"),
            ],
            [
                ("c", "duplicate_of:d", "dedup_near_duplicate jaccard=0.75"),
                ("a", "duplicate_of:d", "dedup_exact via b"),
                ("d", "published", ""),
                ("b", "duplicate_of:d", "dedup_key:station,day via c"),
            ],
        ),
        (
            "chain ending at a record filtered later, or not in the ledger",
            [("a", "duplicate_of:b", "x"), ("b", "filtered:clean_too_short", ""), ("c", "duplicate_of:zz", "y")],
            [("a", "duplicate_of:b", "x"), ("b", "filtered:clean_too_short", ""), ("c", "duplicate_of:zz", "y")],
        ),
        (
            "empty detail",
            [("a", "duplicate_of:b", ""), ("b", "duplicate_of:c", "dedup_exact")],
            [("a", "duplicate_of:c", "via b"), ("b", "duplicate_of:c", "dedup_exact")],
        ),
        (
            "no chains, other outcomes",
            [("a", "published", ""), ("b", "quarantined:ingest_malformed_json", "line 3"), ("c", "filtered:x", "")],
            [("a", "published", ""), ("b", "quarantined:ingest_malformed_json", "line 3"), ("c", "filtered:x", "")],
        ),
        (
            "a cycle and what leads into it stay as they are",
            [("a", "duplicate_of:b", "1"), ("b", "duplicate_of:a", "2"), ("c", "duplicate_of:a", "3")],
            [("a", "duplicate_of:b", "1"), ("b", "duplicate_of:a", "2"), ("c", "duplicate_of:a", "3")],
        ),
        (
            "a record that points at itself",
            [("a", "duplicate_of:a", "1")],
            [("a", "duplicate_of:a", "1")],
        ),
    ],
)
def test_chains(title: str, rows: list[tuple[str, str, str]], expected: list[tuple[str, str, str]]) -> None:
    assert resolved(rows) == expected, title


def test_long_chain_resolves_in_one_call_and_a_second_call_changes_nothing() -> None:
    rows = [(f"n{i:03}", f"duplicate_of:n{i + 1:03}", "dedup_exact") for i in range(300)] + [("n300", "published", "")]
    once = resolve_duplicate_chains(ledger(rows))
    assert set(once.get_column("outcome")[:-1]) == {"duplicate_of:n300"}
    assert once.get_column("detail")[0] == "dedup_exact via n001"
    assert resolve_duplicate_chains(once).equals(once)


def test_schema_rows_and_order_are_kept() -> None:
    rows = ledger([("b", "duplicate_of:c", "d1"), ("a", "published", ""), ("c", "duplicate_of:a", "d2")])
    result = resolve_duplicate_chains(rows)
    assert result.schema == rows.schema
    assert result.drop("outcome", "detail").equals(rows.drop("outcome", "detail"))
    assert resolve_duplicate_chains(ledger([])).equals(ledger([]))


def test_exact_then_near_ledger_points_at_published_records(make_records: RecordsFactory) -> None:
    rng = random.Random(14)
    base = random_cjk(800, rng)
    edited = mutate(base, 0.01, rng)
    texts = [base + "。", base, edited, random_cjk(600, rng)]
    records = make_records(texts, quality_score=[0.3, 0.2, 0.9, 0.5])
    exact = dedup_exact(records, columns=["text"])
    near = dedup_near(exact.kept, config=DedupConfig())
    book = resolve_duplicate_chains(pl.concat([exact.removed, near.removed]))
    assert dict(book.select("record_id", "outcome").iter_rows()) == {
        "r1": "duplicate_of:r2",
        "r0": "duplicate_of:r2",
    }
    assert dict(book.select("record_id", "detail").iter_rows())["r1"] == "dedup_exact via r0"
    assert set(near.kept.get_column("id")) == {"r2", "r3"}
