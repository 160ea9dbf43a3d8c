"""Distinct tourism articles of seven kinds, composed from section templates and a per-article context.

Every article draws its own numbers, people and wording, chooses which sections to include and in
what order, and is then grown or trimmed to a target length, so two articles about the same place
share facts but hardly any phrasing.
"""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from examples.demo import lexicon as lx
from examples.demo import pii as pii_values
from examples.demo import topic_phrases as tp
from examples.demo import travel_phrases as tr
from examples.demo.context import article_context, deck
from examples.demo.places import PLACES, Place
from examples.demo.template import Context, Value, expand

KINDS: tuple[str, ...] = ("guide", "note", "review", "news", "food", "itinerary", "festival")
KIND_WEIGHTS: tuple[int, ...] = (24, 19, 14, 15, 10, 9, 9)
MIN_CJK = 300
MAX_CHARS = 900
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERALS = "一二三四五六七八九十"
_PLACE = {p.name: p for p in PLACES}
_FOOD_PLACE = {
    "贵阳": "甲秀楼", "凯里": "西江千户苗寨", "遵义": "遵义会议会址", "六盘水": "妥乐古银杏村", "毕节": "织金洞",
    "安顺": "黄果树瀑布", "兴义": "万峰林", "铜仁": "梵净山", "都匀": "荔波小七孔",
}  # fmt: skip
_LABELS = {
    "transport": "交通",
    "ticket": "门票",
    "route": "路线",
    "food": "美食",
    "stay": "住宿",
    "weather": "天气",
    "tips": "提醒",
}
_FACTS = tr.FACT_SENTENCES

TITLES: dict[str, tuple[str, ...]] = {
    "guide": (
        "{place}[游玩|自由行]攻略：门票、交通、路线[和美食|与住宿]一篇讲清楚", "[第一次|初次]去{place}？这份攻略[请收好|建议收藏]",
        "{place}怎么玩？[本地人|老贵州]的{visits}条建议", "{month}月的{place}[值得去吗|好玩吗]？[实地|亲测]攻略来了",
        "从贵阳到{place}：交通、门票与避坑[指南|提醒]", "{place}[一日游|两日游][路线|攻略]分享",
    ),
    "note": (
        "[游记|旅记]｜{month}月，在{place}[慢下来|走一走]", "{home_city}出发，去{place}[看|寻]{spot1}", "第{visits}次来{place}",
        "和{companion}的{place}[小记|之旅]",
    ),
    "review": ("{review_obj}[真实|亲身]体验：{score}分", "[点评|测评]｜{review_obj}[值不值|怎么样]", "{place}[避坑|体验][点评|报告]"),
    "news": ("{event}", "{place}：{period}[客流|游客][持续|稳步][增长|回升]", "{city}[文旅|旅游][新动态|快讯]"),
    "food": ("{city_short}[美食|小吃]地图：{n_found}家[本地人|老饕]常去的[老店|馆子]", "在{city_short}吃了{days}天，最推荐这几样"),
    "itinerary": ("贵州{ndays}天{nnights}晚[行程|路线][推荐|分享]：{place_list}", "[第一次来贵州|贵州自由行]{ndays}日游怎么安排"),
    "festival": ("{where}的{festival}：[看|去看]{act}", "2026年{festival}[攻略|看点]", "[跟着|和]{people}过{festival}"),
}  # fmt: skip

