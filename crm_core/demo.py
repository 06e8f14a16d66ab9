"""Demo data: a Chinese software vendor's CRM with two years of history, reproducible from a seed.

``generate(db)`` fills an empty database with

* 16 users: the administrator ``admin``, 2 managers, 6 salespeople, 3
  customer-service staff and 4 engineers, with pinyin logins such as
  ``zhangwei``. **Every demo account has the password** ``demo1234`` (the
  ``password`` argument changes it; an ``admin`` that already exists keeps his own);
* customers named like 杭州云帆网络科技有限公司 with valid phones, e-mails,
  credit codes and addresses, owned by the salespeople, with their status
  history (won customers through a contract of theirs), contacts (some with
  valid ID numbers), contracts and payments (paid, outstanding, overdue),
  customised product builds, licenses (trials, expired, expiring within
  30/60/90 days) and their machines, feedback submitters and tickets in every
  status, follow-ups with next steps (some due today, some overdue), needs
  and opportunities in every stage.

The same seed gives the same names, codes, numbers and amounts (dates are
relative to today, the reference day). What is generated is decided first by
:mod:`crm_core.demo_plan` (no database access), then written here.

How it writes: users go through the user service. Everything else goes
through the bulk path (:mod:`crm_core.bulk`, driven by
:mod:`crm_core.demo_write`), with what the services derive (codes of the day
the record was created, status history, search index, audit entries, ticket
log and notices) and the times the plan says things happened, so dashboards
show history; the operation log keeps the real time at which the demo data was
written. (Through the services, record by record, 3,000 customers took
about 7 minutes.)

Customers are planned oldest first (their creation times are drawn first, from
a generator of their own) and every module's records are written in the order
of their ``created_at``, so ids follow creation times as in a real office and
the grids' newest-first order (by id) is also by 创建时间. Each flush is one
transaction (about ``CHUNK`` customers' worth), so that other clients of a
database in use get their turns; records dated after a flush's horizon wait in
a temporary file for a later flush (:mod:`crm_core.demo_write`), so that the
memory a run takes does not grow with the number of customers.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from crm_core import demo_fakes as fk
from crm_core.db.engine import Database
from crm_core.demo_plan import Counters, CustomerPlan, Env, customer_created, plan_customer
from crm_core.demo_write import PlanWriter
from crm_core.errors import CrmError, PermissionDenied
from crm_core.i18n import Text
from crm_core.models import (Contact, Contract, Customer, CustomerStatusChange, FollowUp, License, LicensedMachine,
                             Need, Opportunity, Payment, Product, Submitter, Ticket, TicketLogEntry, User)
from crm_core.passwords import check_policy, hash_password
from crm_core.permissions import Action
from crm_core.services.codes import office_today
from crm_core.services.context import Actor
from crm_core.services.registry import Services
from crm_core.session import create_first_admin

DEFAULT_SEED = 20261122
CHUNK = 1000  # customers per transaction
DEFAULT_PASSWORD = "demo1234"
ROLE_COUNTS = {"manager": 2, "sales": 6, "service": 3, "engineer": 4}
POSITIONS = {"admin": ("信息部主管",), "manager": ("销售总监", "客服经理"), "sales": ("销售经理", "客户经理", "大客户经理"),
             "service": ("客服主管", "客服专员"), "engineer": ("实施工程师", "技术支持工程师", "开发工程师", "实施工程师")}
COUNTED = {"users": User, "customers": Customer, "status_changes": CustomerStatusChange, "contacts": Contact,
           "contracts": Contract, "payments": Payment, "products": Product, "licenses": License,
           "licensed_machines": LicensedMachine, "submitters": Submitter, "tickets": Ticket,
           "ticket_log_entries": TicketLogEntry, "followups": FollowUp, "needs": Need, "opportunities": Opportunity}

Progress = Callable[[int, int], None]
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


class DatabaseNotEmpty(CrmError):
    """Demo data was asked for on a database that already holds customers."""


def generate(db: Database, *, seed: int = DEFAULT_SEED, customers: int = 3000, password: str = DEFAULT_PASSWORD,
             progress: Progress | None = None, force: bool = False) -> dict[str, int]:
    """Fill ``db`` with demo data (see the module docstring).

    Args:
        db: an open, current database.
        seed: the same seed gives the same data.
        customers: how many customers to create.
        password: the password of every demo account created.
        progress: called as ``progress(done, total)`` after each customer.
        force: add demo data even though the database already has customers.

    Returns:
        How many rows each table holds afterwards (``{"customers": 3000, ...}``).

    Raises:
        DatabaseNotEmpty: the database has customers and ``force`` is false.
        ValidationError: ``password`` does not meet the password policy.
    """
    check_policy(password)
    existing = _count(db, Customer)
    if existing and not force:
        raise DatabaseNotEmpty(Text(
            f"数据库中已有 {existing} 个客户，演示数据只能写入空数据库（确需追加请使用 --force）。",
            f"The database already has {existing} customers; demo data goes into an empty database only "
            f"(use --force to add it anyway)."))
    rng = random.Random(f"{seed}:users")
    admin = _ensure_admin(db, rng, password)
    users = _ensure_users(db, Services(db, admin), rng, password)
    now = dt.datetime.now().astimezone()
    env = Env(today=office_today(), latest=now - dt.timedelta(hours=2), codes=_dictionary_codes(db, admin),
              roles={role: len(actors) for role, actors in users.items()})
    counters = Counters(contract=_count(db, Contract))
    # One generator per customer (and one for its creation time); customers are planned and written oldest first,
    # so that ids follow creation times. The same seed and size give the same data (a customer's plan also depends
    # on the numbers and names drawn before it: a bigger run does not extend a smaller one).
    def created(i: int) -> dt.datetime:
        return customer_created(random.Random(f"{seed}:created:{existing + i}"), env)

    # Sorted by the moment as a number (microseconds, exact), and each chunk's moments drawn again when it is
    # planned: a million datetimes (each with its own tzinfo) held for the whole run took ~170 MB.
    moments = array("q", ((created(i) - _EPOCH) // _MICROSECOND for i in range(customers)))
    order = array("q", sorted(range(customers), key=moments.__getitem__))
    del moments
    starts = range(0, customers, CHUNK)
    horizons = [created(order[k + CHUNK - 1]) for k in starts[:-1]]  # the last flush takes whatever is left
    writer = PlanWriter(db, users, horizons)

    def plan(i: int) -> CustomerPlan:
        return plan_customer(random.Random(f"{seed}:customer:{existing + i}"), env, counters, created(i))

    try:
        # planned a chunk ahead in a worker process (on SQLite, where one can be forked) while this one writes
        for k, filed in enumerate(writer.planned(plan, (order[start:start + CHUNK] for start in starts))):
            writer.receive(filed)
            writer.flush(k)
            if progress is not None:
                progress(min(customers, (k + 1) * CHUNK), customers)
    finally:
        writer.close()
    with db.unit_of_work(write=False) as s:
        return {name: int(s.scalar(select(func.count()).select_from(model)) or 0) for name, model in COUNTED.items()}


def demo_users(db: Database) -> dict[str, list[tuple[str, str]]]:
    """Active users by role as ``{role: [(login, name), ...]}`` (what the CLI prints after generating)."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with db.unit_of_work(write=False) as s:
        for login, name, role in s.execute(select(User.login, User.name, User.role)
                                           .where(User.is_active.is_(True)).order_by(User.id)):
            out[role].append((login, name))
    return dict(out)


