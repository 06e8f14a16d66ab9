"""A customer's search index: what is derived from its fields and contacts, and writing it.

The one place that decides what search finds. Both the services (one customer
per save) and bulk loaders (many customers per statement) call it, so both
produce the same derived rows.

Derived data per customer:

* ``customers.search_text``: casefolded code, name, phone digits, e-mail, contact
  names and contact phone digits, joined by spaces. The trigram indexes (pg_trgm
  GIN on PostgreSQL, the FTS5 ``customers_fts`` table on SQLite) serve terms of
  three or more characters from it.
* ``customers.name_key``: the company name with case, width, spaces and punctuation
  taken out (:func:`name_key`), indexed, so the importer finds the customers a file's
  names duplicate by an IN list instead of reading every customer's name.
* ``customer_search_grams`` rows ``(gram, kind, customer_id)``: every pair of
  adjacent characters, for 2-character terms (no trigram index serves them).
  ``kind`` says where the pair comes from, so a search can leave out what the
  searching role may not read:

  - ``n``: the customer's name (pairs across punctuation too, so "星辰·软件"
    gives "辰软", and pairs as typed, "辰·") and e-mail (pairs inside its runs
    of letters and digits: "hr@xc.cn" gives "hr", "xc", "cn");
  - ``s``: the name's first pair, when the name starts with it as typed (case and all)
    and it is no other pair of the name nor of the e-mail (``n`` otherwise): a customer
    whose name starts with a word has it as ``s``, everywhere else as ``n``. A name-sorted
    search for a city ("青岛"; company names start with their city) reads those customers
    as one range of ``ix_customers_name`` and gathers only the few ``n`` rows besides
    (:func:`start_pair`; the customers' search plan). A role reading ``n`` reads ``s``;
  - ``c``: contact names;
  - ``p``: the customer's phone digits;
  - ``q``: contact phone digits.

  The code is not indexed by pairs: every code starts with the same letters and
  date digits, so a 2-character code fragment would match everything.

  A phone pair that is a name pair too is stored as ``n`` (or ``s``) only, a contact-phone
  pair that is a contact-name pair too as ``c`` only: whoever may look up the
  first kind looks up the second too, so no search finds less (:func:`finds_all`).

Public API (stable; extend, do not rename):

* :func:`derive` (pure): plain values in, a :class:`SearchEntry` out.
* :func:`gram_rows` (pure): the ``customer_search_grams`` rows of one entry.
* :func:`write_many`: set-based write of many customers' entries (bulk paths;
  ``fresh=True`` for customers that have no index rows yet).
* :func:`load_entries`: derive the entries of many customers from the database
  (two queries whatever the number of customers).
* :func:`refresh`: bring one or many customers' index up to date, writing only
  what changed (nothing when the searchable text did not change).
* :func:`add_contacts`: the same after contacts were only added (a bulk insert of
  contacts), at the cost of the new contacts' grams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, delete, func, select, text, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crm_core.models import Contact, Customer, CustomerSearchGram

_NON_WORD = re.compile(r"[\s\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+", re.UNICODE)
_NON_DIGIT = re.compile(r"\D")
_NOT_KEY = re.compile(r"[\W_]+", re.UNICODE)
MANY_ROWS = 200  # index rows a refresh writes set-based beyond (COPY / one DELETE on PostgreSQL)
NAME_KEY_LENGTH = 400  # the column's length; NFKC may lengthen a name ("㍿" -> "株式会社")

#: Gram kinds (see the module docstring).
NAME, START, CONTACT_NAME, PHONE, CONTACT_PHONE = "n", "s", "c", "p", "q"
ALL_KINDS = (NAME, START, CONTACT_NAME, PHONE, CONTACT_PHONE)


@dataclass(frozen=True)
class SearchEntry:
    """What one customer contributes to the search index."""

    search_text: str
    grams: frozenset[tuple[str, str]]  # (gram, kind)
    name_key: str = ""


def name_key(name: str | None) -> str:
    """Company names that differ only in case, width, spaces or punctuation are the same company (one key)."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", name or "").strip().casefold())[:NAME_KEY_LENGTH]


def digits(phone: str | None) -> str:
    """The digits of a phone number, however it was typed."""
    if not phone:
        return ""
    return phone if phone.isdecimal() else _NON_DIGIT.sub("", phone)  # isdecimal: what \d matches


