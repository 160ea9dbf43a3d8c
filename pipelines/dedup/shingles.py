"""Shingle hashes for MinHash, computed for many texts at once with numpy.

Texts are normalised (lowercase; punctuation and whitespace dropped) so that re-punctuated or
re-spaced copies share their shingles. Chinese and other unspaced text is cut into character
n-grams; space-delimited text (English, Korean) into word n-grams. Every step is a whole-array
numpy operation over all texts of a chunk: there is no Python loop per text or per shingle.

The hashes are pure uint64 arithmetic on code points with fixed constants, folded to 32 bits at
the end (no ``hash()``, no ``pl.hash``), so they are the same on every machine and version and
signatures built from them can be persisted. Changing a constant, a table or the tokenisation
changes every signature: an index of published versions must then be rebuilt.
"""

import unicodedata
from functools import cache
from typing import Literal

import numpy as np
import polars as pl

TokenMode = Literal["auto", "chars", "words"]

# In "auto" mode a text is space-delimited when its whitespace-separated tokens average at most
# this many characters (English words average ~5) and at most this share of its characters come
# from scripts written without spaces (Han, kana, Thai, ...), so a short Chinese line stays
# character-based even when it has no space at all.
MAX_MEAN_WORD_CHARS = 10
MAX_UNSPACED_SHARE = 0.1
# Blocks of scripts written without spaces between words.
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x31FF),  # CJK symbols, kana, bopomofo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)

_DROP = np.uint32(0xFFFFFFFF)
_SPACE = np.uint32(0x20)
# Case and the P* categories only occur below U+20000; code points above map to themselves.
_TABLE_LIMIT = 0x20000
_UNICODE_SIZE = 0x110000

_M = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the polynomial hashes
_WORD_SALT = np.uint64(0x6A09E667F3BCC909)
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_HALF = np.uint64(32)
# The shingle of an empty text, so every text has at least one shingle.
EMPTY_SHINGLE = np.uint32(0x5BD1E995)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: an avalanching bijection, so near inputs spread."""
    shift, m1, m2 = _FMIX
    scratch = values >> shift
    values ^= scratch
    values *= m1
    np.right_shift(values, shift, out=scratch)
    values ^= scratch
    values *= m2
    np.right_shift(values, shift, out=scratch)
    values ^= scratch
    return values


def fold_fmix32(values: np.ndarray) -> np.ndarray:
    """64-bit values folded to 32 bits, then MurmurHash3's 32-bit finaliser (cheaper than 64-bit)."""
    shift1, m1, shift2, m2 = _FMIX32
    folded = (values ^ (values >> _HALF)).astype(np.uint32)
    folded ^= folded >> shift1
    folded *= m1
    folded ^= folded >> shift2
    folded *= m2
    folded ^= folded >> shift1
    return folded


@cache
def _normalise_table() -> np.ndarray:
    """Code point -> lowercase code point, whitespace -> space, punctuation -> drop marker."""
    table = np.arange(_UNICODE_SIZE, dtype=np.uint32)
    for code in range(_TABLE_LIMIT):
        char = chr(code)
        if char.isspace():
            table[code] = _SPACE
        elif unicodedata.category(char).startswith("P"):
            table[code] = _DROP
        else:
            table[code] = ord(char.lower()[0])
    return table


@cache
def _unspaced_table() -> np.ndarray:
    """Code point -> whether its script is written without spaces between words."""
    table = np.zeros(_UNICODE_SIZE, dtype=bool)
    for first, last in _UNSPACED_RANGES:
        table[first : last + 1] = True
    return table


