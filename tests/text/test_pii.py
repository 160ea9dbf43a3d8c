"""PII masking: checksum-valid identifiers become typed tokens; look-alikes stay untouched."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.models import PiiConfig
from pipelines.text.pii import (
    count_unmasked_valid,
    is_valid_bank_card,
    is_valid_resident_id,
    is_valid_uscc,
    mask_pii,
)
from tests.support import text_records as records

KINDS = ("resident_id", "mobile", "email", "bank_card", "uscc")

# Arithmetic written out here, independent of the code under test.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def with_id_check(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def with_luhn(partial: str) -> str:
    def ok(number: str) -> bool:
        digits = [int(c) for c in reversed(number)]
        return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0

    return next(partial + d for d in "0123456789" if ok(partial + d))


def with_uscc_checks(first16: str) -> str:
    """A USCC from its first 16 characters: organisation-code check (GB 11714), then GB 32100."""
    org = sum(int(c, 36) * w for c, w in zip(first16[8:], ORG_WEIGHTS, strict=True))
    first17 = first16 + "0123456789X"[(11 - org % 11) % 11]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def wrong(code: str, alphabet: str = "0123456789") -> str:
    """The same code with a different last character."""
    return code[:-1] + next(c for c in alphabet if c != code[-1])


VALID_ID = "11010519491231002X"
VALID_ID_2 = with_id_check("52010219800101123")
VALID_CARD = with_luhn("622202123456789012")  # 19 digits, UnionPay
VALID_CARD_16 = with_luhn("621700987654321")
VALID_USCC = with_uscc_checks("9152010021474836")
VALID_USCC_LETTERS = with_uscc_checks("91330100MA2CDE1F")


def masked(text: str, kinds: tuple[str, ...] = KINDS) -> str:
    return mask_pii(records(text), config=PiiConfig(kinds=list(kinds))).kept["text"].item()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("11010519491231002X", True, id="reference-example"),
        pytest.param("11010519491231002x", True, id="lower-case-x"),
        pytest.param(VALID_ID_2, True, id="guizhou"),
        pytest.param(wrong(VALID_ID_2), False, id="wrong-check-digit"),
        pytest.param(with_id_check("11010519490231002"), False, id="february-31"),
        pytest.param(with_id_check("11010518991231002"), False, id="born-before-1900"),
        pytest.param(with_id_check("11010520271231002"), False, id="born-after-2026"),
        pytest.param(with_id_check("99010519491231002"), False, id="no-such-province"),
        pytest.param(with_id_check("11010519491231002")[:17], False, id="17-characters"),
        pytest.param("１１０１０５１９４９１２３１００２Ｘ", False, id="full-width-digits"),
    ],
)
def test_is_valid_resident_id(value: str, valid: bool) -> None:
    assert is_valid_resident_id(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param(VALID_CARD, True, id="19-digit-unionpay"),
        pytest.param(VALID_CARD_16, True, id="16-digit"),
        pytest.param(with_luhn("37828224631000"), True, id="15-digit-amex"),
        pytest.param(wrong(VALID_CARD), False, id="luhn-fails"),
        pytest.param(with_luhn("1234567890123"), False, id="14-digits"),
        pytest.param(with_luhn("12345678901234567890"), False, id="21-digits"),
        pytest.param(with_luhn("202611230001234"), False, id="no-card-network-starts-with-2"),
    ],
)
def test_is_valid_bank_card(value: str, valid: bool) -> None:
    assert is_valid_bank_card(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("914403001922038216", True, id="published-code-digits"),
        pytest.param("9144030071526726XG", True, id="published-code-letters"),
        pytest.param(VALID_USCC, True, id="constructed"),
        pytest.param(VALID_USCC_LETTERS, True, id="constructed-with-letters"),
        pytest.param(wrong(VALID_USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY"), False, id="wrong-check-char"),
        pytest.param(wrong(VALID_USCC[:17]) + VALID_USCC[17], False, id="wrong-organisation-check"),
        pytest.param("91" + "52010A" + VALID_USCC[8:], False, id="letter-in-division-code"),
        pytest.param(VALID_USCC.replace("9", "I", 1), False, id="letter-outside-alphabet"),
    ],
)
def test_is_valid_uscc(value: str, valid: bool) -> None:
    assert is_valid_uscc(value) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"身份证号{VALID_ID}，请核对。", "身份证号[身份证号]，请核对。", id="resident-id"),
        pytest.param(f"ID: {VALID_ID_2}.", "ID: [身份证号].", id="resident-id-latin-context"),
        pytest.param("电话13812345678，", "电话[手机号]，", id="mobile"),
        pytest.param("电话 138-1234-5678 或 139 8765 4321", "电话 [手机号] 或 [手机号]", id="mobile-grouped"),
        pytest.param("邮箱 zhang.wei_88@gz-travel.example.cn 联系", "邮箱 [邮箱] 联系", id="email"),
        pytest.param("发邮件到13812345678@163.com", "发邮件到[邮箱]", id="email-with-mobile-local-part"),
        pytest.param(f"卡号{VALID_CARD}", "卡号[银行卡号]", id="bank-card"),
        pytest.param(
            "卡号 " + " ".join(VALID_CARD_16[i : i + 4] for i in range(0, 16, 4)) + " 已冻结",
            "卡号 [银行卡号] 已冻结",
            id="bank-card-grouped",
        ),
        pytest.param(f"信用代码：{VALID_USCC_LETTERS}。", "信用代码：[统一社会信用代码]。", id="uscc"),
    ],
)
def test_valid_identifiers_are_masked(text: str, expected: str) -> None:
    assert masked(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"身份证号{wrong(VALID_ID_2)}", id="id-wrong-check-digit"),
        pytest.param(f"编号{with_id_check('52010219801301123')}", id="id-invalid-birth-date"),
        pytest.param(f"流水号88{VALID_ID_2}", id="id-inside-longer-digit-run"),
        pytest.param(f"流水号{VALID_ID_2}7", id="id-followed-by-digit"),
        pytest.param(f"token=ab{VALID_ID_2}", id="id-after-letters"),
        pytest.param(f"x_{VALID_ID_2}", id="id-after-underscore"),
        pytest.param("订单12813812345678", id="mobile-inside-longer-run"),
        pytest.param("号码12812345678", id="not-a-mobile-prefix"),
        pytest.param(f"卡号{wrong(VALID_CARD)}", id="card-luhn-fails"),
        pytest.param(f"信用代码{wrong(VALID_USCC, 'ABCDEFGH')}", id="uscc-wrong-check"),
        pytest.param("时间 2026-11-23 10:00，价格 3.14 元，1234 5678", id="dates-and-numbers"),
        pytest.param("邮箱不完整 user@localhost", id="email-without-domain"),
        pytest.param("列表 2020 2021 2022 2023 2024", id="year-list-not-a-card"),
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert masked(text) == text


def test_wrong_check_id_passing_luhn_is_not_masked_as_card() -> None:
    look_alike = next(
        value
        for serial in range(100, 1000)
        for value in [wrong(with_id_check(f"41010519800101{serial}"))]
        if value.isdigit() and is_valid_bank_card(value)
    )
    assert masked(f"身份证{look_alike}") == f"身份证{look_alike}"


def test_only_configured_kinds_are_masked() -> None:
    text = f"{VALID_ID} 13812345678 a@b.cn"
    assert masked(text, kinds=("mobile",)) == f"{VALID_ID} [手机号] a@b.cn"


def test_count_columns_and_stats() -> None:
    frame = records(
        f"{VALID_ID}，{VALID_ID_2}，13812345678",
        "没有个人信息的记录。",
        f"邮箱 a@b.cn 卡 {VALID_CARD} 代码 {VALID_USCC}",
    )
    result = mask_pii(frame, config=PiiConfig())
    kept = result.kept
    per_kind = ["pii_email", "pii_resident_id", "pii_uscc", "pii_bank_card", "pii_mobile"]
    assert kept.columns == [*frame.columns, "pii_masked", *per_kind]
    assert kept["pii_masked"].dtype == pl.UInt32
    assert kept["pii_masked"].to_list() == [3, 0, 3]
    assert kept["pii_resident_id"].to_list() == [2, 0, 0]
    assert kept["pii_mobile"].to_list() == [1, 0, 0]
    assert kept["pii_email"].to_list() == [0, 0, 1]
    assert kept["pii_bank_card"].to_list() == [0, 0, 1]
    assert kept["pii_uscc"].to_list() == [0, 0, 1]
    assert result.stats == {
        "pii_email": 1,
        "pii_resident_id": 2,
        "pii_uscc": 1,
        "pii_bank_card": 1,
        "pii_mobile": 1,
        "pii_records": 2,
    }
    assert kept["id"].to_list() == ["r0", "r1", "r2"]
    assert result.removed.is_empty()
    assert frame["text"][0].startswith(VALID_ID), "the input frame must not be modified"


def test_disabled_masks_nothing() -> None:
    result = mask_pii(records(f"{VALID_ID}"), config=PiiConfig(enabled=False))
    assert result.kept["text"].item() == VALID_ID
    assert result.kept["pii_masked"].to_list() == [0]
    assert result.stats == {"pii_records": 0}


def test_count_unmasked_valid() -> None:
    texts = pl.Series([f"{VALID_ID} {wrong(VALID_ID_2)}", f"卡{VALID_CARD} 13812345678", None, "[身份证号]"])
    assert count_unmasked_valid(texts) == 2
    assert count_unmasked_valid(texts, kinds=("mobile",)) == 1
    cleaned = mask_pii(records(*texts.drop_nulls().to_list()), config=PiiConfig()).kept["text"]
    assert count_unmasked_valid(cleaned) == 0


_PII_LIKE = st.lists(
    st.one_of(
        st.sampled_from(
            [VALID_ID, VALID_ID_2, wrong(VALID_ID_2), VALID_CARD, VALID_USCC, "13812345678", "a@b.cn", "138 1234 5678"]
        ),
        st.text(alphabet="0123456789 -Xx@.a身份证", max_size=12),
    ),
    max_size=8,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _PII_LIKE))
def test_masking_never_raises_and_is_idempotent(text: str) -> None:
    once = masked(text)
    assert masked(once) == once
    assert count_unmasked_valid(pl.Series([once])) == 0