def _adjacent(word: str) -> set[str]:
    """Every pair of adjacent characters of ``word``."""
    return set(map(str.__add__, word[:-1], word[1:]))


def _pairs(text: str | None) -> set[str]:
    if not text:
        return set()
    return _adjacent_of(*_forms(text.casefold()))


def _forms(folded: str) -> tuple[str, str]:
    """A casefolded text without its punctuation and spaces, and without its spaces only.

    Pairs across punctuation ("星辰·软件" -> "辰软") and pairs as typed ("辰·", "😀科"): a
    2-character term is looked up as it is, so both must be indexed. A text of letters and
    digits only (most names) is both forms itself: ``isalnum`` is exactly the regular
    expressions' word test without ``_``, so the two substitutions would change nothing."""
    if folded.isalnum():
        return folded, folded
    return _NON_WORD.sub("", folded), _SPACE.sub("", folded)


def _adjacent_of(joined: str, typed: str) -> set[str]:
    out = _adjacent(joined)
    if typed != joined:
        out |= _adjacent(typed)
    return out


def starts_with(word: str) -> bool:
    """Whether a name starting with ``word`` (a casefolded 2-character term) as typed has it as a pair.

    True unless casefolding changes it or it holds a space: then a name starting with the
    characters of ``word`` still has them as its first pair (``s`` or ``n``), whatever else.
    """
    return len(word) == 2 and word.casefold() == word and not _SPACE.search(word)


def start_pair(name: str | None, others: set[str]) -> str | None:
    """The name's first pair if it is stored as ``s``: the name starts with it as typed, and it
    is none of ``others`` (the name's other pairs and the e-mail's)."""
    if not name or len(name) < 2:
        return None
    first = name[:2]
    return first if starts_with(first) and first not in others else None


def _start_pair(name: str | None, mail: set[str]) -> str | None:
    """:func:`start_pair` of the name with ``others`` its other pairs and the e-mail's pairs ``mail``,
    without building the other pairs: a 2-character text is one of a word's adjacent pairs exactly
    when it occurs in the word."""
    if not name or len(name) < 2:
        return None
    first = name[:2]
    if not starts_with(first) or first in mail:
        return None
    joined, typed = _forms(name[1:].casefold())
    return None if first in joined or first in typed else first


def _token_pairs(text: str | None) -> set[str]:
    """Pairs inside each run of letters and digits: "hr@xingchen.cn" gives "hr", "xi" ... "cn"."""
    out: set[str] = set()
    if text:
        folded = text.casefold()
        if folded.isalnum():  # one word (see _forms)
            return _adjacent(folded)
        for word in _NON_WORD.split(folded):
            out |= _adjacent(word)
    return out


def _digit_pairs(phone: str | None) -> set[str]:
    return _adjacent(digits(phone))


def derive(code: str | None, name: str | None, phone: str | None, email: str | None,
           contacts: Iterable[tuple[str | None, str | None]] = ()) -> SearchEntry:
    """The searchable text and 2-character index entries of one customer.

    Args:
        code, name, phone, email: the customer's fields as stored.
        contacts: ``(name, phone)`` of each contact that counts (not erased, not
            being deleted), in contact id order.
    """
    contacts = list(contacts)
    phone_digits = digits(phone)
    contact_digits = [digits(p) for _, p in contacts]
    search_text = _search_text(code, name, phone_digits, email, contacts, contact_digits)
    names = _pairs(name)
    mail = _token_pairs(email) if email else set()
    names |= mail
    start = _start_pair(name, mail)
    grams = set(zip(names, repeat(NAME)))
    if start is not None:
        grams.discard((start, NAME))
        grams.add((start, START))
    grams.update(zip(_adjacent(phone_digits) - names, repeat(PHONE)))
    if contacts:
        contact_names, contact_phones = _contact_pairs(contacts, contact_digits)
        grams.update(zip(contact_names, repeat(CONTACT_NAME)))
        grams.update(zip(contact_phones - contact_names, repeat(CONTACT_PHONE)))
    return SearchEntry(search_text, frozenset(grams), name_key(name))


def _search_text(code: str | None, name: str | None, phone_digits: str, email: str | None,
                 contacts: list[tuple[str | None, str | None]], contact_digits: list[str]) -> str:
    """:func:`derive`'s search text: the customer's code, name, phone digits and e-mail, then the contacts'
    names, then their phone digits (both in contact id order), the empty ones left out."""
    parts = [code or "", name or "", phone_digits, email or ""]
    if contacts:
        parts += [n or "" for n, _ in contacts] + contact_digits
    return " ".join([p for p in parts if p]).casefold()


