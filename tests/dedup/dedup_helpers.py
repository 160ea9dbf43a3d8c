"""Text builders and slow reference computations for the dedup tests."""

import random
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

import polars as pl

# make_records(texts, **columns) -> records; see the fixture in conftest.py.
RecordsFactory = Callable[..., pl.DataFrame]

CJK = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]


def utc(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=UTC)


def random_cjk(length: int, rng: random.Random) -> str:
    return "".join(rng.choices(CJK, k=length))


def mutate(text: str, rate: float, rng: random.Random) -> str:
    """Replace about ``rate`` of the characters, as a light repost edit would."""
    return "".join(rng.choice(CJK) if rng.random() < rate else char for char in text)


def normalise(text: str) -> str:
    """Lowercase, without whitespace and punctuation, one character at a time."""
    return "".join(
        char.lower()[0] for char in text if not (char.isspace() or unicodedata.category(char).startswith("P"))
    )


def reference_ngrams(text: str, n: int) -> set[str]:
    """Character n-grams of the normalised text, computed the slow, obvious way."""
    kept = normalise(text)
    if len(kept) < n:
        return {kept}
    return {kept[i : i + n] for i in range(len(kept) - n + 1)}


def jaccard(left: set[str], right: set[str]) -> float:
    return len(left & right) / len(left | right)