# ------------------------------------------------------------------------------ users

def _actor(user: dict[str, Any]) -> Actor:
    return Actor(user["id"], user["login"], user["name"], user["role"])


def _user_values(rng: random.Random, role: str, person: fk.Person, login: str, k: int = 0) -> dict[str, Any]:
    age = rng.randint(24, 48)
    position = POSITIONS[role][k % len(POSITIONS[role])]  # the k-th person of a role: the first one leads
    return {"login": login, "name": person.name, "role": role, "age": age, "position": position,
            "phone": fk.mobile(rng), "email": fk.email(login, fk.OUR_MAIL), "language": "zh_CN",
            "home_address": fk.address(rng, fk.CITIES[0], office=False), "years_of_work": max(1, age - rng.randint(22, 26))}


def _ensure_admin(db: Database, rng: random.Random, password: str) -> Actor:
    """The ``admin`` account to act as: created on an empty database, else the existing administrator."""
    # Drawn whether or not it is needed, so the staff after it is the same either way.
    values = _user_values(rng, "admin", fk.person(rng), "admin")
    with db.unit_of_work(write=False) as s:
        users = [Actor(*row) for row in s.execute(select(User.id, User.login, User.name, User.role).where(
            User.role == "admin", User.is_active.is_(True)).order_by(User.id))]
        anyone = s.scalar(select(User.id).limit(1))
    if anyone is None:
        return _actor(create_first_admin(db, {**values, "password": password}))
    if not users:
        raise PermissionDenied(Text("数据库中没有有效的系统管理员，无法生成演示数据。",
                                    "The database has no active administrator to create demo data with."))
    admin = next((u for u in users if u.login == "admin"), users[0])
    if admin.login != "admin":
        with db.unit_of_work(write=False) as s:
            taken = s.scalar(select(User.id).where(func.lower(User.login) == "admin"))
        if taken is None:
            Services(db, admin).users.create({**values, "password": password})
    return admin


