"""Checks and normalisation of the formatted values a CRM user types in.

Pure functions, standard library only. Each ``normalize_*`` / ``check_*`` function returns the
canonical form of a valid value or raises :class:`FieldProblem`, whose ``zh``/``en`` messages omit
the field label so that the caller can prefix it ("手机：不是有效的手机号…"). The ``mask_*``
functions hide personal data from users who may not see it in full.
"""

from __future__ import annotations

import datetime
import re
import unicodedata


class FieldProblem(ValueError):
    """A value is wrong for its field.

    Attributes:
        code: Stable machine code, e.g. ``"mobile"`` or ``"too_long"``.
        zh: Message in Simplified Chinese, without the field label.
        en: Message in English, without the field label.
    """

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(code, zh, en)  # all three in args, so the exception survives pickling
        self.code = code
        self.zh = zh
        self.en = en

    def __str__(self) -> str:
        return f"{self.code}: {self.en}"


# Separators people type inside numbers, including hyphen look-alikes from IMEs and office programs.
_SEP = r"\s\-.()\u2010-\u2015\u2212"


def _nfkc(value: str) -> str:
    # Chinese IMEs often emit full-width forms (１３８, ＠, ＋, （）); NFKC folds them to ASCII.
    # ASCII text is its own NFKC form: most values skip the normalisation (a file checks 100,000 rows).
    return value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()


# --- e-mail ---------------------------------------------------------------------------------------

_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# A domain label: letters of any script (IDN) or digits, with inner hyphens.
_EMAIL_LABEL = re.compile(r"[^\W_](?:[^\W_]|-)*(?<!-)")


def normalize_email(value: str) -> str:
    """Validate an e-mail address: ASCII dot-atom local part, domain may be internationalised.

    Args:
        value: The address as typed.

    Returns:
        The stripped address; only the domain is lower-cased, as local parts may be case-sensitive.

    Raises:
        FieldProblem: code ``"email"``.
    """
    s = _nfkc(value)
    if len(s) > 254:
        raise FieldProblem("email", "过长（最多 254 个字符）", "is too long (at most 254 characters)")
    local, at, domain = s.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or len(local) > 64
        or not _EMAIL_LOCAL.fullmatch(local)
        or len(labels) < 2
        or labels[-1].isdigit()  # a bare IP address is not a mailbox a customer gives us
        or not _email_labels_ok(labels)
    ):
        raise FieldProblem("email", "不是有效的电子邮箱地址（例如 name@example.com）",
                           "is not a valid e-mail address (e.g. name@example.com)")
    return f"{local}@{domain.lower()}"


def _email_labels_ok(labels: list[str]) -> bool:
    for label in labels:  # (a plain loop: a generator in all() costs more than the two checks)
        if len(label) > 63 or not _EMAIL_LABEL.fullmatch(label):
            return False
    return True


# --- telephone numbers ----------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SERVICE = re.compile(r"[48]00\d{7}")
_EXTENSION = re.compile(rf"(.*?)[{_SEP}]*(?:转|分机|ext\.?|x|#)[{_SEP}:]*(\d{{1,6}})")
# Compiled once: a module-level re.sub(pattern_text, ...) looks its pattern up in re's cache on every call.
_SEPARATORS = re.compile(f"[{_SEP}]+")
_COUNTRY_PREFIX = re.compile(r"^(?:\+|00)86")
_INTERNATIONAL = re.compile(rf"\(?(?:\+|00)86\)?|86(?=[{_SEP}])")
_NUMBER_CHARS = re.compile(rf"[\d{_SEP}]*")
_DIGIT_RUNS = re.compile(r"(\d+)")


def normalize_mobile(value: str) -> str:
    """Validate a mainland Chinese mobile number.

    Args:
        value: The number as typed; separators, full-width characters and a ``+86``/``0086``/``86``
            prefix are accepted, e.g. ``"+86 138 1234 5678"``.

    Returns:
        The 11 digits, e.g. ``"13812345678"``.

    Raises:
        FieldProblem: code ``"mobile"``.
    """
    if value.isascii() and _MOBILE.fullmatch(value):
        return value  # already the 11 ASCII digits: what the steps below would return unchanged
    s = _SEPARATORS.sub("", _nfkc(value))
    s = _COUNTRY_PREFIX.sub("", s)
    if len(s) == 13 and s.startswith("86"):
        s = s[2:]
    if not _MOBILE.fullmatch(s):
        raise FieldProblem("mobile", "不是有效的手机号（例如 13812345678）",
                           "is not a valid mobile number (e.g. 13812345678)")
    return s


