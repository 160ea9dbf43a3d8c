"""Shingle hashing: normalisation, n-gram sets equal to a slow reference, stability."""

import random

import numpy as np
import polars as pl
import pytest
from dedup_helpers import normalise, random_cjk, reference_ngrams
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.dedup.shingles import EMPTY_SHINGLE, TokenMode, shingle_hashes


def shingle_sets(texts: list[str | None], *, ngram: int = 5, tokens: TokenMode = "auto") -> list[set[int]]:
    hashes, offsets = shingle_hashes(pl.Series(texts, dtype=pl.String), ngram=ngram, tokens=tokens)
    return [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(texts))]


@pytest.mark.parametrize(
    ("title", "left", "right"),
    [
        (
            "full-width vs ascii punctuation",
            "贵州黄果树瀑布，是中国最大的瀑布之一！",
            "贵州黄果树瀑布,是中国最大的瀑布之一!",
        ),
        ("punctuation removed", "贵州黄果树瀑布，是中国最大的瀑布之一。", "贵州黄果树瀑布是中国最大的瀑布之一"),
        (
            "line breaks and ideographic spaces",
            "西江千户苗寨\n位于雷山县　是世界上最大的苗族聚居村寨",
            "西江千户苗寨位于雷山县是世界上最大的苗族聚居村寨",
        ),
        (
            "case and spacing in English",
            "The Quick, brown fox -- jumps over the lazy dog.",
            "the quick brown   fox jumps over the lazy dog",
        ),
        ("mixed script case", "使用Polars库处理GB级别的数据", "使用polars库处理gb级别的数据"),
    ],
)
def test_normalisation_variants_share_all_shingles(title: str, left: str, right: str) -> None:
    first, second = shingle_sets([left, right])
    assert first == second, title


def test_every_text_has_at_least_one_shingle() -> None:
    texts = ["", None, "好", "ab", "！！！", "一二三四五", "一二三四五六"]
    hashes, offsets = shingle_hashes(pl.Series(texts, dtype=pl.String), ngram=5)
    counts = np.diff(offsets)
    assert (counts >= 1).all()
    assert offsets[-1] == len(hashes)
    sets = [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(texts))]
    assert sets[0] == sets[1] == sets[4] == {int(EMPTY_SHINGLE)}
    assert [len(s) for s in sets[2:4]] == [1, 1]
    assert len(sets[5]) == 1
    assert len(sets[6]) == 2


def test_short_text_is_one_shingle_of_the_whole_text() -> None:
    short, prefix_of_longer = shingle_sets(["黄果树", "黄果树瀑布"])
    assert len(short) == 1
    assert not short & prefix_of_longer


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("贵州黄果树瀑布苗寨梵净山，。！ \nabcAB"), max_size=40), min_size=1, max_size=6
    ),
    st.integers(min_value=1, max_value=6),
)
def test_character_shingles_match_reference_ngrams(texts: list[str], ngram: int) -> None:
    sets = shingle_sets(list(texts), ngram=ngram, tokens="chars")
    references = [reference_ngrams(text, ngram) for text in texts]
    for i in range(len(texts)):
        assert len(sets[i]) == len(references[i])
        for j in range(len(texts)):
            assert len(sets[i] & sets[j]) == len(references[i] & references[j])


def test_word_shingles_for_space_delimited_text() -> None:
    text = "Data quality matters: the same report, re-posted, should count once."
    (auto,) = shingle_sets([text], ngram=3)
    (words,) = shingle_sets([text], ngram=3, tokens="words")
    (chars,) = shingle_sets([text], ngram=3, tokens="chars")
    n_words = len(text.split())
    assert auto == words
    assert len(words) == n_words - 2
    assert len(chars) > len(words)


@pytest.mark.parametrize(
    ("title", "text", "word_based"),
    [
        ("unspaced Chinese line", "贵州大数据", False),
        ("Chinese paragraphs separated by line breaks", "第一段文字很长。\n\n第二段文字也很长。\n第三段", False),
        ("Chinese with spaces between short phrases", "贵州 大数据 集团 发布 报告", False),
        ("English sentence", "open data for good models", True),
        ("Korean uses spaces between words", "오늘 날씨가 정말 좋네요 산책 갑시다", True),
    ],
)
def test_auto_mode_picks_words_only_for_space_delimited_scripts(title: str, text: str, word_based: bool) -> None:
    (auto,) = shingle_sets([text], ngram=2)
    (words,) = shingle_sets([text], ngram=2, tokens="words")
    (chars,) = shingle_sets([text], ngram=2, tokens="chars")
    assert auto == (words if word_based else chars), title


def test_hashes_do_not_depend_on_the_batch() -> None:
    rng = random.Random(3)
    texts = [random_cjk(rng.randint(0, 300), rng) for _ in range(40)] + ["open data for good models"]
    together = shingle_sets(texts)
    alone = [shingle_sets([text])[0] for text in texts]
    assert together == alone


@pytest.mark.parametrize("neighbours", [[], ["贵州大数据集团"], ["open data for good models"]])
def test_a_short_unspaced_word_is_hashed_alike_in_any_batch(neighbours: list[str]) -> None:
    """A batch without any space once shingled such a word by characters, others by words."""
    (alone,) = shingle_sets(["Guizhou"], tokens="words")
    assert shingle_sets(["Guizhou", *neighbours])[0] == alone


def test_hashes_are_stable_across_runs_and_versions() -> None:
    """Signatures are persisted (index of published versions): these values must never change."""
    hashes, offsets = shingle_hashes(pl.Series(["床前明月光，疑是地上霜"]), ngram=5)
    assert normalise("床前明月光，疑是地上霜") == "床前明月光疑是地上霜"
    assert offsets.tolist() == [0, 10]
    assert hashes[:6].tolist() == [4232698095, 3132378246, 1273248511, 4170453802, 2323674209, 4029204526]