def _contact_pairs(contacts: Iterable[tuple[str | None, str | None]],
                   contact_digits: Iterable[str]) -> tuple[set[str], set[str]]:
    """The pairs of these contacts' names (``c``) and of their phone digits (``q`` unless a ``c`` too)."""
    contact_names: set[str] = set()
    contact_phones: set[str] = set()
    for (n, _), d in zip(contacts, contact_digits):
        contact_names |= _pairs(n)
        contact_phones |= _adjacent(d)
    return contact_names, contact_phones


#: kind -> the kind that makes it redundant: a reader allowed the first is always allowed the second.
COVERED_BY = {PHONE: NAME, CONTACT_PHONE: CONTACT_NAME}


def finds_all(kinds: Iterable[str]) -> bool:
    """Whether a reader allowed these gram kinds finds with :func:`derive`'s rows all the full index gives.

    :func:`derive` writes a pair of the customer's phone digits as ``p`` only when it is not
    a name (or e-mail) pair ``n`` already, and a contact-phone pair ``q`` only when it is not a
    contact-name pair ``c``: names and e-mails with digits often share pairs with the phone, and
    each row not written is an entry fewer in two indexes. A search finds the same customers
    as long as every set of kinds it looks up holds ``n`` whenever it holds ``p`` and ``c``
    whenever it holds ``q`` — true of the customers' and the contacts' searches and of every
    role's policy on PostgreSQL (tested).
    """
    k = set(kinds)
    # and names are looked up with their first pairs (``s``, kept apart from ``n``), never one without the other
    return all(covering in k for kind, covering in COVERED_BY.items() if kind in k) and (NAME in k) == (START in k)


def gram_rows(customer_id: int, entry: SearchEntry) -> list[dict[str, object]]:
    """The ``customer_search_grams`` rows of one customer, in a stable order."""
    return [{"gram": g, "kind": k, "customer_id": customer_id} for g, k in sorted(entry.grams)]


def write_many(conn: Session | Connection, entries: Mapping[int, SearchEntry], *, fresh: bool = False) -> None:
    """Write many customers' entries with a few set-based statements.

    Args:
        conn: a session or connection inside the caller's transaction.
        entries: customer id -> entry.
        fresh: the customers have no gram rows yet (just inserted): skip the delete.

    ``search_text`` is written past the ORM: derived data must not bump the
    version (an open customer form would turn stale because a colleague added a
    contact) nor the modified time.
    """
    if not entries:
        return
    table = Customer.__table__
    conn.execute(update(table).where(table.c.id == bindparam("cid"))
                 .values(search_text=bindparam("text"), name_key=bindparam("key"), updated_at=table.c.updated_at),
                 [{"cid": cid, "text": e.search_text, "key": e.name_key} for cid, e in entries.items()])
    grams = CustomerSearchGram.__table__
    if not fresh:
        ids = list(entries)
        for i in range(0, len(ids), 500):
            conn.execute(delete(grams).where(grams.c.customer_id.in_(ids[i:i + 500])))
    rows = [r for cid, e in entries.items() for r in gram_rows(cid, e)]
    if rows:
        conn.execute(grams.insert(), rows)


def _postgresql(conn: Session | Connection) -> bool:
    return (conn.get_bind() if isinstance(conn, Session) else conn).dialect.name == "postgresql"


def _among(column: Any, ids: list[int], postgresql: bool) -> Any:
    """``column IN ids``; on PostgreSQL ``= ANY`` of one array parameter: a statement with a thousand
    parameters costs the driver a parse of its text on every execution (a bulk write's refresh, per chunk)."""
    if postgresql:
        return column == func.any(bindparam("among_ids", ids, type_=ARRAY(Integer), unique=True))
    return column.in_(ids)