def _format_fixed(digits: str, international: bool) -> str | None:
    """Format a landline or 400/800 number given as bare digits; None if it is neither."""
    if _SERVICE.fullmatch(digits):
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if international and not digits.startswith("0"):
        digits = "0" + digits  # the trunk prefix 0 is dropped after +86
    if len(digits) < 3 or digits[0] != "0" or digits[1] == "0":
        return None
    # Beijing (010) and the 02x cities have 2-digit area codes, all others 3.
    area_len = 3 if digits[1] in "12" else 4
    area, local = digits[:area_len], digits[area_len:]
    return f"{area}-{local}" if 7 <= len(local) <= 8 else None


def normalize_landline(value: str) -> str:
    """Validate a mainland Chinese landline (area code required) or 400/800 service number.

    Args:
        value: The number as typed, e.g. ``"(010)12345678"``, ``"+86 10 12345678"``,
            ``"0755-1234567"``; an extension may follow ``转``/``分机``/``ext``/``x``/``#``
            or a ``-`` after the local number.

    Returns:
        ``"010-12345678"``, ``"0755-1234567"``, ``"010-12345678-123"`` or ``"400-123-4567"``.

    Raises:
        FieldProblem: code ``"landline"``.
    """
    s = _nfkc(value).lower()
    extension = None
    if m := _EXTENSION.fullmatch(s):
        s, extension = m.group(1), m.group(2)
    international = False
    if m := _INTERNATIONAL.match(s):
        s, international = s[m.end():], True
    if not _NUMBER_CHARS.fullmatch(s):
        raise _landline_problem()
    parts = _DIGIT_RUNS.split(s)  # separator, digits, separator, ..., separator
    groups, seps = parts[1::2], parts[0::2]
    if extension is None and len(groups) > 1 and seps[-2].strip() == "-" and len(groups[-1]) <= 6:
        # "010-12345678-123": a dash-separated tail is an extension if the rest is a whole number.
        if number := _format_fixed("".join(groups[:-1]), international):
            return f"{number}-{groups[-1]}"
    if not (number := _format_fixed("".join(groups), international)):
        raise _landline_problem()
    return f"{number}-{extension}" if extension else number


def _landline_problem() -> FieldProblem:
    return FieldProblem("landline", "不是有效的固定电话，需带区号（例如 010-12345678 或 400-123-4567）",
                        "is not a valid landline number; include the area code (e.g. 010-12345678)")


def normalize_phone(value: str) -> str:
    """Normalise a number that may be a mobile or a landline number.

    Args:
        value: The number as typed.

    Returns:
        :func:`normalize_mobile` of a mobile number, else :func:`normalize_landline`.

    Raises:
        FieldProblem: code ``"phone"``, naming both accepted forms.
    """
    for normalize in (normalize_mobile, normalize_landline):
        try:
            return normalize(value)
        except FieldProblem:
            pass
    raise FieldProblem("phone", "不是有效的手机号或固定电话（例如 13812345678 或 010-12345678）",
                       "is not a valid mobile or landline number (e.g. 13812345678 or 010-12345678)")


# --- identity and registration numbers ------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_WHITESPACE = re.compile(r"\s+")
_ID_FORM = re.compile(r"\d{17}[\dX]")


def _compact(value: str, code: str) -> str:
    """NFKC, drop all whitespace (people type these numbers in groups), upper-case, check length 18."""
    s = _WHITESPACE.sub("", unicodedata.normalize("NFKC", value)).upper()
    if len(s) != 18:
        raise FieldProblem(code, f"应为 18 位，当前为 {len(s)} 位", f"must be 18 characters long, not {len(s)}")
    return s


def _wrong_check(code: str) -> FieldProblem:
    return FieldProblem(code, "校验位不正确，请检查是否输错", "has a wrong check character; please look for a typo")


def _clean_id(value: str) -> str:
    s = _compact(value, "id_number")
    if not _ID_FORM.fullmatch(s):
        raise FieldProblem("id_number", "前 17 位必须是数字，最后一位是数字或 X",
                           "must be 17 digits followed by a digit or X")
    return s