def _ensure_users(db: Database, admin: Services, rng: random.Random, password: str) -> dict[str, list[Actor]]:
    """The demo staff by role, created as needed (a login that exists with the same role is reused)."""
    with db.unit_of_work(write=False) as s:
        existing = {login.lower(): (Actor(uid, login, name, role), active) for uid, login, name, role, active in
                    s.execute(select(User.id, User.login, User.name, User.role, User.is_active))}
    taken = set(existing)
    shared: dict[str, str] = {}
    users: dict[str, list[Actor]] = {}
    for role, count in ROLE_COUNTS.items():
        users[role] = []
        while len(users[role]) < count:
            person = fk.person(rng)
            login = person.pinyin
            # Drawn in any case: reusing an account must not shift the sequence for the next ones.
            values = _user_values(rng, role, person, login, len(users[role]))
            if login in taken:
                old, active = existing.get(login, (None, False))
                if old is not None and old.role == role and active and old not in users[role]:
                    users[role].append(old)
                continue
            taken.add(login)
            created = _create_user(db, admin, {**values, "password": password}, shared)
            users[role].append(_actor(created))
    return users


def _create_user(db: Database, admin: Services, values: dict[str, Any], shared: dict[str, str]) -> dict[str, Any]:
    """Create a demo account through the user service, hashing the shared demo password only once.

    argon2 takes most of a second per hash on purpose; every demo account has
    the same (printed) password, so one hash serves them all. Accounts that sign
    in with database logins go through the ordinary path (the server sets it).
    """
    svc = admin.users
    if svc._database_auth():
        return svc.create(values)
    svc._require(Action.CREATE)
    password = values.pop("password")
    if password not in shared:
        shared[password] = hash_password(password)
    with db.unit_of_work(write=True) as s:
        obj = svc._create_in(s, {**values, "_password": ([], shared[password], None)})
        svc._commit(s)
        return svc._records(s, [obj])[0]


def _dictionary_codes(db: Database, admin: Actor) -> dict[str, list[str]]:
    """Active codes per dictionary category, in display order (so the plan is deterministic)."""
    codes: dict[str, list[str]] = defaultdict(list)
    for e in Services(db, admin).dictionary.entries():
        if e["is_active"]:
            codes[e["category"]].append(e["code"])
    return dict(codes)


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
