"""The clean chain: stages in order, ledger and stats merged, hash of the published text."""

import hashlib

import opencc
import polars as pl

from catalog.models import CleanConfig, PiiConfig
from pipelines.text.chain import TEXT_STAGES, clean_text, content_sha256
from tests.support import text_records as records

ARTICLE = (
    "西江千户苗寨游记\n\n清晨六点，我们从凯里出发，沿着蜿蜒的山路驶向雷公山脚下。车窗外，薄雾笼罩着层层梯田，"
    "偶尔能看到早起的农人牵着水牛走过田埂。\n\n到达苗寨时，太阳刚刚爬上山顶。吊脚楼依山而建，层层叠叠，"
    "在晨光中显得格外宁静。导游的电话是13812345678，身份证号11010519491231002X，请妥善保管。"
)
MENU = "首页 | 景点 | 攻略 | 登录\n关于我们 | 联系我们 | 网站地图\n上一篇 下一篇\n版权所有 © 2026 贵州旅游网\n分享到：微信 微博 QQ"


def test_stage_order_is_data() -> None:
    assert [s.name for s in TEXT_STAGES] == ["normalise", "mask_pii", "score_and_filter"]


def test_variants_of_one_article_publish_one_text_and_hash() -> None:
    half_width = ARTICLE.replace("，", ",").replace("。", ".")
    traditional = opencc.OpenCC("s2t").convert(ARTICLE)
    invisible = ARTICLE.replace("，", "\uff0c\u200b").replace("\n\n", "\r\n\r\n\r\n")
    result = clean_text(records(ARTICLE, half_width, traditional, invisible), clean=CleanConfig(), pii=PiiConfig())
    assert result.kept["text"].n_unique() == 1
    assert result.kept["content_sha256"].n_unique() == 1
    assert "[手机号]" in result.kept["text"][0]
    assert "[身份证号]" in result.kept["text"][0]


def test_clean_text_merges_ledger_and_stats() -> None:
    traditional = "貴州省位於中國西南部，素有「八山一水一分田」之說，是全國唯一沒有平原支撐的省份。每年夏季，來自全國各地的遊客紛紛湧入貴陽避暑。"
    frame = records(ARTICLE, "太短。", MENU, traditional)
    result = clean_text(frame, clean=CleanConfig(min_quality_score=0.35), pii=PiiConfig())
    assert result.kept["id"].to_list() == ["r0", "r3"]
    assert result.removed.select("record_id", "stage", "outcome").rows() == [
        ("r1", "clean", "filtered:clean_too_short"),
        ("r2", "clean", "filtered:clean_low_quality"),
    ]
    assert result.stats["t2s_converted"] == 1
    assert result.stats["pii_records"] == 1
    assert result.stats["pii_resident_id"] == 1
    assert result.stats["clean_too_short"] == 1
    assert result.stats["clean_low_quality"] == 1
    assert {"normalise_changed", "pii_mobile", "clean_low_cjk_ratio"} <= result.stats.keys()
    assert result.kept["pii_masked"].to_list() == [2, 0]
    for column in ("lang", "n_chars", "quality_score", "pii_masked", "sig_cjk_ratio"):
        assert column in result.kept.columns
    assert result.kept.columns[: len(frame.columns)] == frame.columns


def test_content_sha256_is_the_hash_of_the_published_text() -> None:
    result = clean_text(records(ARTICLE), clean=CleanConfig(), pii=PiiConfig())
    text = result.kept["text"].item()
    assert text != ARTICLE
    assert result.kept["content_sha256"].item() == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_content_sha256_helper() -> None:
    assert content_sha256(pl.Series(["", "数据"])).to_list() == [
        hashlib.sha256(b"").hexdigest(),
        hashlib.sha256("数据".encode()).hexdigest(),
    ]


def test_empty_input() -> None:
    result = clean_text(records(), clean=CleanConfig(), pii=PiiConfig())
    assert result.kept.is_empty()
    assert result.removed.is_empty()
