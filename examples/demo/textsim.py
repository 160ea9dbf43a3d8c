"""The similarity the truth file records: character 5-gram Jaccard after NFKC and whitespace removal."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, then drop all whitespace, so layout never counts as a difference."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def shingles(text: str, n: int = 5) -> set[str]:
    """Character n-grams of the normalised text (the whole text when shorter than n)."""
    norm = normalise(text)
    if len(norm) <= n:
        return {norm}
    return {norm[i : i + n] for i in range(len(norm) - n + 1)}


def jaccard5(a: str, b: str) -> float:
    """Exact 5-gram Jaccard similarity of two texts."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)
