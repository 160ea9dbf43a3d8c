"""The per-article context: the place, people, numbers and decks every template slot is filled from.

Numbers are drawn once per article so a price or a temperature stays the same wherever the
article repeats it; decks (facts, tips, pros, cons) deal a fresh item on every use.
"""

import random
from collections.abc import Callable, Sequence
from datetime import datetime

from examples.demo import lexicon as lx
from examples.demo import topic_phrases as tp
from examples.demo import travel_phrases as tr
from examples.demo.places import Place
from examples.demo.template import Value


def deck(rng: random.Random, items: Sequence[str]) -> Callable[[], str]:
    """Deal items without repeats until all are used, so a fact or tip is not said twice."""
    pile: list[str] = []

    def deal() -> str:
        if not pile:
            pile.extend(rng.sample(list(items), len(items)))
        return pile.pop()

    return deal


def article_context(rng: random.Random, place: Place, when: datetime) -> dict[str, Value]:
    """Everything a template may ask for, drawn once per article (decks deal on every use)."""
    spots = rng.sample(place.spots, 4)
    foods = rng.sample(place.foods, 3)
    cold = place.city == "毕节市" or place.name == "妥乐古银杏村"
    hi = rng.randint(17, 24) if when.month == 10 else rng.randint(11, 18)
    lo = hi - rng.randint(5, 9)
    if cold:
        hi, lo = hi - 4, lo - 4
    fest = rng.choice(lx.FESTIVALS)
    ticket_text = "[目前|现在][免费开放|不收门票]" if place.ticket == 0 else f"[门票|成人票]{place.ticket}元[一张|每人]"
    return {
        "place": place.name,
        "city": place.city,
        "county": place.county,
        "kind": place.kind,
        "km": str(place.km),
        "drive_h": place.drive_h,
        "transit": place.transit,
        "ticket_text": ticket_text,
        "ticket_note": place.ticket_note,
        "season": place.season,
        "stay": place.stay,
        "spot1": spots[0],
        "spot2": spots[1],
        "spot3": spots[2],
        "spot4": spots[3],
        "spot": lambda: rng.choice(place.spots),
        "food1": foods[0],
        "food2": foods[1],
        "food3": foods[2],
        "fact": deck(rng, place.facts),
        "tip": deck(rng, tr.TIPS),
        "pos": deck(rng, tr.PROS),
        "neg": deck(rng, tr.CONS),
        "year": "2026",
        "month": str(when.month),
        "day": str(rng.randint(1, when.day)),
        "month2": str(when.month % 12 + 1),
        "day2": str(rng.randint(1, 28)),
        "prev_year": str(rng.randint(2012, 2023)),
        "years": str(rng.randint(3, 20)),
        "visits": str(rng.randint(2, 7)),
        "days": str(rng.randint(2, 5)),
        "n_people": str(rng.randint(2, 6)),
        "interval": str(rng.choice((15, 20, 30, 40, 60))),
        "parking": str(rng.choice((10, 15, 20, 30))),
        "transit_h": str(max(1, round(place.km / 90 + 0.5))),
        "last_bus": str(rng.choice((17, 18, 19))),
        "charter": str(rng.randrange(300, 900, 50) + place.km),
        "taxi": str(rng.randrange(40, 120, 5) + place.km),
        "queue": str(rng.randrange(10, 65, 5)),
        "total": str(place.ticket + rng.randrange(60, 260, 10)),
        "open_time": f"{rng.choice(('8:00', '8:30', '9:00'))}至{rng.choice(('17:30', '18:00', '18:30'))}",
        "walk_h": str(rng.randint(2, 5)),
        "linger": str(rng.randrange(20, 95, 5)),
        "minutes": str(rng.randint(8, 45)),
        "steps": rng.choice(("一万多", "两万", "两万多", "一万五千多", "将近三万")),
        "meal_price": str(rng.randrange(12, 90, 2)),
        "price_hotel": str(rng.choice((128, 168, 198, 238, 268, 299, 328, 388, 458, 588))),
        "temp_hi": str(hi),
        "temp_lo": str(lo),
        "early": str(rng.choice((7, 8, 9))),
        "hour_am": str(rng.randint(7, 9)),
        "hour_pm": str(rng.randint(4, 6)),
        "meal_total": str(rng.randrange(58, 300, 2)),
        "fruit": lambda: rng.choice(lx.FRUITS),
        "fruit_price": str(rng.randint(5, 20)),
        "pickle": rng.choice(lx.PICKLES),
        "childhood": rng.choice(tr.CHILDHOOD),
        "shelter": rng.choice(tr.SHELTERS),
        "local": lambda: rng.choice(tr.LOCALS),
        "memory": rng.choice(tr.MEMORIES),
        "companion": rng.choice(lx.COMPANIONS),
        "home_city": rng.choice(lx.HOME_CITIES),
        "origin": rng.choice(lx.ORIGINS),
        "host": rng.choice(lx.SURNAMES) + rng.choice(lx.HOST_TITLES),
        "driver": rng.choice(lx.SURNAMES),
        "guide": rng.choice(("导游小", "讲解员小", "向导老")) + rng.choice(lx.SURNAMES),
        "contact": lambda: lx.honorific(rng),
        "bank": rng.choice(lx.BANKS),
        "score": rng.choice(("3.5", "4", "4.5", "5", "4.5", "4")),
        "review_obj": rng.choice(tr.REVIEW_OBJECTS),
        "audience": rng.choice(tr.AUDIENCES[:4]),
        "audience2": rng.choice(tr.AUDIENCES[4:]),
        "reporter": lx.name(rng),
        "org": rng.choice(tp.ORGS),
        "official": rng.choice(tp.ORGS) + rng.choice(tp.OFFICIAL_TITLES) + lx.name(rng),
        "event": rng.choice(tp.NEWS_EVENTS),
        "event_name": rng.choice(tp.EVENT_NAMES),
        "nth": str(rng.randint(2, 15)),
        "crowd": rng.choice(("省内外游客", "各地旅行商", "文旅企业代表", "媒体记者和游客")),
        "attendees": str(rng.randrange(200, 3000, 100)),
        "period": rng.choice(("国庆假期", "十一黄金周", "今年前三季度", "十月份", "今年以来")),
        "visitors": f"{rng.uniform(800, 6000):.1f}",
        "growth": f"{rng.uniform(3, 25):.1f}",
        "revenue": f"{rng.uniform(60, 700):.2f}",
        "visitors_place": f"{rng.uniform(20, 900):.1f}",
        "share": str(rng.randint(40, 80)),
        "staff": str(rng.randrange(30, 400, 10)),
        "n_routes": str(rng.randint(2, 8)),
        "facility": rng.choice(lx.FACILITIES),
        "tourist": lx.honorific(rng),
        "tourist_quote": rng.choice(tp.TOURIST_QUOTES),
        "plan": rng.choice(tp.PLANS),
        "opinion": rng.choice(tp.OPINIONS),
        "festival": fest.name,
        "city_short": place.city[:2],
        "gift": rng.choice(tp.GIFTS),
        "book_days_news": str(rng.randint(3, 15)),
        "villager": lx.honorific(rng),
        "n_tables": str(rng.randint(8, 40)),
        "fact_short": rng.choice(("喀斯特地貌的形成", "当地民族文化", "传统手工技艺", "生态保护知识")),
        "staff_check": str(rng.randrange(50, 600, 10)),
        "n_shops": str(rng.randrange(40, 500, 5)),
        "volunteers": str(rng.randrange(20, 300, 10)),
        "growth2": str(rng.randint(20, 180)),
    }