def birth_date_from_id(value: str) -> datetime.date:
    """Return the birth date in characters 7-14 of an 18-digit resident ID (checksum not verified).

    Args:
        value: The ID number; spaces and a lower-case ``x`` are accepted.

    Returns:
        The birth date.

    Raises:
        FieldProblem: code ``"id_number"`` if the number is malformed or the date is not a real
            date, lies in the future or before 1900.
    """
    s = _clean_id(value)
    try:
        born = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise FieldProblem("id_number", f"中的出生日期 {s[6:14]} 不是有效日期",
                           f"contains an invalid birth date ({s[6:14]})") from None
    if born.year < 1900:
        raise FieldProblem("id_number", "中的出生年份早于 1900 年", "contains a birth year before 1900")
    if born > datetime.date.today():
        raise FieldProblem("id_number", "中的出生日期晚于今天", "contains a birth date in the future")
    return born


def check_id_number(value: str) -> str:
    """Validate a mainland 18-digit resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).

    Args:
        value: The ID number; spaces and a lower-case ``x`` are accepted.

    Returns:
        The 18 characters with an upper-case ``X`` check character.

    Raises:
        FieldProblem: code ``"id_number"``; distinct messages for length, characters, birth date
            and checksum.
    """
    s = _clean_id(value)
    birth_date_from_id(s)
    if _ID_CHECK[sum(int(c) * w for c, w in zip(s, _ID_WEIGHTS)) % 11] != s[17]:
        raise _wrong_check("id_number")
    return s


def check_credit_code(value: str) -> str:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015).

    Args:
        value: The code; spaces and lower-case letters are accepted.

    Returns:
        The 18 upper-case characters.

    Raises:
        FieldProblem: code ``"credit_code"``; distinct messages for length, characters and checksum.
    """
    s = _compact(value, "credit_code")
    if any(c not in _CREDIT_CHARS for c in s):
        raise FieldProblem("credit_code", "只能包含数字和大写字母（不含 I、O、Z、S、V）",
                           "may contain only digits and capital letters other than I, O, Z, S and V")
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(s, _CREDIT_WEIGHTS))
    if _CREDIT_CHARS[(31 - total % 31) % 31] != s[17]:
        raise _wrong_check("credit_code")
    return s


# --- masking --------------------------------------------------------------------------------------


def _mask_tail(value: str) -> str:
    # At most 4 characters and at most half of them, so that short values stay hidden.
    keep = min(4, len(value) // 2)
    return "*" * (len(value) - keep) + value[len(value) - keep:]


def mask_phone(value: str | None) -> str | None:
    """Hide the middle of a phone number: ``"13812345678"`` -> ``"138****5678"``.

    Values of 11+ characters show the first 3 and last 4 (an extension is masked too); shorter
    ones show at most their last 4. Never more than 7 characters are revealed.

    Args:
        value: A phone number, ideally normalised; ``None`` or ``""`` pass through.

    Returns:
        The masked number.
    """
    if not value:
        return value
    extension = ""
    if m := re.fullmatch(r"(0\d{2,3}-\d{7,8}|[48]00-\d{3}-\d{4})-(\d{1,6})", value):
        value, extension = m.group(1), "-" + "*" * len(m.group(2))
    if len(value) < 11:
        return _mask_tail(value) + extension
    return f"{value[:3]}****{value[-4:]}{extension}"


def mask_id_number(value: str | None) -> str | None:
    """Hide all but the last 4 characters of an ID number, keeping its length.

    Args:
        value: An ID number; ``None`` or ``""`` pass through.

    Returns:
        E.g. ``"**************123X"``; values shorter than 8 show at most half their characters.
    """
    return _mask_tail(value) if value else value


# --- free text ------------------------------------------------------------------------------------

# C0 controls except tab and line feed: invisible, and they break CSV/Excel exports and PDFs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def check_text(value: str, *, max_length: int | None) -> str:
    """Validate free text; Windows line ends become ``\\n`` first so that pasted text passes.

    Args:
        value: The text as typed.
        max_length: Maximum length in Unicode code points (``"𠮷"`` counts 1); ``None``: no limit.

    Returns:
        The text without surrounding whitespace.

    Raises:
        FieldProblem: code ``"control_chars"`` or ``"too_long"``.
    """
    s = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    # Checked before stripping, because str.strip() would silently drop \x1c-\x1f.
    if _CONTROL.search(s):
        raise FieldProblem("control_chars", "包含不允许的控制字符", "contains control characters that are not allowed")
    s = s.strip()
    if max_length is not None and len(s) > max_length:
        raise FieldProblem("too_long", f"长度 {len(s)}，超过上限 {max_length}",
                           f"length {len(s)}, over the limit of {max_length}")
    return s