# (section, templates, fewest, most) in reading order; guides and notes keep a random subset.
_PLANS: dict[str, tuple[tuple[str, tuple[str, ...], int, int], ...]] = {
    "guide": (
        ("transport", tr.GUIDE["transport"], 1, 3), ("ticket", tr.GUIDE["ticket"], 1, 2), ("route", tr.GUIDE["route"], 2, 4),
        ("food", tr.GUIDE["food"], 1, 2), ("stay", tr.GUIDE["stay"], 1, 2), ("weather", tr.GUIDE["weather"], 1, 2),
        ("tips", tr.GUIDE["tips"], 1, 2),
    ),
    "note": (
        ("morning", tr.NOTE["morning"], 1, 2), ("noon", tr.NOTE["noon"], 1, 2),
        ("afternoon", tr.NOTE["afternoon"], 1, 2), ("evening", tr.NOTE["evening"], 1, 2),
    ),
    "review": (
        ("visit", tr.REVIEW["visit"], 2, 3), ("pros", tr.REVIEW["pros"], 1, 2), ("cons", tr.REVIEW["cons"], 1, 2),
        ("value", tr.REVIEW["value"], 1, 2), ("advice", tr.REVIEW["advice"], 1, 2),
    ),
    "news": (("body", tp.NEWS["body"], 2, 3), ("body2", tp.NEWS["body"], 1, 3), ("body3", tp.NEWS["body"], 1, 2)),
    "festival": (("body", tp.FESTIVAL["body"], 2, 3), ("fact", _FACTS, 1, 1), ("tips", tp.FESTIVAL["tips"], 1, 2)),
}  # fmt: skip
_OPENERS = {"guide": tr.GUIDE["intro"], "note": tr.NOTE["open"], "review": tr.REVIEW["open"], "news": tp.NEWS["lead"],
            "festival": tp.FESTIVAL["open"]}  # fmt: skip
_CLOSERS = {"guide": tr.GUIDE["close"], "note": tr.NOTE["reflect"]}
# Templates an article may grow by, with the section each belongs to.
_SPARE: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "guide": (("route", tr.GUIDE["route"]), ("tips", tr.GUIDE["tips"]), ("weather", tr.GUIDE["weather"]),
              ("food", tr.GUIDE["food"]), ("transport", tr.GUIDE["transport"]), ("stay", tr.GUIDE["stay"])),
    "note": (("afternoon", tr.NOTE["afternoon"]), ("morning", tr.NOTE["morning"]), ("evening", tr.NOTE["evening"])),
    "review": (("visit", tr.REVIEW["visit"]), ("pros", tr.REVIEW["pros"]), ("cons", tr.REVIEW["cons"]),
               ("advice", tr.REVIEW["advice"]), ("visit", _FACTS)),
    "news": (("body2", tp.NEWS["body"]),),
    "festival": (("body", tp.FESTIVAL["body"]), ("fact", _FACTS), ("tips", tp.FESTIVAL["tips"])),
    "food": (("extra", tp.FOOD["extra"]), ("close", tp.FOOD["close"])),
    "itinerary": (("budget", tr.GUIDE["tips"]), ("budget", tr.GUIDE["weather"])),
}  # fmt: skip


@dataclass(frozen=True)
class PiiValue:
    """A personal-data value planted in an article."""

    kind: str
    value: str
    valid: bool


@dataclass
class Sentence:
    """One sentence, the template and context it came from (to reword it), and the PII it carries."""

    template: str
    text: str
    ctx: Context
    pii: PiiValue | None = None


@dataclass
class Paragraph:
    """Sentences of one section, under an optional heading such as 【交通】."""

    section: str
    head: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Article:
    """A base article: kind, topic (place, food city or festival), title and paragraphs."""

    kind: str
    topic: str
    title: str
    paragraphs: list[Paragraph]

    @property
    def content(self) -> str:
        return "\n".join(p.head + "".join(s.text for s in p.sentences) for p in self.paragraphs)

    @property
    def pii(self) -> list[PiiValue]:
        return [s.pii for p in self.paragraphs for s in p.sentences if s.pii is not None]


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def pick_topic(kind: str, rng: random.Random) -> tuple[str, Place]:
    """The article's topic (a place, a food city or a festival) and the place whose facts it uses."""
    if kind == "food":
        city = rng.choice(sorted(_FOOD_PLACE))
        return f"{city}美食", _PLACE[_FOOD_PLACE[city]]
    if kind == "festival":
        fest = rng.choice(lx.FESTIVALS)
        return fest.name, _PLACE[fest.place]
    place = rng.choice(PLACES)
    return place.name, place


def make_article(kind: str, rng: random.Random, *, when: datetime, pii_kinds: Sequence[tuple[str, bool]]) -> Article:
    """A new article of ``kind`` published at ``when``, with one sentence per requested (PII kind, valid)."""
    topic, place = pick_topic(kind, rng)
    target = rng.randint(360, 860)
    while True:  # a draw that misses the length bounds is redrawn
        ctx = article_context(rng, place, when)
        _topic_slots(ctx, kind, topic, rng)
        paragraphs = {"food": _food, "itinerary": _itinerary}.get(kind, _sectioned)(rng, ctx, kind)
        article = Article(kind, topic, expand(rng.choice(TITLES[kind]), ctx, rng), paragraphs)
        for pii_kind, valid in pii_kinds:
            _plant(article, rng, ctx, pii_kind, valid=valid)
        _grow(article, rng, ctx, target)
        _trim(article, rng)
        if cjk_count(article.content) >= MIN_CJK and len(article.content) <= MAX_CHARS:
            return article


