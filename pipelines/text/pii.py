"""Mask personal identifiers that pass their check digits, and leave look-alikes alone.

A number shaped like an ID but failing its check is usually an order number, a timestamp or a
product code; masking it is a false positive that damages the text without protecting anyone.
So candidates are found by shape (polars regex, which lets records without any candidate skip
Python entirely) and each candidate is then validated in Python before it is replaced by a
typed token such as ``[身份证号]``.

A candidate must not be part of a longer run of ASCII letters, digits or ``_`` (an ASCII word
boundary on both sides), so an 18-digit ID inside a 20-digit serial is not masked. Besides the
contiguous spellings, mobiles written ``138 1234 5678`` / ``138-1234-5678`` and bank cards written
in groups of four (``6222 0212 3456 7890 123``) are recognised.

Beyond the bare check digits, two rules cut false positives on random numbers: a bank card must
start with a card network's digit (3, 4, 5, 6 or 9), and a USCC's embedded organisation code
must pass its own GB 11714 check. An ID-shaped value (province prefix, real birth date) is only
ever judged as a resident ID.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from catalog.models import PiiConfig, PiiKind
from pipelines.stage import StageResult

TOKENS: dict[PiiKind, str] = {
    "resident_id": "[身份证号]",
    "mobile": "[手机号]",
    "email": "[邮箱]",
    "bank_card": "[银行卡号]",
    "uscc": "[统一社会信用代码]",
}

# When one candidate is valid as several kinds, the most specific wins (an 18-digit resident ID
# may also pass Luhn by chance).
PRECEDENCE: tuple[PiiKind, ...] = ("email", "resident_id", "uscc", "bank_card", "mobile")

# Shapes per kind, ASCII classes only (`\d` would match full-width and other Unicode digits in
# polars' regex engine but not in ours). Grouped spellings come after contiguous ones.
_SHAPES: dict[PiiKind, tuple[str, ...]] = {
    "email": (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",),
    "resident_id": (r"[0-9]{17}[0-9Xx]",),
    "uscc": (r"[0-9A-HJ-NP-RTUWXY]{18}",),
    "bank_card": (
        r"[34569][0-9]{14,18}",
        r"[3-69][0-9]{3}(?: [0-9]{4}){3}(?: [0-9]{1,3})?",
        r"[3-69][0-9]{3}(?:-[0-9]{4}){3}(?:-[0-9]{1,3})?",
    ),
    "mobile": (r"1[3-9][0-9]{9}", r"1[3-9][0-9](?: [0-9]{4} [0-9]{4}|-[0-9]{4}-[0-9]{4})"),
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82]
)
_BIRTH_MIN = date(1900, 1, 1)
_BIRTH_MAX = date(2026, 12, 31)

_CARD_FIRST_DIGITS = frozenset("34569")

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 organisation code (USCC characters 9–17): letters count A=10 … Z=35.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHECK = "0123456789X"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _ascii_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def _id_shaped(s: str) -> bool:
    """18 characters, 17 digits, a province prefix and a real birth date in 1900–2026."""
    if len(s) != 18 or not _ascii_digits(s[:17]) or int(s[:2]) not in _PROVINCES:
        return False
    try:
        birth = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return _BIRTH_MIN <= birth <= _BIRTH_MAX


def is_valid_resident_id(s: str) -> bool:
    """GB 11643 citizen ID: province prefix, a real birth date in 1900–2026, and the check char."""
    if not _id_shaped(s):
        return False
    total = sum(int(d) * w for d, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return s[17].upper() == _ID_CHECK[total % 11]


def is_valid_bank_card(s: str) -> bool:
    """15–19 digits passing Luhn, starting with a card network's digit.

    Luhn alone passes one random number in ten, so order numbers and timestamps would be masked;
    cards issued in China start with 3 (JCB, Amex), 4 (Visa), 5 (Mastercard), 6 (UnionPay, 62…)
    or 9 (domestic, e.g. 9558…), which halves those false positives.
    """
    if not 15 <= len(s) <= 19 or not _ascii_digits(s) or s[0] not in _CARD_FIRST_DIGITS:
        return False
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_valid_uscc(s: str) -> bool:
    """GB 32100 unified social credit code: alphabet, a 6-digit division code at 3–8, the
    organisation code at 9–17 with its own GB 11714 check, and the code's check char at 18.

    The embedded organisation-code check makes a random 18-character look-alike pass one time in
    ~341 instead of one in 31.
    """
    if len(s) != 18 or any(c not in _USCC_VALUE for c in s) or not _ascii_digits(s[2:8]):
        return False
    org = sum(int(c, 36) * w for c, w in zip(s[8:16], _ORG_WEIGHTS, strict=True))
    if s[16] != _ORG_CHECK[(11 - org % 11) % 11]:
        return False
    total = sum(_USCC_VALUE[c] * w for c, w in zip(s[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_VALUE[s[17]] == (31 - total % 31) % 31


def _is_valid(kind: PiiKind, candidate: str) -> bool:
    """Whether ``candidate`` (a regex match) is a real identifier of ``kind``.

    An ID-shaped value (province, birth date) is left to the resident-ID rule alone: with a wrong
    check digit it is a look-alike, not a bank card or company code that passed by chance.
    """
    if kind == "email":
        return "@" in candidate
    if kind == "resident_id":
        return is_valid_resident_id(candidate)
    if _id_shaped(candidate):
        return False
    compact = candidate.replace(" ", "").replace("-", "")
    if kind == "uscc":
        return compact == candidate and is_valid_uscc(candidate)
    if kind == "bank_card":
        return is_valid_bank_card(compact)
    return _MOBILE.fullmatch(compact) is not None


@dataclass(frozen=True)
class _Finder:
    """One candidate grammar, compiled for polars (prefilter) and for Python (validation)."""

    kinds: tuple[PiiKind, ...]
    prefilter: str
    pattern: re.Pattern[str]

    def classify(self, candidate: str) -> PiiKind | None:
        return next((k for k in self.kinds if _is_valid(k, candidate)), None)

    def mask(self, text: str) -> tuple[str, dict[PiiKind, int]]:
        counts: dict[PiiKind, int] = dict.fromkeys(self.kinds, 0)

        def replace(match: re.Match[str]) -> str:
            kind = self.classify(match.group())
            if kind is None:
                return match.group()
            counts[kind] += 1
            return TOKENS[kind]

        return self.pattern.sub(replace, text), counts

    def count(self, text: str) -> int:
        return sum(self.classify(m.group()) is not None for m in self.pattern.finditer(text))


@lru_cache(maxsize=32)
def _finder(kinds: tuple[PiiKind, ...]) -> _Finder:
    """The grammar for ``kinds`` (non-empty, in ``PRECEDENCE`` order)."""
    body = "|".join(dict.fromkeys(s for k in kinds for s in _SHAPES[k]))
    # `(?-u:\b)` in polars and `\b` under re.ASCII are the same ASCII word boundary.
    return _Finder(
        kinds=kinds,
        prefilter=rf"(?-u:\b)(?:{body})(?-u:\b)",
        pattern=re.compile(rf"\b(?:{body})\b", re.ASCII),
    )


def _configured(config: PiiConfig) -> tuple[PiiKind, ...]:
    return tuple(k for k in PRECEDENCE if k in config.kinds) if config.enabled else ()


def mask_pii(records: pl.DataFrame, *, config: PiiConfig) -> StageResult:
    """Replace checksum-valid identifiers in ``text`` with typed tokens; count them per record.

    Adds ``pii_masked`` and one ``pii_<kind>`` column per configured kind (UInt32). Removes no
    record. With ``config.enabled`` false nothing is masked and only ``pii_masked`` (all 0) is added.
    """
    kinds = _configured(config)
    n = records.height
    per_kind = {k: np.zeros(n, dtype=np.uint32) for k in kinds}
    text = records["text"]
    if kinds and n:
        finder = _finder(kinds)
        rows = text.str.contains(finder.prefilter).fill_null(False).arg_true()
        masked: list[str] = []
        for i, value in zip(rows.to_list(), text.gather(rows).to_list(), strict=True):
            new, counts = finder.mask(value)
            masked.append(new)
            for kind, c in counts.items():
                per_kind[kind][i] = c
        text = text.clone().scatter(rows, masked) if len(rows) else text
    total = np.sum(list(per_kind.values()), axis=0, dtype=np.uint32) if kinds else np.zeros(n, dtype=np.uint32)
    kept = records.with_columns(
        text,
        pl.Series("pii_masked", total, dtype=pl.UInt32),
        *(pl.Series(f"pii_{k}", v, dtype=pl.UInt32) for k, v in per_kind.items()),
    )
    stats: dict[str, float] = {f"pii_{k}": int(v.sum()) for k, v in per_kind.items()}
    stats["pii_records"] = int(np.count_nonzero(total))
    return StageResult(kept=kept, stats=stats)


def count_unmasked_valid(texts: pl.Series, *, kinds: Sequence[PiiKind] = ("resident_id", "bank_card")) -> int:
    """Checksum-valid identifiers of ``kinds`` still present in ``texts`` (the publish hard gate)."""
    ordered = tuple(k for k in PRECEDENCE if k in kinds)
    if not ordered:
        return 0
    finder = _finder(ordered)
    present = texts.drop_nulls()
    return sum(finder.count(t) for t in present.filter(present.str.contains(finder.prefilter)).to_list())
