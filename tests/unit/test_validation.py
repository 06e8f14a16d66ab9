"""Tests of crm_core.validation: normalisation, rejection codes and messages, masking."""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.validation import (
    FieldProblem,
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_text,
    mask_id_number,
    mask_phone,
    normalize_email,
    normalize_landline,
    normalize_mobile,
    normalize_phone,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


# --- independent checksum helpers (written from the standards, not copied from the module) ---------


def id_with_check(first17: str) -> str:
    """Append the GB 11643 check character: weight_i = 2**(17-i) mod 11, check = (12 - sum mod 11) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_with_check(first17: str) -> str:
    """Append the GB 32100 check character: weight_i = 3**i mod 31, check = 31 - sum mod 31 (31 -> 0)."""
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def problem(func, value, **kwargs) -> FieldProblem:
    with pytest.raises(FieldProblem) as info:
        func(value, **kwargs)
    return info.value


def test_independent_helpers_agree_with_public_examples():
    assert id_with_check("11010519491231002") == "11010519491231002X"
    assert credit_with_check("91350100M000100Y4") == "91350100M000100Y43"


# --- FieldProblem ---------------------------------------------------------------------------------


def test_field_problem_carries_code_and_both_messages():
    exc = FieldProblem("mobile", "不是有效的手机号", "is not a valid mobile number")
    assert isinstance(exc, ValueError)
    assert (exc.code, exc.zh, exc.en) == ("mobile", "不是有效的手机号", "is not a valid mobile number")
    assert "is not a valid mobile number" in str(exc)


def test_field_problem_survives_pickling():
    copy = pickle.loads(pickle.dumps(FieldProblem("email", "中文", "english")))
    assert (copy.code, copy.zh, copy.en) == ("email", "中文", "english")


# --- e-mail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name@example.com", "name@example.com"),
        ("  Foo.Bar@Example.COM \n", "Foo.Bar@example.com"),  # only the domain is lower-cased
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ("o'brien_x-y@my-host.example.org", "o'brien_x-y@my-host.example.org"),
        ("zhang@例子.中国", "zhang@例子.中国"),
        ("a@BÜCHER.de", "a@bücher.de"),
        ("a@xn--fiqs8s.com", "a@xn--fiqs8s.com"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),  # full-width input from a Chinese IME
        ("x" * 64 + "@example.com", "x" * 64 + "@example.com"),
    ],
)
def test_normalize_email_accepts(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "@example.com",
        "name@",
        "name@localhost",
        "a b@example.com",
        "name@exa mple.com",
        "a@@example.com",
        "a@b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a..b@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@example..com",
        "a@example.com.",
        "a@.example.com",
        "a@ex_ample.com",
        "a@1.2.3.4",
        "用户@example.com",
        "a(b)@example.com",
        "x" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
    ],
)
def test_normalize_email_rejects(raw):
    exc = problem(normalize_email, raw)
    assert exc.code == "email"
    assert "name@example.com" in exc.zh and "name@example.com" in exc.en


def test_normalize_email_rejects_over_254_characters_with_its_own_message():
    address = "a@" + ".".join(["b" * 62] * 4) + ".com"  # labels within 63, whole address 257
    assert len(address) == 257
    exc = problem(normalize_email, address)
    assert exc.code == "email"
    assert "254" in exc.zh and "254" in exc.en


# --- mobile ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 13812345678 ",
        "+86 138 1234 5678",
        "+8613812345678",
        "86-13812345678",
        "8613812345678",
        "0086 138 1234 5678",
        "(+86) 138-1234-5678",
        "138-1234-5678",
        "138.1234.5678",
        "138 1234 5678",
        "138\u20131234\u20135678",  # en dash from a word processor
        "１３８１２３４５６７８",  # full-width digits
        "＋８６　１３８－１２３４－５６７８",  # full-width plus, ideographic space, full-width hyphen
    ],
)
def test_normalize_mobile_accepts(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_normalize_mobile_accepts_every_second_digit_from_3_to_9(prefix):
    assert normalize_mobile(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12812345678",  # second digit 2
        "10812345678",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+86 1381234567",
        "+1 138 1234 5678",
        "138-1234-567a",
        "138/1234/5678",
        "010-12345678",
        "86 86 13812345678",
    ],
)
def test_normalize_mobile_rejects(raw):
    exc = problem(normalize_mobile, raw)
    assert exc.code == "mobile"
    assert "13812345678" in exc.zh and "13812345678" in exc.en


# --- landline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("（010）12345678", "010-12345678"),
        ("(010) 1234-5678", "010-12345678"),
        ("010 1234 5678", "010-12345678"),
        ("010-1234-5678", "010-12345678"),
        ("021-87654321", "021-87654321"),
        ("0755-1234567", "0755-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("0755 123 4567", "0755-1234567"),
        ("07551234567", "0755-1234567"),
        ("０７５５－１２３４５６７", "0755-1234567"),
        ("+86 10 12345678", "010-12345678"),
        ("+86-10-12345678", "010-12345678"),
        ("+861012345678", "010-12345678"),
        ("0086 755 1234567", "0755-1234567"),
        ("86-21-12345678", "021-12345678"),
        ("(+86) 21 1234 5678", "021-12345678"),
        ("+86 (0)21 1234 5678", "021-12345678"),
        # extensions
        ("010-12345678-123", "010-12345678-123"),
        ("010-12345678转123", "010-12345678-123"),
        ("010-12345678 转 8", "010-12345678-8"),
        ("010-12345678分机123", "010-12345678-123"),
        ("010-12345678 ext 123", "010-12345678-123"),
        ("010-12345678 Ext. 123", "010-12345678-123"),
        ("010-12345678 EXT:123", "010-12345678-123"),
        ("010-12345678x123", "010-12345678-123"),
        ("010-12345678#123", "010-12345678-123"),
        ("(010)12345678 x 9", "010-12345678-9"),
        ("0755-1234567-8", "0755-1234567-8"),
        ("+86 10 12345678 转 123456", "010-12345678-123456"),
        # 400/800 service numbers
        ("400-123-4567", "400-123-4567"),
        ("4001234567", "400-123-4567"),
        ("400 1234 567", "400-123-4567"),
        ("800-810-8888", "800-810-8888"),
        ("400-123-4567转2", "400-123-4567-2"),
    ],
)
def test_normalize_landline_accepts(raw, expected):
    assert normalize_landline(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "010-12345678",
        "0755-1234567",
        "010-12345678-123",
        "400-123-4567",
        "400-123-4567-2",
    ],
)
def test_normalize_landline_is_idempotent(raw):
    assert normalize_landline(normalize_landline(raw)) == normalize_landline(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345678",  # no area code
        "1234567",
        "010-123456",  # local part too short
        "010-123456789",  # local part too long
        "0755-123456",
        "0010-12345678",  # 00 is the international prefix, not an area code
        "13812345678",  # a mobile number is not a landline
        "400-123-456",
        "600-123-4567",
        "010-12345678转",
        "010-12345678-1234567",  # extension too long
        "010 12345678 123",  # an extension needs 转/ext/x/# or a dash
        "010-1234567a",
        "tel: 010-12345678",
        "+1 212 555 1234",
    ],
)
def test_normalize_landline_rejects(raw):
    exc = problem(normalize_landline, raw)
    assert exc.code == "landline"
    assert "010-12345678" in exc.zh and "010-12345678" in exc.en
    assert "区号" in exc.zh and "area code" in exc.en


# --- phone (either) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("(010)12345678", "010-12345678"),
        ("+86 10 12345678", "010-12345678"),
        ("0755-1234567转8", "0755-1234567-8"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_normalize_phone_accepts_mobile_and_landline(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "12812345678", "12345678", "abc", "010-123"])
def test_normalize_phone_rejects_naming_both_forms(raw):
    exc = problem(normalize_phone, raw)
    assert exc.code == "phone"
    assert exc.zh == "不是有效的手机号或固定电话（例如 13812345678 或 010-12345678）"
    assert "13812345678" in exc.en and "010-12345678" in exc.en


# --- resident ID number ---------------------------------------------------------------------------

VALID_IDS = [
    "11010519491231002X",  # public example
    id_with_check("44030619900101123"),
    id_with_check("31011520000229004"),  # leap day
    id_with_check("65010219000101001"),  # earliest allowed year
    id_with_check("51010720201231987"),
]


@pytest.mark.parametrize("raw", VALID_IDS)
def test_check_id_number_accepts_valid_numbers(raw):
    assert check_id_number(raw) == raw


def test_check_id_number_covers_digit_and_x_check_characters():
    assert any(v[-1] == "X" for v in VALID_IDS) and any(v[-1].isdigit() for v in VALID_IDS)


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002x", " 110105 19491231 002X ", "110105\u300019491231002x", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_check_id_number_normalises_case_spaces_and_full_width(raw):
    assert check_id_number(raw) == "11010519491231002X"


def test_check_id_number_born_today_is_accepted():
    today = datetime.date.today()
    valid = id_with_check(f"110105{today:%Y%m%d}001")
    assert check_id_number(valid) == valid
    assert birth_date_from_id(valid) == today


def test_birth_date_from_id():
    assert birth_date_from_id("11010519491231002X") == datetime.date(1949, 12, 31)
    assert birth_date_from_id(" 11010519491231002x") == datetime.date(1949, 12, 31)


@pytest.mark.parametrize(
    "raw", ["", "1101051949123100", "11010519491231002", "11010519491231002X1", "110105491231002"]
)
def test_check_id_number_rejects_wrong_length(raw):
    exc = problem(check_id_number, raw)
    assert exc.code == "id_number"
    assert "18" in exc.zh and "18" in exc.en
    assert str(len(raw)) in exc.zh  # tells how many were typed


@pytest.mark.parametrize("raw", ["11010519491231002A", "1101051949123100XX", "X10105194912310021", "11010519491231-02X"])
def test_check_id_number_rejects_bad_characters(raw):
    exc = problem(check_id_number, raw)
    assert exc.code == "id_number"
    assert "X" in exc.zh and "X" in exc.en


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490001", "19490100", "20230229", "00000000"])
def test_check_id_number_rejects_impossible_birth_dates(birth):
    raw = id_with_check(f"110105{birth}001")
    exc = problem(check_id_number, raw)
    assert exc.code == "id_number"
    assert "出生日期" in exc.zh and "birth date" in exc.en
    assert birth in exc.zh


def test_check_id_number_rejects_birth_dates_in_the_future():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for birth in (f"{tomorrow:%Y%m%d}", f"{tomorrow.year + 1}0101"):
        exc = problem(check_id_number, id_with_check(f"110105{birth}001"))
        assert exc.code == "id_number"
        assert "晚于今天" in exc.zh and "future" in exc.en


def test_check_id_number_rejects_years_before_1900():
    exc = problem(check_id_number, id_with_check("11010518991231001"))
    assert exc.code == "id_number"
    assert "1900" in exc.zh and "1900" in exc.en


def test_birth_date_from_id_rejects_like_check_id_number():
    assert problem(birth_date_from_id, id_with_check("11010519490230001")).code == "id_number"
    assert problem(birth_date_from_id, "123").code == "id_number"


@pytest.mark.parametrize("raw", VALID_IDS)
def test_check_id_number_rejects_every_wrong_check_character(raw):
    for wrong in "0123456789X":
        if wrong != raw[-1]:
            exc = problem(check_id_number, raw[:-1] + wrong)
            assert exc.code == "id_number"
            assert "校验位" in exc.zh and "check character" in exc.en


def test_check_id_number_detects_a_typo_in_the_body():
    typo = "11010519491231003X"  # 002 -> 003
    assert "校验位" in problem(check_id_number, typo).zh


def test_id_number_messages_are_distinct():
    messages = {
        problem(check_id_number, "123").zh,
        problem(check_id_number, "1101051949123100AX").zh,
        problem(check_id_number, id_with_check("11010519491331001")).zh,
        problem(check_id_number, "110105194912310021").zh,
    }
    assert len(messages) == 4


# --- unified social credit code -------------------------------------------------------------------

VALID_CREDIT_CODES = [
    "91350100M000100Y43",  # public example
    credit_with_check("91110000MA01ABCD1"),
    credit_with_check("12100000400000001"),
    credit_with_check("Y1440300MA5FXYTUW"),
]


def _credit_code_with_check_zero() -> str:
    # Exercise the "31 -> 0" branch of the standard: vary one character until the check is 0.
    for c in CREDIT_ALPHABET:
        code = credit_with_check(f"9144030008{c}123456")
        if code.endswith("0"):
            return code
    raise AssertionError("no code with check character 0 found")


@pytest.mark.parametrize("raw", [*VALID_CREDIT_CODES, _credit_code_with_check_zero()])
def test_check_credit_code_accepts_valid_codes(raw):
    assert check_credit_code(raw) == raw


@pytest.mark.parametrize("raw", ["91350100m000100y43", " 9135 0100 M000 100Y 43 ", "９１３５０１００Ｍ０００１００Ｙ４３"])
def test_check_credit_code_normalises_case_spaces_and_full_width(raw):
    assert check_credit_code(raw) == "91350100M000100Y43"


@pytest.mark.parametrize("raw", ["", "91350100M000100Y4", "91350100M000100Y433", "350100M000100Y43"])
def test_check_credit_code_rejects_wrong_length(raw):
    exc = problem(check_credit_code, raw)
    assert exc.code == "credit_code"
    assert "18" in exc.zh and "18" in exc.en


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_check_credit_code_rejects_excluded_letters(letter):
    exc = problem(check_credit_code, f"91350100M000100{letter}43")
    assert exc.code == "credit_code"
    assert "I、O、Z、S、V" in exc.zh and "I, O, Z, S and V" in exc.en


@pytest.mark.parametrize("raw", ["91350100M000100Y4-", "91350100M000100Y4中", "91350100M000100Y4*"])
def test_check_credit_code_rejects_punctuation_and_cjk(raw):
    assert problem(check_credit_code, raw).code == "credit_code"


@pytest.mark.parametrize("raw", VALID_CREDIT_CODES)
def test_check_credit_code_rejects_every_wrong_check_character(raw):
    for wrong in CREDIT_ALPHABET:
        if wrong != raw[-1]:
            exc = problem(check_credit_code, raw[:-1] + wrong)
            assert exc.code == "credit_code"
            assert "校验位" in exc.zh and "check character" in exc.en


def test_check_credit_code_detects_a_typo_in_the_body():
    assert "校验位" in problem(check_credit_code, "91350100M000101Y43").zh


# --- masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "138****5678"),
        ("010-12345678", "010****5678"),
        ("0755-1234567", "075****4567"),
        ("0755-12345678", "075****5678"),
        ("400-123-4567", "400****4567"),
        ("010-12345678-123", "010****5678-***"),
        ("+86 138 1234 5678", "+86****5678"),
        ("1234567890", "******7890"),
        ("12345678", "****5678"),
        ("1234567", "****567"),
        ("12345", "***45"),
        ("12", "*2"),
        ("1", "*"),
        (None, None),
        ("", ""),
    ],
)
def test_mask_phone(raw, expected):
    assert mask_phone(raw) == expected


def _revealed(masked: str) -> int:
    return sum(1 for c in masked if c not in "*-")


@given(st.text(max_size=40))
def test_mask_phone_never_reveals_more_than_seven_characters(value):
    masked = mask_phone(value)
    assert _revealed(masked) <= 7
    if len(value) <= 10:
        assert _revealed(masked) <= 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "**************002X"),
        ("110105491231002", "***********1002"),  # old 15-digit number
        ("12345678", "****5678"),
        ("123", "**3"),
        (None, None),
        ("", ""),
    ],
)
def test_mask_id_number(raw, expected):
    assert mask_id_number(raw) == expected


@given(st.text(min_size=1, max_size=30))
def test_mask_id_number_keeps_length_and_reveals_at_most_four(value):
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert any(masked == "*" * (len(value) - k) + value[len(value) - k :] for k in range(5))


# --- free text ------------------------------------------------------------------------------------


def test_check_text_strips_and_keeps_newlines_and_tabs_inside():
    assert check_text("  第一行\n\t第二行  ", max_length=None) == "第一行\n\t第二行"


def test_check_text_turns_windows_line_ends_into_newlines():
    assert check_text("a\r\nb\rc", max_length=None) == "a\nb\nc"


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_check_text_rejects_c0_control_characters(char):
    exc = problem(check_text, f"abc{char}def", max_length=100)
    assert exc.code == "control_chars"
    assert "控制字符" in exc.zh and "control characters" in exc.en


@pytest.mark.parametrize("raw", ["\x1fabc", "abc\x1c", "\x0b", "\x00"])
def test_check_text_does_not_strip_control_characters_silently(raw):
    assert problem(check_text, raw, max_length=None).code == "control_chars"


def test_check_text_length_limit_and_message():
    assert check_text("a" * 50, max_length=50) == "a" * 50
    exc = problem(check_text, "a" * 51, max_length=50)
    assert exc.code == "too_long"
    assert exc.zh == "长度 51，超过上限 50"
    assert exc.en == "length 51, over the limit of 50"


def test_check_text_counts_code_points_not_utf16_units_or_bytes():
    assert check_text("𠮷" * 5, max_length=5) == "𠮷" * 5  # 𠮷 is outside the BMP
    assert check_text("😀" * 5, max_length=5) == "😀" * 5
    assert check_text("中文测试字", max_length=5) == "中文测试字"
    assert problem(check_text, "𠮷" * 6, max_length=5).code == "too_long"
    # a ZWJ family emoji is several code points (man, ZWJ, woman, ZWJ, girl)
    assert problem(check_text, "👨\u200d👩\u200d👧", max_length=4).code == "too_long"
    assert check_text("👨\u200d👩\u200d👧", max_length=5)


def test_check_text_measures_after_stripping_and_allows_no_limit():
    assert check_text("   abc   ", max_length=3) == "abc"
    assert check_text("x" * 100_000, max_length=None) == "x" * 100_000
    assert check_text("   ", max_length=0) == ""


# --- all messages are bilingual -------------------------------------------------------------------

REJECTIONS = [
    (normalize_email, "bad", {}),
    (normalize_email, "a@" + "b" * 300 + ".com", {}),
    (normalize_mobile, "123", {}),
    (normalize_landline, "123", {}),
    (normalize_phone, "123", {}),
    (check_id_number, "123", {}),
    (check_id_number, "1101051949123100AX", {}),
    (check_id_number, id_with_check("11010519491331001"), {}),
    (check_id_number, id_with_check("11010518991231001"), {}),
    (check_id_number, id_with_check(f"110105{datetime.date.today().year + 1}0101001"), {}),
    (check_id_number, "110105194912310021", {}),
    (check_credit_code, "123", {}),
    (check_credit_code, "91350100M000100I43", {}),
    (check_credit_code, "91350100M000100Y44", {}),
    (check_text, "a\x00", {"max_length": None}),
    (check_text, "abc", {"max_length": 2}),
]


@pytest.mark.parametrize(("func", "raw", "kwargs"), REJECTIONS)
def test_every_message_exists_in_chinese_and_english(func, raw, kwargs):
    exc = problem(func, raw, **kwargs)
    assert re.fullmatch(r"[a-z_]+", exc.code)
    assert CJK.search(exc.zh), exc.zh
    assert exc.en and not CJK.search(exc.en), exc.en
    assert exc.en[0].islower()  # reads after the caller's "Label: " prefix