def _topic_slots(ctx: dict[str, Value], kind: str, topic: str, rng: random.Random) -> None:
    if kind == "food":
        city = topic.removesuffix("美食")
        ctx.update(
            city_short=city, city=city, n_dishes=str(rng.randint(9, 16)), n_found=str(rng.randint(4, 8)),
            day_budget=str(rng.randrange(60, 160, 10)), street_any=rng.choice(lx.STREETS), friend=lx.honorific(rng),
            snack_price=str(rng.randint(3, 12)),
        )  # fmt: skip
    elif kind == "festival":
        fest = next(f for f in lx.FESTIVALS if f.name == topic)
        ctx.update(
            festival=fest.name, people=fest.people, when=fest.when, where=fest.where, act=deck(rng, fest.acts),
            custom=deck(rng, fest.customs), local_name=lx.name(rng), old_custom=rng.choice(tp.OLD_CUSTOMS),
            book_days=str(rng.choice((7, 10, 15, 20, 30))), fest_days=str(rng.randint(2, 7)),
        )  # fmt: skip
    elif kind == "itinerary":
        ndays = rng.randint(3, 5)
        stops = [str(ctx["place"]), *rng.sample([p.name for p in PLACES if p.name != ctx["place"]], ndays - 1)]
        ctx.update(ndays=str(ndays), nnights=str(ndays - 1), budget=str(rng.randrange(500, 900, 50) * ndays),
                   place_list="、".join(stops))  # fmt: skip


def _sentences(rng: random.Random, ctx: Context, pool: Sequence[str], count: int) -> list[Sentence]:
    return [Sentence(t, expand(t, ctx, rng), ctx) for t in rng.sample(list(pool), min(count, len(pool)))]


def _sectioned(rng: random.Random, ctx: Context, kind: str) -> list[Paragraph]:
    """Opener, a random subset of the kind's sections (sometimes reordered), and maybe a closer."""
    plan = list(_PLANS[kind])
    if kind in ("guide", "note"):
        keep = sorted(rng.sample(range(len(plan)), rng.randint(len(plan) - 3 if kind == "guide" else 3, len(plan))))
        if kind == "guide" and rng.random() < 0.4:
            rng.shuffle(keep)
        plan = [plan[i] for i in keep]
    elif kind == "review" and rng.random() < 0.5:
        plan[1], plan[2] = plan[2], plan[1]
    style = rng.choice(("bracket", "number", "none", "none")) if kind == "guide" else "none"
    paragraphs = [
        Paragraph("open", "", _sentences(rng, ctx, _OPENERS[kind], rng.randint(1, 2 if kind != "review" else 1)))
    ]
    for n, (section, pool, low, high) in enumerate(plan, start=1):
        label = _LABELS.get(section, "")
        head = {"bracket": f"【{label}】", "number": f"{_NUMERALS[n - 1]}、{label}："}.get(style, "") if label else ""
        paragraphs.append(Paragraph(section, head, _sentences(rng, ctx, pool, rng.randint(low, high))))
    if kind in _CLOSERS and (kind == "note" or rng.random() < 0.75):
        paragraphs.append(Paragraph("close", "", _sentences(rng, ctx, _CLOSERS[kind], rng.randint(1, 2))))
    return paragraphs