def contacts_of(columns: Iterable[Any], customer_ids: list[int], postgresql: bool, *conditions: Any,
                ordered: bool = False) -> Any:
    """``SELECT columns FROM contacts WHERE customer_id IN customer_ids AND conditions`` (ordered by customer and
    id with ``ordered``), served by ``ix_contacts_customer_id`` whatever the planner believes of the table.

    On PostgreSQL one probe of the index per customer: a LATERAL subquery per id of an array (one parameter),
    kept from being merged into a join by ``OFFSET 0``. The plain ``customer_id = ANY(...)`` was read by a
    sequential scan during a contacts import (the table grows by every chunk while its statistics, if any,
    tell of the table before: 13.7 ms against 3.1 ms at 20,000 contacts, and growing with every chunk).
    Elsewhere an IN list (SQLite takes the index for it). An id named twice counts once on both (the LATERAL
    subquery would read its contacts twice).
    """
    columns = list(columns)
    customer_ids = sorted(set(customer_ids))
    if not postgresql:
        stmt = select(*columns).where(Contact.customer_id.in_(customer_ids), *conditions)
        return stmt.order_by(Contact.customer_id, Contact.id) if ordered else stmt
    wanted = func.unnest(bindparam("customer_ids", customer_ids, type_=ARRAY(Integer), unique=True)) \
        .table_valued("customer_id").render_derived(name="wanted")
    one = select(*columns).where(Contact.customer_id == wanted.c.customer_id, *conditions).offset(0).lateral("one")
    stmt = select(*one.c).select_from(wanted).join(one, true())
    return stmt.order_by(one.c.customer_id, one.c.id) if ordered else stmt


def load_entries(conn: Session | Connection, customer_ids: Iterable[int], *,
                 without_contact: int | None = None) -> dict[int, SearchEntry]:
    """Derive the entries of these customers from what is stored (two queries)."""
    ids = sorted(set(customer_ids))
    entries: dict[int, SearchEntry] = {}
    postgresql = _postgresql(conn)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        stmt = select(Contact.customer_id, Contact.name, Contact.phone).where(
            _among(Contact.customer_id, chunk, postgresql), Contact.erased_at.is_(None)
        ).order_by(Contact.customer_id, Contact.id)
        if without_contact is not None:
            stmt = stmt.where(Contact.id != without_contact)
        contacts: dict[int, list[tuple[str | None, str | None]]] = {}
        for cid, n, p in conn.execute(stmt):
            contacts.setdefault(cid, []).append((n, p))
        for cid, code, name, phone, email in conn.execute(
                select(Customer.id, Customer.code, Customer.name, Customer.phone, Customer.email)
                .where(_among(Customer.id, chunk, postgresql))):
            entries[cid] = derive(code, name, phone, email, contacts.get(cid, ()))
    return entries


def refresh(conn: Session | Connection, customer_ids: int | Iterable[int], *,
            without_contact: int | None = None) -> set[int]:
    """Bring these customers' index up to date, writing only what changed.

    Compares with what is stored (through the index on ``customer_id``, so the
    cost is that of the customers' own rows) and deletes / inserts only the
    differing grams; ``search_text`` is written only when it changed.

    Args:
        without_contact: a contact about to be deleted, left out of the index.

    Returns:
        The ids whose search text or grams changed.
    """
    ids = [customer_ids] if isinstance(customer_ids, int) else list(customer_ids)
    wanted = load_entries(conn, ids, without_contact=without_contact)
    if not wanted:
        return set()
    table, grams = Customer.__table__, CustomerSearchGram.__table__
    postgresql = _postgresql(conn)
    stored_text = {cid: (text, key) for cid, text, key in conn.execute(
        select(table.c.id, table.c.search_text, table.c.name_key).where(_among(table.c.id, list(wanted), postgresql)))}
    stored: dict[int, set[tuple[str, str]]] = {cid: set() for cid in wanted}
    for g, k, cid in conn.execute(select(grams.c.gram, grams.c.kind, grams.c.customer_id)
                                  .where(_among(grams.c.customer_id, list(wanted), postgresql))):
        stored[cid].add((g, k))
    changed: set[int] = set()
    texts: list[dict[str, object]] = []
    gone: list[dict[str, object]] = []
    new: list[dict[str, object]] = []
    for cid, entry in wanted.items():
        if stored_text.get(cid) != (entry.search_text, entry.name_key):
            texts.append({"cid": cid, "text": entry.search_text, "key": entry.name_key})
            changed.add(cid)
        removed, added = stored[cid] - entry.grams, entry.grams - stored[cid]
        if not removed and not added:
            continue
        changed.add(cid)
        # Exactly the rows that differ, each by its whole primary key (gram, kind, customer): one
        # statement for all customers (a bulk update refreshes thousands), no other row touched.
        gone += [{"g": g, "k": k, "cid": cid} for g, k in sorted(removed)]
        new += [{"gram": g, "kind": k, "customer_id": cid} for g, k in sorted(added)]
    many = isinstance(conn, Session) and len(gone) + len(new) > MANY_ROWS
    _write_texts(conn, texts, postgresql)
    if gone and many and postgresql:
        # one statement, each row found by its key (a pipelined DELETE per row cost 0.5 ms a row under load)
        conn.execute(text("DELETE FROM customer_search_grams g USING unnest(CAST(:g AS text[]), CAST(:k AS text[]), "
                          "CAST(:c AS integer[])) AS d(gram, kind, customer_id) "
                          "WHERE g.gram = d.gram AND g.kind = d.kind AND g.customer_id = d.customer_id"),
                     {"g": [r["g"] for r in gone], "k": [r["k"] for r in gone], "c": [r["cid"] for r in gone]})
    elif gone:
        conn.execute(delete(grams).where(grams.c.gram == bindparam("g"), grams.c.kind == bindparam("k"),
                                         grams.c.customer_id == bindparam("cid")), gone)
    if new and many:
        from crm_core.bulk.rows import insert_rows

        insert_rows(conn, grams, ("gram", "kind", "customer_id"), [(r["gram"], r["kind"], r["customer_id"]) for r in new])
    elif new:
        conn.execute(grams.insert(), new)
    return changed


