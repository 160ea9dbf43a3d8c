"""Quality signals, a per-record ``quality_score``, and the filters that drop with a reason.

Every signal is computed for all records at once with polars expressions (plus one numpy pass
for n-gram counting); no Python runs per record. Signals stay on the published records so
consumers can re-filter (as WanJuan-CC and CCI do) instead of trusting our thresholds.
"""

from collections.abc import Sequence

import numpy as np
import polars as pl

from catalog.models import CleanConfig
from pipelines.reasons import CLEAN_LOW_CJK_RATIO, CLEAN_LOW_QUALITY, CLEAN_TOO_SHORT, Outcome, Stage
from pipelines.stage import StageResult, ledger_rows

SHORT_LINE_CHARS = 10
# A line this long holding a sentence mark counts as ending a sentence even when its last
# character is not one: a truncated or unwrapped paragraph is still prose.
LONG_LINE_CHARS = 100
TOP_NGRAM = 4
_HASH_BITS = np.uint64(40)  # the remaining 24 bits of a key hold the record index
_MAX_RECORDS = 1 << 24
_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Closing marks after which a line reads as a finished sentence, and marks inside a line.
SENTENCE_END = r"[。！？…”」』.!?]$"
SENTENCE_MARK = r"[。！？!?]|\.(?:\s|$)"

SIGNAL_COLUMNS: tuple[str, ...] = (
    "sig_cjk_ratio",
    "sig_letter_ratio",
    "sig_punct_ratio",
    "sig_digit_ratio",
    "sig_mean_line_len",
    "sig_short_line_ratio",
    "sig_sentence_end_ratio",
    "sig_dup_line_frac",
    "sig_top_ngram_frac",
)

# quality_score sub-scores: (signal, breakpoints). Each is piecewise linear between its
# breakpoints and flat outside them; breakpoint scores only rise (or only fall), so the score
# is monotonic in every signal. The score is their product: any one clearly bad signal sinks it.
SUBSCORES: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = (
    ("n_chars", ((0, 0.0), (30, 0.5), (80, 0.9), (200, 1.0))),
    ("sig_letter_ratio", ((0.2, 0.0), (0.55, 1.0))),
    ("sig_sentence_end_ratio", ((0.0, 0.25), (0.5, 1.0))),
    ("sig_short_line_ratio", ((0.3, 1.0), (1.0, 0.2))),
    ("sig_dup_line_frac", ((0.1, 1.0), (0.5, 0.0))),
    ("sig_top_ngram_frac", ((0.15, 1.0), (0.5, 0.0))),
)


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator.cast(pl.Float64) / denominator).otherwise(0.0)


def _piecewise(x: pl.Expr, points: Sequence[tuple[float, float]]) -> pl.Expr:
    """Linear interpolation through ``points`` (sorted by x), constant beyond both ends."""
    score = pl.lit(points[0][1], dtype=pl.Float64)
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        score = score + (y1 - y0) * ((x.cast(pl.Float64) - x0) / (x1 - x0)).clip(0.0, 1.0)
    return score


def quality_score() -> pl.Expr:
    """Product of the clipped piecewise-linear sub-scores in ``SUBSCORES``, in [0, 1].

    Good prose (≥200 characters, mostly letters, lines ending in sentence marks, few short,
    repeated or n-gram-dominated lines) scores 1, a short clean paragraph about 0.8; navigation
    menus, footers, link lists and keyword spam score 0–0.25 (no sentence ends: ×0.25 at most).
    """
    score = pl.lit(1.0)
    for column, points in SUBSCORES:
        score = score * _piecewise(pl.col(column), points)
    return score.clip(0.0, 1.0).alias("quality_score")


def _language(han: pl.Expr, letters: pl.Expr, kana_hangul: pl.Expr, latin: pl.Expr) -> pl.Expr:
    """Script-based language guess: ``zh``, ``en`` or ``und``; no model, no dictionary.

    ``zh`` when Han characters are at least 30% of letters and kana/Hangul under 10% (so Japanese
    and Korean are not read as Chinese); ``en`` when at least half the letters are Latin — any
    Latin-script language, since scripts cannot tell English from French; otherwise ``und``.
    """
    return (
        pl.when((_ratio(han, letters) >= 0.3) & (_ratio(kana_hangul, letters) < 0.1))
        .then(pl.lit("zh"))
        .when(_ratio(latin, letters) >= 0.5)
        .then(pl.lit("en"))
        .otherwise(pl.lit("und"))
    )