def _food(rng: random.Random, ctx: Context, _: str) -> list[Paragraph]:
    city = str(ctx["city_short"])
    local = [d for d in lx.DISHES if d.city == city]
    others = [d for d in lx.DISHES if d.city != city]
    dishes = local + rng.sample(others, max(0, rng.randint(3, 6) - len(local)))
    rng.shuffle(dishes)
    paragraphs = [Paragraph("open", "", _sentences(rng, ctx, tp.FOOD["open"], 1))]
    templates = rng.sample(tp.FOOD["dish"], len(tp.FOOD["dish"]))
    for i, dish in enumerate(dishes[:6]):
        dctx: dict[str, Value] = {
            **ctx, "dish": dish.name, "dish_desc": dish.desc, "street": rng.choice(lx.STREETS),
            "dish_price": str(rng.randint(6, 38)), "shop_open": str(rng.choice((6, 7, 8, 10))),
            "boss": lx.honorific(rng), "shop_years": str(rng.randint(5, 40)),
            "shop": rng.choice(("老", "", "小")) + rng.choice(lx.SURNAMES) + rng.choice("记家妈姐") + dish.name,
        }  # fmt: skip
        t = templates[i % len(templates)]
        paragraphs.append(Paragraph("dish", "", [Sentence(t, expand(t, dctx, rng), dctx)]))
    paragraphs.append(Paragraph("close", "", _sentences(rng, ctx, tp.FOOD["close"], rng.randint(1, 2))))
    return paragraphs


def _itinerary(rng: random.Random, ctx: Context, _: str) -> list[Paragraph]:
    stops = [_PLACE[name] for name in str(ctx["place_list"]).split("、")]
    label = rng.choice(("Day{k}", "D{k}", "第{k}天"))
    paragraphs = [Paragraph("open", "", _sentences(rng, ctx, tp.ITINERARY["open"], 1))]
    for k, here in enumerate(stops):
        dctx: dict[str, Value] = {
            **ctx, "day_label": label.format(k=k + 1), "from_place": "贵阳" if k == 0 else stops[k - 1].name,
            "to_place": here.name, "to_county": here.county, "place": here.name, "county": here.county,
            "spot": lambda here=here: rng.choice(here.spots), "food": rng.choice(here.foods),
            "activity": rng.choice(tp.ACTIVITIES), "h": str(max(1, round(here.km / 90 + 0.5))),
        }  # fmt: skip
        dctx["am"] = lambda dctx=dctx: expand(rng.choice(tp.ITINERARY["am"]), dctx, rng)
        dctx["pm"] = lambda dctx=dctx: expand(rng.choice(tp.ITINERARY["pm"]), dctx, rng)
        t = rng.choice(tp.ITINERARY["day"])
        paragraphs.append(Paragraph("day", "", [Sentence(t, expand(t, dctx, rng), dctx)]))
    paragraphs.append(Paragraph("budget", "", _sentences(rng, ctx, tp.ITINERARY["budget"], rng.randint(2, 4))))
    return paragraphs


def _grow(article: Article, rng: random.Random, ctx: Context, target: int) -> None:
    """Add unused templates to their own sections (new ones go before the last paragraph) up to the target."""
    used = {s.template for p in article.paragraphs for s in p.sentences}
    spare = [(section, t) for section, pool in _SPARE[article.kind] for t in pool if t not in used]
    rng.shuffle(spare)
    while spare and (len(article.content) < target or cjk_count(article.content) < MIN_CJK + 10):
        section, t = spare.pop()
        home = [p for p in article.paragraphs if p.section == section]
        if not home:
            home = [Paragraph(section, "")]
            article.paragraphs.insert(len(article.paragraphs) - 1, home[0])
        home[-1].sentences.append(Sentence(t, expand(t, ctx, rng), ctx))


def _trim(article: Article, rng: random.Random) -> None:
    """Drop sentences (never a paragraph's first, never one carrying PII) until under the cap."""
    while len(article.content) > MAX_CHARS:
        spots = [(p, j) for p in article.paragraphs for j in range(1, len(p.sentences)) if p.sentences[j].pii is None]
        if not spots:
            return
        p, j = rng.choice(spots)
        del p.sentences[j]


def _plant(article: Article, rng: random.Random, ctx: Context, kind: str, *, valid: bool) -> None:
    if kind == "resident_id":
        value = pii_values.resident_id(rng, valid=valid)
    elif kind == "bank_card":
        value = pii_values.bank_card(rng, valid=valid)
    else:
        value = pii_values.mobile(rng) if kind == "mobile" else pii_values.email(rng)
    t = rng.choice(tp.PII_SENTENCES[kind])
    sctx = {**ctx, "value": value}
    para = article.paragraphs[rng.randrange(1, len(article.paragraphs))]
    para.sentences.append(Sentence(t, expand(t, sctx, rng), sctx, PiiValue(kind, value, valid)))