def _write_texts(conn: Session | Connection, texts: list[dict[str, object]], postgresql: bool) -> None:
    """Write these customers' search texts and name keys (``cid``, ``text``, ``key``): not their modified
    time nor their version (derived data, see :func:`write_many`)."""
    if texts and postgresql and len(texts) > MANY_ROWS:
        # one statement for all the customers, each found by its id (an executemany of one UPDATE per
        # customer: see docs/performance.md)
        conn.execute(text("UPDATE customers c SET search_text = d.search_text, name_key = d.name_key "
                          "FROM unnest(CAST(:c AS integer[]), CAST(:t AS text[]), CAST(:k AS text[])) "
                          "AS d(id, search_text, name_key) WHERE c.id = d.id"),
                     {"c": [r["cid"] for r in texts], "t": [r["text"] for r in texts], "k": [r["key"] for r in texts]})
    elif texts:
        table = Customer.__table__
        conn.execute(update(table).where(table.c.id == bindparam("cid"))
                     .values(search_text=bindparam("text"), name_key=bindparam("key"),
                             updated_at=table.c.updated_at), texts)


def add_contacts(conn: Session | Connection, customer_ids: Iterable[int], contact_ids: Iterable[int]) -> set[int]:
    """Bring these customers' index up to date after only contacts were added to them (``contact_ids``, stored
    already in this transaction; a bulk insert of contacts): the rows :func:`refresh` would leave, without
    deriving the other contacts' grams nor reading the stored ones.

    The search text (and name key) is derived again, by :func:`derive`'s rule, from the customer and all its
    contacts as stored now (the contacts' names, then their digits, in id order: a new contact's name goes in
    the middle, and a contact saved meanwhile by someone else may have a higher id than the new ones); written
    only when it changed. The grams: contacts give only the contact kinds, ``c`` (the pairs of their names,
    C) and ``q`` (the pairs of their phone digits, P, that are no ``c``); the customer's own kinds (``n``,
    ``s``, ``p``) do not depend on them. With the stored rows those :func:`derive` gives for the other contacts
    (``c`` = C_old, ``q`` = P_old − C_old: every write keeps them so, under the customer's lock), the full
    result differs from them by exactly: ``c`` rows added for N − C_old (N: the new names' pairs), ``q`` rows
    deleted for N ∩ P_old − C_old, ``q`` rows added for P_new − N − C_old − P_old. Whether a pair is in C_old
    or P_old is read off the other contacts' names and digits as stored (a pair is one of a text's adjacent
    pairs exactly when it occurs in it), so only the differing rows are written (any already there ignored).
    A customer never indexed (an empty search text stored: inserted with ``search=False``) is rebuilt by
    :func:`refresh` instead.

    Returns:
        The ids whose search text changed or that got contacts.
    """
    ids = sorted(set(customer_ids))
    added = set(contact_ids)
    postgresql = _postgresql(conn)
    texts: list[dict[str, object]] = []
    new_c: list[tuple[str, int]] = []  # (pair, customer): rows to add as "c"
    gone_q: list[tuple[str, int]] = []  # rows to delete as "q"
    new_q: list[tuple[str, int]] = []  # rows to add as "q"
    changed: set[int] = set()
    unindexed: list[int] = []  # never indexed (search=False): no stored rows to add to
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        contacts: dict[int, list[tuple[int, str | None, str | None]]] = {}
        for cid, contact_id, n, p in conn.execute(contacts_of(
                (Contact.customer_id, Contact.id, Contact.name, Contact.phone), chunk, postgresql,
                Contact.erased_at.is_(None), ordered=True)):
            contacts.setdefault(cid, []).append((contact_id, n, p))
        for cid, code, name, phone, email, stored_text, stored_key in conn.execute(
                select(Customer.id, Customer.code, Customer.name, Customer.phone, Customer.email,
                       Customer.search_text, Customer.name_key).where(_among(Customer.id, chunk, postgresql))):
            if not stored_text:  # a derived text holds the code at least
                unindexed.append(cid)
                continue
            mine = contacts.get(cid, [])
            pairs = [(n, p) for _, n, p in mine]
            contact_digits = [digits(p) for _, p in pairs]
            entry_text, key = _search_text(code, name, digits(phone), email, pairs, contact_digits), name_key(name)
            if (stored_text, stored_key) != (entry_text, key):
                texts.append({"cid": cid, "text": entry_text, "key": key})
                changed.add(cid)
            new, old_names, old_digits = [], [], []
            for (contact_id, n, _), pair, d in zip(mine, pairs, contact_digits, strict=True):
                if contact_id in added:
                    new.append((pair, d))
                else:
                    if n:
                        old_names.extend(_forms(n.casefold()))
                    if d:
                        old_digits.append(d)
            if not new:
                continue
            changed.add(cid)
            names, phones = _contact_pairs([k for k, _ in new], [d for _, d in new])
            for g in sorted(names):
                if not any(g in form for form in old_names):
                    new_c.append((g, cid))
                    if any(g in d for d in old_digits):
                        gone_q.append((g, cid))
            for g in sorted(phones - names):
                if not any(g in form for form in old_names) and not any(g in d for d in old_digits):
                    new_q.append((g, cid))
    _write_texts(conn, texts, postgresql)
    _write_pairs(conn, new_c, gone_q, new_q, postgresql)
    if unindexed:
        changed |= refresh(conn, unindexed)
    return changed


