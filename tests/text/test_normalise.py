"""Normalisation: width, whitespace, invisible characters and script variants of one article
give one text, so dedup sees them as the same."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.models import CleanConfig
from pipelines.text.normalise import normalise_text, to_simplified
from tests.support import text_records as records


def normalised(*texts: str, **config: object) -> list[str]:
    return normalise_text(records(*texts), config=CleanConfig(**config)).kept["text"].to_list()


@pytest.mark.parametrize(
    ("full_width", "half_width"),
    [
        pytest.param("你好，世界！", "你好,世界!", id="comma-bang"),
        pytest.param("真的吗？是的：今天；明天。", "真的吗?是的:今天;明天.", id="question-colon-semicolon-stop"),
        pytest.param("报告（2026年）发布", "报告(2026年)发布", id="parentheses"),
        pytest.param("他说：“好的。”", "他说:“好的.”", id="stop-before-quote"),
        pytest.param("ＡＢＣ１２３，测试", "ABC123,测试", id="full-width-latin-digits"),
        pytest.param("第一段。\n\n第二段。", "第一段．\n\n第二段．", id="full-width-full-stop"),
        pytest.param("第一段。第二段。", "第一段｡第二段｡", id="half-width-ideographic-stop"),
    ],
)
def test_full_and_half_width_variants_normalise_equal(full_width: str, half_width: str) -> None:
    a, b = normalised(full_width, half_width)
    assert a == b


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("百度.com 与 3.14", "百度.com 与 3.14", id="dot-before-letters-or-digits-stays"),
        pytest.param("Hello, world!", "Hello, world!", id="english-punctuation-stays"),
        pytest.param("中.文.字.", "中。文。字。", id="stops-between-han-chain"),
        pytest.param("好的...然后", "好的...然后", id="ellipsis-stays"),
        pytest.param("脚下.车窗外", "脚下。车窗外", id="stop-between-sentences"),
        pytest.param("版本(v2)与(v3)说明", "版本（v2）与（v3）说明", id="parenthesis-pair-next-to-han"),
        pytest.param("see (v2) now", "see (v2) now", id="parenthesis-pair-without-han-stays"),
        pytest.param("(注)", "（注）", id="parenthesis-pair-around-han"),
    ],
)
def test_punctuation_restored_only_next_to_han(text: str, expected: str) -> None:
    assert normalised(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("数据\u200b中心\ufeff", "数据中心", id="zero-width-space-and-bom"),
        pytest.param("a\u200d\u200cb\u00adc", "abc", id="joiners-and-soft-hyphen"),
        pytest.param("a\x00b\x07c", "abc", id="control-characters"),
        pytest.param("  x \t  y  \n\n\n\n  z  ", "x y\n\nz", id="spaces-tabs-newlines"),
        pytest.param("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行", id="line-breaks"),
        pytest.param("\u3000\u3000段落开头", "段落开头", id="ideographic-space-indent"),
    ],
)
def test_layout_and_invisible_characters(text: str, expected: str) -> None:
    assert normalised(text) == [expected]


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        pytest.param("數據中心", "数据中心", id="data-centre"),
        pytest.param("貴州旅遊攻略", "贵州旅游攻略", id="tourism"),
        pytest.param("後來，我們回到了臺灣。", "后来，我们回到了台湾。", id="sentence"),
    ],
)
def test_traditional_to_simplified(traditional: str, simplified: str) -> None:
    assert normalised(traditional) == [simplified]


def test_convert_none_keeps_traditional() -> None:
    assert normalised("數據中心", convert="none") == ["數據中心"]


def test_nfkc_off_keeps_full_width() -> None:
    assert normalised("ＡＢＣ，中文", nfkc=False, convert="none") == ["ＡＢＣ，中文"]


def test_stats_rows_and_columns() -> None:
    frame = records("數據中心", "数据\u200b中心", "已经规范的文本。")
    result = normalise_text(frame, config=CleanConfig())
    assert result.stats == {"normalise_changed": 2, "t2s_converted": 1}
    assert result.kept.columns == frame.columns
    assert result.kept["id"].to_list() == ["r0", "r1", "r2"]
    assert result.removed.is_empty()
    assert frame["text"].to_list()[0] == "數據中心", "the input frame must not be modified"


def test_to_simplified_keeps_values_apart() -> None:
    values = pl.Series(["後來", "abc", "", "臺灣\n\n數據", "無"])
    assert to_simplified(values).to_list() == ["后来", "abc", "", "台湾\n\n数据", "无"]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalised(text)
    assert normalised(*once) == once


_CHINESE = st.text(
    alphabet=st.sampled_from(
        list("數據中心貴州后來我們臺灣的是了，。！？：；（）,.!?:;() \u3000\n\t\u200bａ１ab12「」“”")
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(_CHINESE)
def test_normalise_idempotent_on_chinese_punctuation_mixes(text: str) -> None:
    once = normalised(text)
    assert normalised(*once) == once
