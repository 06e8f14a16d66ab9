"""The customers' 2-character index: the rows derive() leaves out change no search (issue 9/10).

derive() writes a phone pair that is a name / e-mail pair too only as ``n``, a contact-phone
pair that is a contact-name pair too only as ``c``. These tests check that every reader (each
role's searches on both backends, and each role's row-level policy on PostgreSQL) looks up a
set of kinds with which those rows find exactly what the full index found.
"""

from __future__ import annotations

import re
from itertools import combinations, repeat
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.modules.customers import CustomerService
from crm_core.permissions import ROLES
from crm_core.pgsecurity.policies import GRAM_SOURCES, gram_rule
from crm_core.services import search_index as si

KINDS = si.ALL_KINDS


def full_index(name, phone, email, contacts) -> set[tuple[str, str]]:
    """Every pair in every kind it comes from (what derive wrote before)."""
    names = si._pairs(name) | (si._token_pairs(email) if email else set())
    grams = set(zip(names, repeat(si.NAME)))
    grams |= set(zip(si._adjacent(si.digits(phone)), repeat(si.PHONE)))
    for n, p in contacts:
        grams |= set(zip(si._pairs(n), repeat(si.CONTACT_NAME)))
        grams |= set(zip(si._adjacent(si.digits(p)), repeat(si.CONTACT_PHONE)))
    return grams


def found(grams, kinds) -> set[str]:
    return {g for g, k in grams if k in kinds}


text = st.text(alphabet="星辰软件1234567890 -·@.hrxc", max_size=14)


@settings(max_examples=400, deadline=None)
@given(name=text, phone=text, email=text, contacts=st.lists(st.tuples(text, text), max_size=3))
def test_every_reader_finds_with_the_fewer_rows_what_the_full_index_finds(name, phone, email, contacts):
    entry = si.derive("C1", name, phone, email, contacts)
    full = full_index(name, phone, email, contacts)

    assert {(g, si.NAME if k == si.START else k) for g, k in entry.grams} <= full
    for size in range(1, len(KINDS) + 1):
        for kinds in combinations(KINDS, size):
            if si.finds_all(kinds):
                assert found(entry.grams, kinds) == found(full, kinds), kinds


@settings(max_examples=400, deadline=None)
@given(name=st.text(alphabet="星辰Aa1 ·", max_size=8), email=text)
def test_a_names_first_pair_is_kept_apart_only_when_the_name_starts_with_it_and_has_it_nowhere_else(name, email):
    """A name starting with a word has it as s or n (the customers' search reads a range of names
    for s); s only for that start."""
    grams = si.derive("C1", name, "", email).grams
    starts = {g for g, k in grams if k == si.START}
    assert starts <= {name[:2]}
    first = name[:2]
    if si.starts_with(first):
        assert (first, si.NAME) in grams or (first, si.START) in grams
        others = si._pairs(name[1:]) | (si._token_pairs(email) if email else set())
        assert ((first, si.START) in grams) == (first not in others)


def test_a_phone_pair_that_is_a_name_pair_is_one_row():
    entry = si.derive("C1", "第12分公司", "13912345678", "a23@x.cn", [("张12", "13912000000")])

    assert ("12", si.NAME) in entry.grams and ("12", si.PHONE) not in entry.grams
    assert ("23", si.NAME) in entry.grams and ("23", si.PHONE) not in entry.grams
    assert ("39", si.PHONE) in entry.grams
    assert ("12", si.CONTACT_NAME) in entry.grams and ("12", si.CONTACT_PHONE) not in entry.grams
    assert ("39", si.CONTACT_PHONE) in entry.grams  # a contact's phone pair stays: the contacts' search reads c, q


def test_an_email_made_of_the_phone_number_leaves_no_phone_rows():
    entry = si.derive("C1", "星辰软件", "139-1234-5678", "13912345678@163.com")

    assert not {g for g, k in entry.grams if k == si.PHONE}
    assert {g for g, k in entry.grams if k == si.NAME} >= si._adjacent("13912345678")


def test_every_roles_customer_search_looks_up_kinds_the_fewer_rows_serve():
    for role in ROLES:
        service = SimpleNamespace(ctx=SimpleNamespace(actor=SimpleNamespace(role=role)))
        for word in ("00", "hr", "星辰"):
            kinds = CustomerService._gram_kinds(service, word)
            assert si.finds_all(kinds), (role, word, kinds)


def test_every_roles_policy_on_postgresql_shows_kinds_the_fewer_rows_serve():
    for role in ROLES:
        try:
            rule = gram_rule(role)
        except ValueError:  # a role that writes the index reads all of it
            continue
        kinds = set(GRAM_SOURCES) if rule is None else set(re.findall(r"'(\w)'", rule))
        assert si.finds_all(kinds), (role, kinds)
