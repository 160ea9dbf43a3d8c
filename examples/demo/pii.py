"""Personal data to plant in demo articles: check-digit valid values and near-miss look-alikes.

The generator carries its own GB 11643 and Luhn arithmetic so the truth it records does not
depend on the pipeline code it is meant to test.
"""

import random
from datetime import date, timedelta

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# Real GB/T 2260 county codes: mostly Guizhou, a few from where visitors come from.
GUIZHOU_AREAS: tuple[str, ...] = (
    "520102", "520103", "520111", "520112", "520113", "520115", "520121", "520181", "520201", "520281", "520302", "520303",
    "520304", "520322", "520328", "520381", "520382", "520402", "520423", "520502", "520524", "520526", "520602", "520621",
    "520624", "522301", "522328", "522601", "522625", "522631", "522632", "522634", "522701", "522722", "522727",
)  # fmt: skip
OTHER_AREAS: tuple[str, ...] = ("110105", "310104", "440305", "510107", "500103", "430102", "330106", "420106")

# Issuer prefixes of UnionPay debit cards (工行 622202, 建行 621700, 农行 622848, 中行 621661, 邮储 621799…).
CARD_PREFIXES: tuple[str, ...] = ("622202", "621700", "622848", "621661", "621799", "622588", "621483", "623052")
MOBILE_PREFIXES: tuple[str, ...] = (
    "135", "136", "138", "139", "150", "151", "158", "166", "177", "180", "182", "185", "187", "188", "191", "199",
)  # fmt: skip
MAIL_DOMAINS: tuple[str, ...] = ("163.com", "qq.com", "126.com", "sina.com", "foxmail.com", "gz-travel.example.cn")
MAIL_NAMES: tuple[str, ...] = (
    "zhangwei", "liqing", "wangmin", "yangfan", "chenlu", "longhai", "wujing", "panxue", "luoyun", "tianmei",
    "shiyu", "heping", "xiaoyan", "yaoshan", "guizhoutrip", "miaojia", "qiandong", "dongzhai",
)  # fmt: skip


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def luhn_ok(number: str) -> bool:
    """Whether an all-digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_digit(partial: str) -> str:
    return next(d for d in "0123456789" if luhn_ok(partial + d))


def _id_body(rng: random.Random) -> str:
    area = rng.choice(GUIZHOU_AREAS) if rng.random() < 0.85 else rng.choice(OTHER_AREAS)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    return f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"


def resident_id(rng: random.Random, *, valid: bool) -> str:
    """An 18-character ID with a plausible area and birth date; ``valid`` decides the check digit.

    Values whose digit run (all 18, or the 17 before an X) passes Luhn are redrawn, so an ID never
    also reads as a bank card.
    """
    while True:
        body = _id_body(rng)
        right = id_check_char(body)
        check = right if valid else rng.choice([c for c in ID_CHECK if c != right])
        if not luhn_ok(body if check == "X" else body + check):
            return body + check


def bank_card(rng: random.Random, *, valid: bool) -> str:
    """A 16- or 19-digit UnionPay card number that passes (or fails) Luhn.

    Never 18 digits, and no 18-digit window of a 19-digit number carries a correct ID check
    digit, so a card never also reads as a resident ID.
    """
    while True:
        length = rng.choice((16, 16, 19))
        partial = rng.choice(CARD_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(length - 7))
        right = _luhn_digit(partial)
        value = partial + (right if valid else rng.choice([d for d in "0123456789" if d != right]))
        windows = [value[i : i + 18] for i in range(len(value) - 17)]
        if all(id_check_char(w[:17]) != w[17] for w in windows):
            return value


def mobile(rng: random.Random) -> str:
    """A mainland mobile number: 1[3-9] followed by nine digits."""
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def email(rng: random.Random) -> str:
    """A lower-case address whose local part never holds a mobile-length digit run."""
    name = rng.choice(MAIL_NAMES)
    suffix = str(rng.randrange(10, 9999)) if rng.random() < 0.6 else ""
    sep = rng.choice(("", ".", "_")) if suffix else ""
    return f"{name}{sep}{suffix}@{rng.choice(MAIL_DOMAINS)}"
