"""Planted copies of an article (reposts, script and punctuation variants, small edits) and junk pages.

Every variant keeps each planted PII value byte-for-byte, so the truth can list where it occurs.
"""

import random
import re
from collections.abc import Sequence

import opencc

from examples.demo import lexicon as lx
from examples.demo.articles import Article
from examples.demo.places import PLACES
from examples.demo.template import expand
from examples.demo.textsim import jaccard5

REPOST_MIN_JACCARD = 0.75
EDIT_MIN_JACCARD = 0.8
_TO_HALF = str.maketrans("，。！？：；（）", ",.!?:;()")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# Common characters for typo-like substitutions and insertions.
_COMMON = "的一是在不了有和人这中大为上个我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道此变条只没结解问意建月公无系很情者最立代想已通并提直题程展五果料象员位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"
_NAV_LINES = (
    "首页 | 景点 | 攻略 | 酒店 | 美食 | 游记 | 登录 | 注册", "首页 > 旅游攻略 > {area} > 正文", "当前位置：首页 > 目的地 > {area}",
    "热门目的地：{p1} {p2} {p3} {p4}", "关于我们 | 联系我们 | 网站地图 | 广告服务 | 免责声明",
    "Copyright © 2026 {site} 版权所有", "黔ICP备{icp}号-1", "扫一扫 关注公众号", "返回顶部",
    "景点 门票 酒店 机票 火车票 自由行 跟团游", "热门搜索：{p1}门票 {p2}攻略 {p3}住宿", "上一页 1 2 3 4 5 下一页",
    "APP下载 | 客服中心 | 意见反馈", "分享到：微信 微博 QQ空间", "更多>>", "{area}旅游 | {area}酒店 | {area}美食",
)  # fmt: skip
_SHORT = (
    "图片加载中……", "本文已删除", "暂无内容", "详见附件。", "点击查看原文", "{p1}，好看！", "转发", "收藏了，下个月去{p1}",
    "此文章仅限会员阅读，请登录。", "视频：{p1}航拍", "{p1}今日开放", "内容审核中，请稍后再看。", "原文链接已失效",
    "{p1}图集（共12张）",
)  # fmt: skip
_ENGLISH = (
    "{en} is one of the highlights of Guizhou province in southwest China. Most visitors arrive from Guiyang by "
    "high-speed train and local bus; the trip takes about {h} hours. Tickets cost around {price} yuan, and the best "
    "time to visit is autumn, when the weather is mild and the crowds are smaller. Bring a rain jacket: it rains "
    "often in the mountains, and the stone steps get slippery.",
    "Travel notes: we spent {d} days around {en}. The villages were quiet in the morning, the food was spicy and sour, "
    "and the people were friendly. Sour fish soup (suan tang yu) is a must. We stayed in a small guesthouse for {price} "
    "yuan a night. Overall, a great trip and highly recommended for anyone who likes hiking and local culture.",
    "Top {d} things to do in Guizhou: visit {en}, try rice noodles for breakfast, walk the old town at night, join a "
    "Miao festival if you can, and take the train through the karst mountains. Plan at least a week to see the "
    "main sights without rushing, and book hotels early during the October holiday.",
)  # fmt: skip
_EN_NAMES = (
    "Huangguoshu Waterfall", "Fanjingshan", "Xijiang Miao Village", "Libo Xiaoqikong", "Zhenyuan Ancient Town",
    "Qingyan Ancient Town", "Chishui Danxia", "Zhijin Cave", "Zhaoxing Dong Village", "Wanfenglin",
)  # fmt: skip
_EDITORS = ("王敏", "刘洋", "陈静", "杨帆", "吴婷", "罗军", "张丽", "龙海燕", "潘晓东", "田春梅")
_s2t = opencc.OpenCC("s2t")