def top_ngram_frac(texts: pl.Series, *, n: int = TOP_NGRAM) -> pl.Series:
    """Share of non-space characters covered by the most frequent character ``n``-gram.

    Gopher's ``top_n_gram_char_frac`` on characters instead of words (Chinese has no spaces):
    occurrences (overlapping) × n / non-space characters, capped at 1; 0 for texts shorter than
    ``n``. Whitespace is removed first so layout does not dilute repetition.

    All texts are counted in one numpy pass: code points from one UTF-32 buffer, each n-gram
    hashed to 40 bits and prefixed with its record's index, one sort, run lengths. Two distinct
    n-grams of one record share a hash with probability ~m²/2⁴¹ (m distinct n-grams), which can
    only raise a count, and only negligibly.
    """
    if len(texts) <= _MAX_RECORDS:
        return _top_ngram_chunk(texts, n=n)
    return pl.concat(
        [_top_ngram_chunk(texts.slice(start, _MAX_RECORDS), n=n) for start in range(0, len(texts), _MAX_RECORDS)]
    )


def _top_ngram_chunk(texts: pl.Series, *, n: int) -> pl.Series:
    """``top_ngram_frac`` for at most ``_MAX_RECORDS`` texts (record indices take 24 key bits)."""
    compact = texts.str.replace_all(r"\s+", "")
    lengths = compact.str.len_chars().cast(pl.Int64).to_numpy()
    result = np.zeros(len(texts), dtype=np.float64)
    starts = int(lengths.sum()) - n + 1
    if starts <= 0:
        return pl.Series("sig_top_ngram_frac", result)
    points = np.frombuffer(compact.str.join("").item().encode("utf-32-le"), dtype=np.uint32)
    hashed = np.zeros(starts, dtype=np.uint64)
    for offset in range(n):
        hashed *= _FNV_PRIME
        hashed ^= points[offset : offset + starts]
        hashed *= _GOLDEN
    record = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)[:starts]
    keys = (record << _HASH_BITS) | (hashed >> (np.uint64(64) - _HASH_BITS))
    # An n-gram counts only when all its characters belong to one record.
    inside = np.ones(starts, dtype=bool)
    crossing = (np.cumsum(lengths)[:, None] - np.arange(1, n)[None, :]).ravel()
    inside[crossing[(crossing >= 0) & (crossing < starts)]] = False
    keys = np.sort(keys[inside])
    if not len(keys):
        return pl.Series("sig_top_ngram_frac", result)
    run_starts = np.flatnonzero(np.diff(keys, prepend=keys[0] ^ np.uint64(1)))
    run_counts = np.diff(run_starts, append=len(keys))
    run_record = (keys[run_starts] >> _HASH_BITS).astype(np.int64)
    record_starts = np.flatnonzero(np.diff(run_record, prepend=-1))
    records = run_record[record_starts]
    top = np.maximum.reduceat(run_counts, record_starts)
    result[records] = np.minimum(1.0, top * n / lengths[records])
    return pl.Series("sig_top_ngram_frac", result)


def _ends_sentence(line: pl.Expr) -> pl.Expr:
    return line.str.contains(SENTENCE_END) | (
        (line.str.len_chars() >= LONG_LINE_CHARS) & line.str.contains(SENTENCE_MARK)
    )