def _write_pairs(conn: Session | Connection, new_c: list[tuple[str, int]], gone_q: list[tuple[str, int]],
                 new_q: list[tuple[str, int]], postgresql: bool) -> None:
    """Add ``c`` rows, delete ``q`` rows, add ``q`` rows, each ``(pair, customer)`` (rows already there ignored)."""
    if postgresql:
        pairs = "unnest(CAST(:g AS text[]), CAST(:c AS integer[])) AS d(gram, customer_id)"
        for rows, kind in ((new_c, CONTACT_NAME), (new_q, CONTACT_PHONE)):
            if rows:
                conn.execute(text(f"INSERT INTO customer_search_grams (gram, kind, customer_id) SELECT d.gram, "
                                  f"'{kind}', d.customer_id FROM {pairs} ON CONFLICT DO NOTHING"),
                             {"g": [g for g, _ in rows], "c": [c for _, c in rows]})
            if kind == CONTACT_NAME and gone_q:
                conn.execute(text(f"DELETE FROM customer_search_grams g USING {pairs} WHERE g.gram = d.gram "
                                  f"AND g.kind = '{CONTACT_PHONE}' AND g.customer_id = d.customer_id"),
                             {"g": [g for g, _ in gone_q], "c": [c for _, c in gone_q]})
        return
    raw = conn.connection() if isinstance(conn, Session) else conn  # (tuples to the driver: no per-row binding)
    for rows, kind in ((new_c, CONTACT_NAME), (new_q, CONTACT_PHONE)):
        if rows:
            raw.exec_driver_sql(f"INSERT OR IGNORE INTO customer_search_grams (gram, kind, customer_id) "
                                f"VALUES (?, '{kind}', ?)", rows)
        if kind == CONTACT_NAME and gone_q:
            raw.exec_driver_sql(f"DELETE FROM customer_search_grams WHERE gram = ? AND kind = '{CONTACT_PHONE}' "
                                "AND customer_id = ?", gone_q)
