"""The per-row rules made cheaper for the import (issue 10) give exactly what they gave before.

Each ``_before_*`` function below is the implementation as it was before that work, kept here
only as the reference: hypothesis feeds both the same random values and compares the results,
or the exception codes and both messages.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from itertools import repeat
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core import validation as v
from crm_core.importing import lookups, reader
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.modules import SPECS
from crm_core.services import search_index, values
from crm_core.services.custom import _TYPES
from crm_core.i18n import Text

# ----------------------------------------------------------------------- the rules as they were


def _before_nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _before_mobile(value: str) -> str:
    s = re.sub(f"[{v._SEP}]+", "", _before_nfkc(value))
    s = re.sub(r"^(?:\+|00)86", "", s)
    if len(s) == 13 and s.startswith("86"):
        s = s[2:]
    if not v._MOBILE.fullmatch(s):
        raise v.FieldProblem("mobile", "不是有效的手机号（例如 13812345678）",
                             "is not a valid mobile number (e.g. 13812345678)")
    return s


def _before_landline(value: str) -> str:
    problem = v.FieldProblem("landline", "不是有效的固定电话，需带区号（例如 010-12345678 或 400-123-4567）",
                             "is not a valid landline number; include the area code (e.g. 010-12345678)")
    s = _before_nfkc(value).lower()
    extension = None
    if m := v._EXTENSION.fullmatch(s):
        s, extension = m.group(1), m.group(2)
    international = False
    if m := re.match(rf"\(?(?:\+|00)86\)?|86(?=[{v._SEP}])", s):
        s, international = s[m.end():], True
    if not re.fullmatch(rf"[\d{v._SEP}]*", s):
        raise problem
    parts = re.split(r"(\d+)", s)
    groups, seps = parts[1::2], parts[0::2]
    if extension is None and len(groups) > 1 and seps[-2].strip() == "-" and len(groups[-1]) <= 6:
        if number := v._format_fixed("".join(groups[:-1]), international):
            return f"{number}-{groups[-1]}"
    if not (number := v._format_fixed("".join(groups), international)):
        raise problem
    return f"{number}-{extension}" if extension else number


def _before_phone(value: str) -> str:
    for normalize in (_before_mobile, _before_landline):
        try:
            return normalize(value)
        except v.FieldProblem:
            pass
    raise v.FieldProblem("phone", "不是有效的手机号或固定电话（例如 13812345678 或 010-12345678）",
                         "is not a valid mobile or landline number (e.g. 13812345678 or 010-12345678)")


def _before_check_text(value: str, *, max_length: int | None) -> str:
    s = value.replace("\r\n", "\n").replace("\r", "\n")
    if v._CONTROL.search(s):
        raise v.FieldProblem("control_chars", "包含不允许的控制字符", "contains control characters that are not allowed")
    s = s.strip()
    if max_length is not None and len(s) > max_length:
        raise v.FieldProblem("too_long", f"长度 {len(s)}，超过上限 {max_length}",
                             f"length {len(s)}, over the limit of {max_length}")
    return s


def _before_compact(value: str, code: str) -> str:
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
    if len(s) != 18:
        raise v.FieldProblem(code, f"应为 18 位，当前为 {len(s)} 位", f"must be 18 characters long, not {len(s)}")
    return s


def _before_email(value: str) -> str:
    s = _before_nfkc(value)
    if len(s) > 254:
        raise v.FieldProblem("email", "过长（最多 254 个字符）", "is too long (at most 254 characters)")
    local, at, domain = s.rpartition("@")
    labels = domain.split(".")
    if (not at or len(local) > 64 or not v._EMAIL_LOCAL.fullmatch(local) or len(labels) < 2
            or not all(len(label) <= 63 and v._EMAIL_LABEL.fullmatch(label) for label in labels)
            or labels[-1].isdigit()):
        raise v.FieldProblem("email", "不是有效的电子邮箱地址（例如 name@example.com）",
                             "is not a valid e-mail address (e.g. name@example.com)")
    return f"{local}@{domain.lower()}"


def _before_parse_value(field: Field, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    t = field.type
    if t in values.TEXT_TYPES:
        if not isinstance(value, str):
            value = str(value)
        text = _before_check_text(value, max_length=field.max_length)
        if t is FieldType.EMAIL:
            return _before_email(text)
        if t is FieldType.PHONE:
            return _before_phone(text)
        if t is FieldType.ID_NUMBER:
            # (only its compact step changed; past it, the 18 characters are what the check sees)
            return v.check_id_number(_before_compact(text, "id_number"))
        if t is FieldType.CREDIT_CODE:
            return v.check_credit_code(_before_compact(text, "credit_code"))
        return text
    if t is FieldType.INTEGER or t is FieldType.REF:
        return values._parse_int(field, value)
    if t is FieldType.MONEY:
        return values._parse_money(field, value)
    if t is FieldType.DATE:
        return values._parse_date(value)
    if t is FieldType.DATETIME:
        return values._parse_datetime(value)
    if t is FieldType.BOOL:
        return values._parse_bool(value)
    raise AssertionError(f"unhandled field type {t}")


def _before_row_keys(spec: EntitySpec, row: dict[str, Any]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for name in spec.unique:
        if row.get(name) not in (None, ""):
            keys[name] = lookups.fold(str(row[name]))
    if spec.module == "customers":
        if row.get("name"):
            keys["name"] = lookups.company_key(str(row["name"]))
        if row.get("phone"):
            keys["phone"] = lookups.phone_key(str(row["phone"]))
    return {k: key for k, key in keys.items() if key}


def _before_restore_types(row: list[Any]) -> list[Any]:
    out = []
    for c in row:
        if c == "" or c is None:
            out.append(None)
        elif isinstance(c, float) and c.is_integer() and abs(c) < 2 ** 53:
            out.append(int(c))
        elif isinstance(c, (dt.time, dt.timedelta)):
            out.append(str(c))
        else:
            out.append(c)
    return out


# ------------------------------------------------------------------------------- comparing


def outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """("ok", result with its type) or ("problem", code, zh, en) or ("error", exception type)."""
    try:
        result = fn(*args, **kwargs)
    except v.FieldProblem as exc:
        return ("problem", (exc.code, exc.zh, exc.en))
    except Exception as exc:  # noqa: BLE001 - the same kind of failure is what is compared
        return ("error", type(exc).__name__)
    return ("ok", (type(result).__name__, result))


SEPARATORS = " -.()\u2010\u2015\u2212\u3000"
phone_like = st.text(alphabet="0123456789０１２３４５６７８９+86转分机ext#x:" + SEPARATORS, max_size=24)
mobile_like = st.builds(lambda prefix, body, sep: prefix + sep.join([body[:3], body[3:7], body[7:]]),
                        st.sampled_from(["", "+86", "0086", "86", "+86 ", "（+86）"]),
                        st.builds(lambda second, rest: "1" + second + rest, st.sampled_from("3589０"),
                                  st.text(alphabet="0123456789０１２８٣", min_size=9, max_size=9)),
                        st.sampled_from(["", " ", "-", "－", "\u3000"]))
any_text = st.text(max_size=40)
texty = st.one_of(phone_like, mobile_like, any_text,
                  st.text(alphabet="ab@.-_中文ＡＢ１２ \t\r\n\x00\x1c", max_size=30),
                  st.builds(lambda local, labels: local + "@" + ".".join(labels),
                            st.text(alphabet="aZ9.+_-ａ", max_size=8),
                            st.lists(st.text(alphabet="ab9-例子ＣＮ_", max_size=65), max_size=4)))


@settings(max_examples=400, deadline=None)
@given(texty)
def test_nfkc_mobile_landline_phone_as_before(text: str) -> None:
    assert v._nfkc(text) == _before_nfkc(text)
    assert outcome(v.normalize_email, text) == outcome(_before_email, text)
    assert outcome(v.normalize_mobile, text) == outcome(_before_mobile, text)
    assert outcome(v.normalize_landline, text) == outcome(_before_landline, text)
    assert outcome(v.normalize_phone, text) == outcome(_before_phone, text)


@settings(max_examples=300, deadline=None)
@given(texty, st.one_of(st.none(), st.integers(0, 30)))
def test_check_text_as_before(text: str, max_length: int | None) -> None:
    assert outcome(v.check_text, text, max_length=max_length) == outcome(_before_check_text, text, max_length=max_length)


def every_field() -> list[Field]:
    """Every field of every module, and a custom field of each custom type."""
    fields = [f for spec in SPECS.values() for f in spec.all_fields.values()]
    fields += [Field(f"custom_{name}", Text("自定义", "Custom"), t, max_length=10) for name, t in _TYPES.items()]
    return fields


FIELDS = every_field()
cell_values = st.one_of(
    st.none(), texty, st.integers(-10**6, 10**16), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(), st.datetimes(), st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.decimals(allow_nan=False, places=3, min_value=Decimal(-10**6), max_value=Decimal(10**6)),
    st.sampled_from(["  ", "12,800.00", "１２３", "2024年5月3日", "2024/5/3", "20240503", "是", "否", "yes",
                     "110101199003074477", "91350100M000100Y43", "name@例子.中国", "A", "prospect"]))


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(FIELDS), cell_values)
def test_parse_value_as_before(field: Field, value: Any) -> None:
    assert outcome(values.parse_value, field, value) == outcome(_before_parse_value, field, value)


def test_every_field_type_has_its_parser() -> None:
    """Each type is parsed, and the types whose parser checks text are the ones that were text before."""
    text_parsers = (values._text, values._email, values._phone, values._id_number, values._credit_code)
    assert set(values._PARSERS) == set(FieldType)
    assert {t for t, parse in values._PARSERS.items() if parse in text_parsers} == values.TEXT_TYPES


KEY_SPECS = [SPECS["customers"], SPECS["contracts"], SPECS["contacts"],
             # a customers spec whose name is unique too: the name's own key wins, the folded text when falsy
             EntitySpec("customers", Text("客户", "Customer"), object, SPECS["customers"].fields, "name",
                        unique=("code", "name"))]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(KEY_SPECS),
       st.dictionaries(st.sampled_from(["code", "name", "phone", "number", "email", "other"]),
                       st.one_of(st.none(), st.just(""), st.just(0), texty, st.integers(0, 99)), max_size=5))
def test_row_keys_as_before(spec: EntitySpec, row: dict[str, Any]) -> None:
    new = lookups.row_keys(spec, row)
    old = _before_row_keys(spec, row)
    assert new == old
    assert list(new) == list(old)  # same order: the duplicates' messages come out in it


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(""), texty, st.floats(allow_nan=False), st.integers(), st.booleans(),
                          st.dates(), st.datetimes(), st.times(), st.timedeltas()), max_size=8))
def test_reading_cells_as_before(row: list[Any]) -> None:
    new = reader._restore_types(row)
    old = _before_restore_types(row)
    assert [(type(a), a) for a in new] == [(type(b), b) for b in old]
    assert [reader.cell_text(c) for c in row if isinstance(c, str)] == [c for c in row if isinstance(c, str)]


@pytest.mark.parametrize("text", ["13812345678", "１３８１２３４５６７８", "+86 138 1234 5678", "138-1234-5678",
                                  "8613812345678", "010-12345678", "12345678901", "１3812345678",
                                  "13８12345678", "138123456٣8"])
def test_phone_examples_as_before(text: str) -> None:
    assert outcome(v.normalize_phone, text) == outcome(_before_phone, text)


# ------------------------------------------------- a customer's search entry (search_index.derive)

def _before_pairs(text: str | None) -> set[str]:
    if not text:
        return set()
    folded = text.casefold()
    joined, typed = search_index._NON_WORD.sub("", folded), search_index._SPACE.sub("", folded)
    out = search_index._adjacent(joined)
    if typed != joined:
        out |= search_index._adjacent(typed)
    return out


def _before_token_pairs(text: str | None) -> set[str]:
    out: set[str] = set()
    if text:
        for word in search_index._NON_WORD.split(text.casefold()):
            out |= search_index._adjacent(word)
    return out


def _before_derive(code: str | None, name: str | None, phone: str | None, email: str | None,
                   contacts: list[tuple[str | None, str | None]]) -> search_index.SearchEntry:
    si = search_index
    phone_digits = si.digits(phone)
    parts = [code or "", name or "", phone_digits, email or ""]
    if contacts:
        contact_digits = [si.digits(p) for _, p in contacts]
        parts += [n or "" for n, _ in contacts] + contact_digits
    search_text = " ".join([p for p in parts if p]).casefold()
    names = _before_pairs(name)
    if email:
        names |= _before_token_pairs(email)
    start = si.start_pair(name, _before_pairs(name[1:]) | (_before_token_pairs(email) if email else set())) if name else None
    grams = set(zip(names, repeat(si.NAME)))
    if start is not None:
        grams.discard((start, si.NAME))
        grams.add((start, si.START))
    grams.update(zip(si._adjacent(phone_digits) - names, repeat(si.PHONE)))
    if contacts:
        contact_names: set[str] = set()
        contact_phones: set[str] = set()
        for (n, _), d in zip(contacts, contact_digits):
            contact_names |= _before_pairs(n)
            contact_phones |= si._adjacent(d)
        grams.update(zip(contact_names, repeat(si.CONTACT_NAME)))
        grams.update(zip(contact_phones - contact_names, repeat(si.CONTACT_PHONE)))
    return si.SearchEntry(search_text, frozenset(grams), si.name_key(name))


# names as offices type them: CJK, Latin of both cases, full-width, digits, punctuation, spaces of
# several kinds, "_" (a word character for neither form), characters casefold lengthens (ß, ﬁ) or
# changes (İ, Σ), an emoji
name_like = st.one_of(st.none(), st.text(alphabet="星辰软件科技有限公司AaBbßﬁİΣσς１２0123 \u3000\t·-_.@()（）😀", max_size=16),
                      st.text(max_size=12))


@settings(max_examples=800, deadline=None)
@given(name_like, name_like, st.one_of(st.none(), phone_like), st.one_of(st.none(), texty, name_like),
       st.lists(st.tuples(name_like, st.one_of(st.none(), phone_like)), max_size=3))
def test_search_entry_as_before(code: str | None, name: str | None, phone: str | None, email: str | None,
                                contacts: list[tuple[str | None, str | None]]) -> None:
    assert search_index.derive(code, name, phone, email, contacts) == _before_derive(code, name, phone, email, contacts)


@pytest.mark.parametrize("name", ["基准测试000123有限公司", "星星科技", "星辰·星辰", "Ab ab", "ab_ab", "青岛青岛", "ß", "ßs", "İi",
                                  "a", "", "  星辰", "星辰 ", "辰·辰·"])
def test_search_entry_examples_as_before(name: str) -> None:
    for email in (None, "c1@example.cn", "xc@星辰.cn", "ab"):
        assert search_index.derive("C1", name, "139-0000-0123", email) == _before_derive("C1", name, "139-0000-0123", email, [])