def add_signals(records: pl.DataFrame) -> pl.DataFrame:
    """``records`` with ``n_chars``, ``lang``, the ``sig_*`` columns and ``quality_score`` added.

    Ratios over characters use non-space characters; line signals use non-empty stripped lines.
    A line ends a sentence when its last character is a closing mark, or when it is at least
    ``LONG_LINE_CHARS`` long and holds a sentence mark (a truncated paragraph is still prose).
    ``sig_dup_line_frac`` counts the characters of every repeat of a line after its first
    occurrence (Gopher's duplicate-line character fraction).
    """
    text = pl.col("text")
    counts = {
        "_han": r"\p{Han}",
        "_letters": r"\p{L}",
        "_latin": r"\p{Latin}",
        "_kana_hangul": r"[\p{Hiragana}\p{Katakana}\p{Hangul}]",
        "_punct": r"\p{P}",
        "_digits": r"\p{Nd}",
        "_spaces": r"\s",
    }
    lines = pl.col("_lines")
    n_lines = lines.list.len()
    line_chars = lines.list.eval(pl.element().str.len_chars()).list.sum()
    dup_chars = lines.list.eval(pl.element().filter(~pl.element().is_first_distinct()).str.len_chars()).list.sum()
    nonspace = pl.col("n_chars").cast(pl.Int64) - pl.col("_spaces")
    return (
        records.with_columns(
            n_chars=text.str.len_chars().cast(pl.UInt32),
            _lines=text.str.split("\n")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != "")),
            **{name: text.str.count_matches(pattern) for name, pattern in counts.items()},
        )
        .with_columns(
            lang=_language(pl.col("_han"), pl.col("_letters"), pl.col("_kana_hangul"), pl.col("_latin")),
            sig_cjk_ratio=_ratio(pl.col("_han"), nonspace),
            sig_letter_ratio=_ratio(pl.col("_letters"), nonspace),
            sig_punct_ratio=_ratio(pl.col("_punct"), nonspace),
            sig_digit_ratio=_ratio(pl.col("_digits"), nonspace),
            sig_mean_line_len=_ratio(line_chars, n_lines),
            sig_short_line_ratio=_ratio(
                lines.list.eval(pl.element().str.len_chars() < SHORT_LINE_CHARS).list.sum(), n_lines
            ),
            sig_sentence_end_ratio=_ratio(lines.list.eval(_ends_sentence(pl.element())).list.sum(), n_lines),
            sig_dup_line_frac=_ratio(dup_chars, line_chars),
            sig_top_ngram_frac=top_ngram_frac(records["text"]),
        )
        .drop("_lines", *counts)
        .with_columns(quality_score())
    )


def _fmt(value: pl.Expr) -> pl.Expr:
    return value.round(3).cast(pl.String)


def score_and_filter(records: pl.DataFrame, *, config: CleanConfig) -> StageResult:
    """Add signals and ``quality_score``; drop records failing a rule, first match wins.

    Rules in order: ``clean_too_short`` (``n_chars < min_chars``), ``clean_low_cjk_ratio``
    (``lang`` not accepted, or a ``zh`` record whose ``sig_cjk_ratio < min_cjk_ratio``),
    ``clean_low_quality`` (``quality_score < min_quality_score``). Stats: dropped count per rule.
    """
    scored = add_signals(records)
    accepted = list(config.accepted_languages)
    too_short = pl.col("n_chars") < config.min_chars
    lang_rejected = ~pl.col("lang").is_in(accepted)
    cjk_low = (pl.col("lang") == "zh") & (pl.col("sig_cjk_ratio") < config.min_cjk_ratio)
    low_quality = pl.col("quality_score") < config.min_quality_score
    reason = (
        pl.when(too_short)
        .then(pl.lit(CLEAN_TOO_SHORT))
        .when(lang_rejected | cjk_low)
        .then(pl.lit(CLEAN_LOW_CJK_RATIO))
        .when(low_quality)
        .then(pl.lit(CLEAN_LOW_QUALITY))
    )
    detail = (
        pl.when(too_short)
        .then(pl.format("n_chars={} < min_chars={}", pl.col("n_chars"), pl.lit(config.min_chars)))
        .when(lang_rejected)
        .then(pl.format("lang={} not in accepted_languages=[{}]", pl.col("lang"), pl.lit(",".join(accepted))))
        .when(cjk_low)
        .then(pl.format("cjk_ratio={} < min_cjk_ratio={}", _fmt(pl.col("sig_cjk_ratio")), pl.lit(config.min_cjk_ratio)))
        .when(low_quality)
        .then(
            pl.format(
                "quality_score={} < min_quality_score={}",
                _fmt(pl.col("quality_score")),
                pl.lit(config.min_quality_score),
            )
        )
    )
    judged = scored.with_columns(_reason=reason, _detail=detail)
    rejected = judged.filter(pl.col("_reason").is_not_null())
    kept = judged.filter(pl.col("_reason").is_null()).drop("_reason", "_detail")
    removed = ledger_rows(
        rejected,
        stage=Stage.CLEAN,
        kind=Outcome.FILTERED,
        reason=pl.col("_reason"),
        detail=pl.col("_detail"),
    )
    counts = rejected["_reason"].value_counts()
    by_reason = dict(zip(counts["_reason"].to_list(), counts["count"].to_list(), strict=True))
    stats = {code: int(by_reason.get(code, 0)) for code in (CLEAN_TOO_SHORT, CLEAN_LOW_CJK_RATIO, CLEAN_LOW_QUALITY)}
    return StageResult(kept=kept, removed=removed, stats=stats)