def repost(article: Article, rng: random.Random, *, site: str, stamp: str, others: Sequence[str]) -> tuple[str, float]:
    """The article under another site's header and footer lines, kept short enough to stay a near-duplicate."""
    base = article.content
    editor = rng.choice(_EDITORS)
    headers = [
        f"来源：{site} {stamp} | 责任编辑：{editor}",
        f"{site} > 旅游频道 > 正文",
        f"发布时间：{stamp}　来源：{lx.HOME_SITE[0]}　作者：{lx.name(rng)}",
        f"【字体：大 中 小】　浏览次数：{rng.randint(120, 98000)}",
    ]
    footers = [
        f"（本文转载自{lx.HOME_SITE[0]}，版权归原作者所有，如有侵权请联系删除）",
        f"相关推荐：{others[0]}　{others[1]}",
        f"上一篇：{others[2]}　下一篇：{others[3]}",
        "分享到：微信 微博 QQ空间",
        f"黔ICP备{rng.randint(10000000, 19999999)}号-1",
        f"【责任编辑：{editor}】",
    ]
    head = rng.sample(headers, rng.randint(1, 2))
    foot = rng.sample(footers, rng.randint(2, 4))
    while True:
        text = "\n".join([*head, base, *foot])
        score = jaccard5(base, text)
        if score >= REPOST_MIN_JACCARD or len(foot) == 1:
            break
        foot.pop()
    if score < REPOST_MIN_JACCARD:
        raise ValueError(f"repost of a {len(base)}-char article reaches only jaccard {score:.3f}; pick longer bases")
    return text, score


def traditional(text: str) -> str:
    """Traditional-script version, as reposted by sites outside the mainland."""
    return _s2t.convert(text)


def punctuation_variant(text: str, *, to_half: bool, keep: Sequence[str]) -> str:
    """Full-width punctuation to half-width, or ASCII digits and letters to full-width; ``keep`` spans untouched."""
    protected = _protected(text, keep)
    out = []
    for i, ch in enumerate(text):
        if i in protected:
            out.append(ch)
        elif to_half:
            out.append(ch.translate(_TO_HALF))
        else:
            out.append(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch)
    return "".join(out)


def _protected(text: str, keep: Sequence[str]) -> set[int]:
    spans: set[int] = set()
    for value in keep:
        start = text.find(value)
        while start >= 0:
            spans.update(range(start, start + len(value)))
            start = text.find(value, start + 1)
    return spans


def small_edit(article: Article, rng: random.Random) -> tuple[str, str, int, float]:
    """1–3 character edits, or one sentence reworded; returns (text, kind, n_edits, jaccard)."""
    base = article.content
    if rng.random() < 0.4:
        candidates = [s for p in article.paragraphs for s in p.sentences if s.pii is None and len(s.text) >= 15]
        for sentence in rng.sample(candidates, len(candidates)):
            for _ in range(5):
                new = expand(sentence.template, sentence.ctx, rng)
                if new != sentence.text and base.count(sentence.text) == 1:
                    text = base.replace(sentence.text, new)
                    score = jaccard5(base, text)
                    if score >= EDIT_MIN_JACCARD:
                        return text, "sentence", 1, score
    n = rng.randint(1, 3)
    chars = list(base)
    for _ in range(n):
        positions = [
            i for i in range(1, len(chars) - 1)
            if all(_CJK_CHAR.fullmatch(chars[j]) for j in (i - 1, i, i + 1))
        ]  # fmt: skip
        i = rng.choice(positions)
        op = rng.choice(("replace", "insert", "delete"))
        if op == "replace":
            chars[i] = rng.choice(_COMMON.replace(chars[i], ""))
        elif op == "insert":
            chars.insert(i, rng.choice(_COMMON))
        else:
            del chars[i]
    text = "".join(chars)
    score = jaccard5(base, text)
    if score < EDIT_MIN_JACCARD:
        raise ValueError(f"{n} edits to a {len(base)}-char article leave jaccard {score:.3f}; edit longer articles")
    return text, "chars", n, score


def navigation_page(rng: random.Random) -> str:
    """A scraped menu page: short lines of navigation and footer text, no article."""
    places = rng.sample([p.name for p in PLACES], 4)
    area = rng.choice(("黔东南", "黔南", "遵义", "安顺", "贵阳", "毕节", "铜仁"))
    lines = rng.sample(_NAV_LINES, rng.randint(5, 9))
    ctx = {"area": area, "p1": places[0], "p2": places[1], "p3": places[2], "p4": places[3],
           "site": lx.HOME_SITE[0], "icp": str(rng.randint(10000000, 19999999))}  # fmt: skip
    return "\n".join(expand(line, ctx, rng) for line in lines)


def too_short(rng: random.Random) -> str:
    """A stub under 30 characters."""
    return expand(rng.choice(_SHORT), {"p1": rng.choice(PLACES).name}, rng)


def english(rng: random.Random) -> str:
    """A record mostly in English."""
    ctx = {"en": rng.choice(_EN_NAMES), "h": str(rng.randint(2, 5)), "price": str(rng.randrange(60, 300, 10)),
           "d": str(rng.randint(3, 10))}  # fmt: skip
    return expand(rng.choice(_ENGLISH), ctx, rng)
