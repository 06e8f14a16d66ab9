"""The value step's guesses against the seeded dictionary: a wrong preselection is worse than none."""

from __future__ import annotations

import pytest

from crm_core.importing.mapping_step import suggest
from crm_core.modules.choices import LEVEL
from crm_core.services.query import ListQuery

GUESSES = [
    ("level", "A类", "A"), ("level", "C类客户", "C"), ("level", "重要客户", "A"), ("level", "VIP", "A"),
    ("industry", "零售业", "retail"), ("industry", "IT/互联网", "it"), ("industry", "教育培训", "education"),
    ("industry", "金融业", "finance"), ("severity", "严重问题", "critical"), ("payment_method", "支付宝转账", "alipay"),
    ("source", "展会推广会", "trade_show"),
]
NO_GUESS = [
    # negations: the opposite of the choice
    ("severity", "不严重", None), ("severity", "非严重", None), ("industry", "非金融", None),
    ("industry", "其他金融", None), ("industry", "无", None), ("level", "非重要客户", None), ("level", "不重要客户", None),
    # a label merely inside the text
    ("company_category", "有限公司", None), ("source", "推广", None), ("source", "网络推广", None),
    ("customer_type", "单位", None), ("source", "展会", None),
    # the rest of the text names another choice: a cash cheque is a cheque
    ("payment_method", "现金支票", None),
]


@pytest.fixture(scope="module")
def items():
    def load(admin, category):
        if category == "level":
            return [(c.code, c.label.zh, c.label.en) for c in LEVEL], {c.code: c.aliases for c in LEVEL}
        rows = admin.dictionary.list(ListQuery(filters={"category": category}, limit=500)).rows
        return [(r["code"], r["label_zh"], r["label_en"]) for r in rows], None
    return load


@pytest.mark.parametrize("category, text, expected", GUESSES + NO_GUESS)
def test_a_value_is_guessed_only_when_it_plainly_names_one_choice(admin, items, category, text, expected):
    choices, aliases = items(admin, category)
    assert suggest(text, choices, aliases) == expected
