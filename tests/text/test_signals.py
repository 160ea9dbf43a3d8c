"""Signals, quality_score and the filters: every rejection path leaves a ledger row with its
reason and a detail saying which value broke which threshold."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.models import CleanConfig
from pipelines.text.signals import SIGNAL_COLUMNS, add_signals, score_and_filter, top_ngram_frac
from tests.support import text_records as records

PROSE = {
    "article": (
        "西江千户苗寨游记\n\n清晨六点，我们从凯里出发，沿着蜿蜒的山路驶向雷公山脚下。车窗外，薄雾笼罩着层层梯田，"
        "偶尔能看到早起的农人牵着水牛走过田埂。\n\n到达苗寨时，太阳刚刚爬上山顶。吊脚楼依山而建，层层叠叠，"
        "在晨光中显得格外宁静。寨子里的老人告诉我们，这里居住着一千多户苗族人家，是世界上最大的苗族聚居村寨。"
    ),
    "paragraph": (
        "贵州省位于中国西南部，素有“八山一水一分田”之说，是全国唯一没有平原支撑的省份。每年夏季，来自全国各地的"
        "游客纷纷涌入贵阳避暑，感受“爽爽的贵阳”带来的清凉。"
    ),
    "dialogue": (
        "第三章\n\n“你真的要走吗？”她低声问道。\n他没有回答，只是默默地收拾着行李。\n“至少等到明天吧。”\n"
        "“不了。”他终于开口，“车票已经买好了，今晚就走。”\n窗外下起了小雨，雨点打在玻璃上，发出细碎的声响。"
    ),
    "news-with-numbers": (
        "据省统计局发布的数据，2025年全省地区生产总值达到22,500亿元，同比增长5.3%。其中，第一产业增加值3,100亿元，"
        "增长3.8%；第二产业增加值7,900亿元，增长5.9%。\n全年全省接待游客6.2亿人次，旅游总收入7,800亿元。"
    ),
    "truncated-paragraph": (
        "黄果树瀑布是中国第一大瀑布，也是世界著名的大瀑布之一，以水势浩大著称。瀑布高度为77.8米，其中主瀑高67米；"
        "瀑布宽101米，其中主瀑顶宽83.3米。每年夏季丰水期，瀑布的景象最为壮观，吸引了大量游客前来"
    ),
}
JUNK = {
    "menu": "首页 | 景点 | 攻略 | 登录\n关于我们 | 联系我们 | 网站地图\n上一篇 下一篇\n版权所有 © 2026 贵州旅游网\n分享到：微信 微博 QQ",
    "menu-one-line": "首页 | 景点 | 攻略 | 酒店 | 美食 | 交通 | 登录 | 注册 | 关于我们 | 联系我们 | 网站地图 | 帮助中心",
    "menu-short-lines": "首页\n景点\n攻略\n登录\n注册\n酒店\n美食\n交通\n帮助\n地图\n联系我们\n关于我们",
    "link-list": "贵阳旅游攻略大全\n遵义旅游攻略大全\n安顺旅游攻略大全\n毕节旅游攻略大全\n铜仁旅游攻略大全\n黔南旅游攻略大全",
    "repeated-line": "点击查看更多精彩内容\n" * 12,
    "keyword-spam": "贵州旅游" * 15,
    "footer": "版权所有 贵州旅游网 黔ICP备12345678号 技术支持：某某科技 联系电话：0851-12345678 地址：贵阳市观山湖区",
}


def signals(text: str) -> dict[str, object]:
    return add_signals(records(text)).row(0, named=True)


def test_columns_and_types() -> None:
    frame = records(PROSE["article"], JUNK["menu"])
    scored = add_signals(frame)
    assert scored.columns == [*frame.columns, "n_chars", "lang", *SIGNAL_COLUMNS, "quality_score"]
    assert scored["n_chars"].dtype == pl.UInt32
    assert scored["lang"].dtype == pl.String
    assert all(scored[c].dtype == pl.Float64 for c in (*SIGNAL_COLUMNS, "quality_score"))
    assert scored["id"].to_list() == ["r0", "r1"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param(PROSE["paragraph"], "zh", id="chinese"),
        pytest.param("我们使用 Python、polars 和 Dagster 构建数据管道。", "zh", id="chinese-with-english-terms"),
        pytest.param("Guizhou is a province in southwestern China.", "en", id="english"),
        pytest.param("東京は日本の首都であり、世界有数の大都市です。", "und", id="japanese-is-not-chinese"),
        pytest.param("서울은 대한민국의 수도입니다.", "und", id="korean"),
        pytest.param("12345 67890 !!!", "und", id="no-letters"),
    ],
)
def test_script_based_language(text: str, lang: str) -> None:
    assert signals(text)["lang"] == lang


def test_signal_values_on_a_small_text() -> None:
    row = signals("第一行内容很长很长很长。\n短行\n短行\nabc 123!")
    # Lines of 12, 2, 2 and 8 characters; 3 newlines and 1 space, so 23 non-space characters.
    assert row["n_chars"] == 27
    assert row["sig_mean_line_len"] == pytest.approx(24 / 4)
    assert row["sig_short_line_ratio"] == pytest.approx(3 / 4)
    assert row["sig_sentence_end_ratio"] == pytest.approx(2 / 4)
    assert row["sig_dup_line_frac"] == pytest.approx(2 / 24)
    assert row["sig_digit_ratio"] == pytest.approx(3 / 23)
    assert row["sig_cjk_ratio"] == pytest.approx(15 / 23)
    assert row["sig_punct_ratio"] == pytest.approx(2 / 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("哈哈哈哈哈哈哈哈", 1.0, id="one-repeated-character-capped"),
        pytest.param("abcdabcdabcd", 1.0, id="periodic"),
        pytest.param("abcdefghij", 0.4, id="no-repeat"),
        pytest.param("abc", 0.0, id="shorter-than-n"),
        pytest.param("ab cd\nab cd", 8 / 8, id="whitespace-ignored"),
    ],
)
def test_top_ngram_frac(text: str, expected: float) -> None:
    assert top_ngram_frac(pl.Series([text])).item() == pytest.approx(expected)


def test_top_ngram_frac_does_not_count_across_records() -> None:
    assert top_ngram_frac(pl.Series(["abcdefgh", "abcdefgh"])).to_list() == [0.5, 0.5]
    assert top_ngram_frac(pl.Series(["ab", "cd", "abcd"])).to_list() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("name", PROSE)
def test_prose_scores_high(name: str) -> None:
    assert signals(PROSE[name])["quality_score"] >= 0.7


@pytest.mark.parametrize("name", JUNK)
def test_junk_scores_low(name: str) -> None:
    assert signals(JUNK[name])["quality_score"] <= 0.3


def test_junk_ranks_below_prose() -> None:
    scored = add_signals(records(*JUNK.values(), *PROSE.values()))["quality_score"].to_list()
    assert max(scored[: len(JUNK)]) < min(scored[len(JUNK) :])


def rejection(text: str, **config: object) -> tuple[str, str]:
    result = score_and_filter(records(text), config=CleanConfig(**config))
    assert result.kept.is_empty()
    row = result.removed.row(0, named=True)
    assert (row["record_id"], row["source_id"], row["source_key"], row["stage"]) == ("r0", "s", "k0", "clean")
    return row["outcome"], row["detail"]


@pytest.mark.parametrize(
    ("text", "config", "outcome", "detail"),
    [
        pytest.param("太短了。", {}, "filtered:clean_too_short", "n_chars=4 < min_chars=50", id="too-short"),
        pytest.param(
            "Guizhou is a province in southwestern China, known for its karst landscapes and waterfalls.",
            {},
            "filtered:clean_low_cjk_ratio",
            "lang=en not in accepted_languages=[zh]",
            id="language-not-accepted",
        ),
        pytest.param(
            "数据1234567890",
            {"min_chars": 10},
            "filtered:clean_low_cjk_ratio",
            "cjk_ratio=0.167 < min_cjk_ratio=0.3",
            id="chinese-but-few-han",
        ),
        pytest.param(
            JUNK["menu"],
            {"min_quality_score": 0.35},
            "filtered:clean_low_quality",
            "quality_score=0.215 < min_quality_score=0.35",
            id="low-quality",
        ),
    ],
)
def test_every_rejection_path(text: str, config: dict[str, object], outcome: str, detail: str) -> None:
    assert rejection(text, **config) == (outcome, detail)


def test_first_matching_rule_wins() -> None:
    # Short, English and junk at once: reported as too short only.
    assert rejection("Home | Login", min_quality_score=0.9)[0] == "filtered:clean_too_short"


def test_english_accepted_is_not_held_to_the_cjk_ratio() -> None:
    text = "Guizhou is a province in southwestern China, known for its karst landscapes and waterfalls."
    result = score_and_filter(records(text), config=CleanConfig(accepted_languages=["zh", "en"]))
    assert result.kept.height == 1


def test_stats_and_kept_order() -> None:
    frame = records(PROSE["article"], "太短。", JUNK["menu"], PROSE["dialogue"], "Too short", "Short too")
    result = score_and_filter(frame, config=CleanConfig(min_quality_score=0.35))
    assert result.kept["id"].to_list() == ["r0", "r3"]
    assert result.removed["record_id"].to_list() == ["r1", "r2", "r4", "r5"]
    assert result.stats == {"clean_too_short": 3, "clean_low_cjk_ratio": 0, "clean_low_quality": 1}


def test_default_threshold_drops_menu_junk_and_keeps_prose() -> None:
    result = score_and_filter(records(JUNK["menu"], PROSE["article"]), config=CleanConfig())
    assert result.kept["text"].to_list() == [PROSE["article"]]
    assert result.removed["outcome"].to_list() == ["filtered:clean_low_quality"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_quality_score_in_unit_interval(texts: list[str]) -> None:
    scored = add_signals(records(*texts))
    assert scored["quality_score"].is_between(0.0, 1.0).all()
    assert not scored.select(pl.col(*SIGNAL_COLUMNS).is_nan().any()).row(0)[0]