def _code_points(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points in one array, and where each text starts (length n+1)."""
    filled = texts.cast(pl.String).fill_null("")
    lengths = filled.str.len_chars().to_numpy().astype(np.int64)
    offsets = np.zeros(len(filled) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    joined = "".join(filled.to_list()).encode("utf-32-le")
    return np.frombuffer(joined, dtype=np.uint32), offsets


def _compact_offsets(kept: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Segment offsets once only the ``kept`` elements remain (empty segments stay empty)."""
    return offsets - np.searchsorted(np.flatnonzero(~kept), offsets)


def _powers(count: int) -> np.ndarray:
    """``_M ** k`` modulo 2**64 for k < count."""
    powers = np.full(max(count, 1), _M, dtype=np.uint64)
    powers[0] = 1
    return np.cumprod(powers, dtype=np.uint64)


def _word_docs(chars: np.ndarray, offsets: np.ndarray, letter_offsets: np.ndarray) -> np.ndarray:
    """Which texts are space-delimited: short tokens between spaces, few unspaced-script letters."""
    is_space = chars == _SPACE
    after_space = np.ones(len(chars), dtype=bool)
    after_space[1:] = is_space[:-1]
    after_space[offsets[:-1][offsets[:-1] < len(chars)]] = True
    n_words = np.diff(np.searchsorted(np.flatnonzero(after_space & ~is_space), offsets))
    n_letters = np.diff(letter_offsets)
    candidates = (n_words > 0) & (n_letters <= MAX_MEAN_WORD_CHARS * n_words)
    if not candidates.any():
        return candidates
    in_candidate = np.repeat(candidates, np.diff(offsets))
    unspaced = np.take(_unspaced_table(), chars) & in_candidate
    n_unspaced = np.diff(np.searchsorted(np.flatnonzero(unspaced), offsets))
    return candidates & (n_unspaced <= MAX_UNSPACED_SHARE * n_letters)


def _tokens(texts: pl.Series, *, tokens: TokenMode) -> tuple[np.ndarray, np.ndarray]:
    """Each text's tokens (code points, or word hashes for space-delimited texts) and offsets."""
    points, offsets = _code_points(texts)
    mapped = np.take(_normalise_table(), points)
    kept = mapped != _DROP
    chars = np.compress(kept, mapped)
    offsets = _compact_offsets(kept, offsets)
    letters = chars != _SPACE
    letter_offsets = _compact_offsets(letters, offsets)
    if tokens == "chars":
        return np.compress(letters, chars), letter_offsets
    if tokens == "words":
        word_doc = np.ones(len(offsets) - 1, dtype=bool)
    else:
        word_doc = _word_docs(chars, offsets, letter_offsets)
    if not word_doc.any():
        return np.compress(letters, chars), letter_offsets

    after_space = np.ones(len(chars), dtype=bool)
    after_space[1:] = ~letters[:-1]
    in_word_doc = np.repeat(word_doc, np.diff(offsets))
    token_start = (after_space | ~in_word_doc)[letters]
    token_start[letter_offsets[:-1][letter_offsets[:-1] < len(token_start)]] = True
    values = chars[letters].astype(np.uint64)
    starts = np.flatnonzero(token_start)
    within = np.arange(len(values)) - starts[np.cumsum(token_start) - 1]
    summed = np.add.reduceat(values * _powers(int(within.max()) + 1)[within], starts)
    is_word = in_word_doc[letters][starts]
    values = np.where(is_word, fmix64(summed ^ _WORD_SALT), summed)
    return values, _compact_offsets(token_start, letter_offsets)


def shingle_hashes(texts: pl.Series, *, ngram: int, tokens: TokenMode = "auto") -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every text's shingles, concatenated, and each text's offset (length n+1).

    A shingle is ``ngram`` consecutive tokens; a text with fewer tokens has one shingle, of all of
    them (the empty text has :data:`EMPTY_SHINGLE`), so every text has at least one. A text may
    list a shingle more than once (its last ``ngram - 1`` slots repeat its first shingle): a
    minimum does not change when a value repeats, and this keeps every slot aligned with a token.
    """
    values, offsets = _tokens(texts, tokens=tokens)
    n_tokens = np.diff(offsets)
    total = len(values)
    padded = np.zeros(total + ngram, dtype=np.uint64)
    padded[:total] = values
    # Horner's rule, in place: window[i] = sum(values[i + k] * _M**k for k < ngram).
    window = padded[ngram - 1 : ngram - 1 + total].copy()
    for k in range(ngram - 2, -1, -1):
        window *= _M
        window += padded[k : k + total]

    starts, ends = offsets[:-1], offsets[1:]
    short = np.flatnonzero((n_tokens < ngram) & (n_tokens > 0))
    if len(short):
        powers = _powers(ngram)
        truncated = np.zeros(len(short), dtype=np.uint64)
        for k in range(ngram - 1):
            truncated += np.where(k < n_tokens[short], padded[starts[short] + k], 0) * powers[k]
        window[starts[short]] = truncated
    # Windows in a text's last ngram - 1 slots run into the next text: repeat its first instead.
    tail = ends[:, None] - np.arange(1, ngram)[None, :]
    crossing = tail > starts[:, None]
    window[tail[crossing]] = window[np.broadcast_to(starts[:, None], tail.shape)[crossing]]
    hashes = fold_fmix32(window)

    empty = np.flatnonzero(n_tokens == 0)
    if len(empty):
        hashes = np.insert(hashes, starts[empty], EMPTY_SHINGLE)
        offsets = offsets + np.searchsorted(empty, np.arange(len(offsets)), side="left")
    return hashes, offsets
