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

How it writes: users, customers, status changes, license machines and the
ticket workflow go through the services' public methods. The records under a
customer are created through each service's own create path (validation,
permission check, audit entry, search index) inside one unit of work per
customer: one transaction per record made 3000 customers take over four
minutes on SQLite. Last, the timestamps the services set to "now" (created
times, status changes, ticket resolution...) are moved back to when the plan
says things happened, so dashboards show history; the operation log keeps
the real time at which the demo data was written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from crm_core import demo_fakes as fk
from crm_core.db.engine import Database
from crm_core.demo_plan import Counters, CustomerPlan, Env, Item, TicketPlan, plan_customer
from crm_core.errors import CrmError, PermissionDenied
from crm_core.i18n import Text
from crm_core.models import (Contact, Contract, Customer, CustomerStatusChange, FollowUp, License, LicensedMachine,
                             Need, Notification, Opportunity, Payment, Product, Submitter, Ticket, TicketLogEntry,
                             User)
from crm_core.passwords import check_policy
from crm_core.permissions import Action
from crm_core.services.codes import next_code, office_today
from crm_core.services.context import Actor
from crm_core.services.entity import EntityService
from crm_core.services.registry import Services
from crm_core.session import create_first_admin

DEFAULT_SEED = 20261122
DEFAULT_PASSWORD = "demo1234"
ROLE_COUNTS = {"manager": 2, "sales": 6, "service": 3, "engineer": 4}
POSITIONS = {"admin": ("信息部主管",), "manager": ("销售总监", "客服经理"), "sales": ("销售经理", "客户经理", "大客户经理"),
             "service": ("客服主管", "客服专员"), "engineer": ("实施工程师", "技术支持工程师", "开发工程师", "实施工程师")}
COUNTED = {"users": User, "customers": Customer, "status_changes": CustomerStatusChange, "contacts": Contact,
           "contracts": Contract, "payments": Payment, "products": Product, "licenses": License,
           "licensed_machines": LicensedMachine, "submitters": Submitter, "tickets": Ticket,
           "ticket_log_entries": TicketLogEntry, "followups": FollowUp, "needs": Need, "opportunities": Opportunity}

Progress = Callable[[int, int], None]


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
    writer = _Writer(db, users)
    counters = Counters(contract=_count(db, Contract))
    for i in range(existing, existing + customers):
        # One generator per customer: customer n is the same whatever the run size.
        plan = plan_customer(random.Random(f"{seed}:customer:{i}"), env, counters)
        writer.write(plan)
        if progress is not None:
            progress(i - existing + 1, customers)
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
            created = admin.users.create({**values, "password": password})
            users[role].append(_actor(created))
    return users


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


# ----------------------------------------------------------------------------- writing

def _create_in(s: Session, services: Services, module: str, values: dict[str, Any]) -> Any:
    """Create a record through the service's own create path inside the caller's unit of work.

    That is what ``service.create`` does, minus its own transaction: the same
    permission check, validation, module rules, audit entry and search index.
    A service whose public ``create`` adds work of its own cannot be used so.
    """
    svc = services[module]
    if type(svc).create is not EntityService.create:
        raise AssertionError(f"{type(svc).__name__}.create does more than EntityService.create; "
                             "crm_core.demo must call it instead of _create_in")
    # The check re-reads the actor's account in a transaction of its own; within one
    # customer's unit of work once per actor and module is enough.
    checked = s.info.setdefault("demo_checked", set())
    if (id(services), module) not in checked:
        svc._require(Action.CREATE)
        checked.add((id(services), module))
    return svc._create_in(s, dict(values))


class _Writer:
    """Writes customer plans with the demo users as actors."""

    def __init__(self, db: Database, users: dict[str, list[Actor]]):
        self.db = db
        self.actors = users
        self.services = {role: [Services(db, a) for a in actors] for role, actors in users.items()}

    def write(self, plan: CustomerPlan) -> None:
        owner_actor, sales = self.actors["sales"][plan.owner], self.services["sales"][plan.owner]
        customer = sales.customers.create({**plan.values, "owner_id": owner_actor.user_id})
        stamps: dict[Table, list[tuple[int, dt.datetime]]] = defaultdict(list)
        tickets: list[tuple[TicketPlan, int, int]] = []  # (plan, id, version)
        licenses: list[tuple[int, list[tuple[str, str]]]] = []
        with self.db.unit_of_work(write=True) as s:
            numbers = self._sales_records(s, plan, customer, sales, owner_actor, stamps, licenses)
            tickets = self._service_records(s, plan, customer["id"], stamps)
            s.commit()
            version = s.get(Customer, customer["id"]).version
        for status, _, contract in plan.statuses:
            note = "签订合同" if status == "won" else None
            version = sales.customers.change_status(customer["id"], status, version=version, note=note,
                                                    contract_number=None if contract is None else numbers[contract])["version"]
        engineer = self.services["engineer"][0]
        for license_id, machines in licenses:
            for name, fingerprint in machines:
                engineer.licenses.add_machine(license_id, name, fingerprint)
        for t, ticket_id, ticket_version in tickets:
            self._ticket_workflow(t, ticket_id, ticket_version)
        self._backdate(plan, customer["id"], stamps, tickets, licenses)

    def _sales_records(self, s: Session, plan: CustomerPlan, customer: dict[str, Any], sales: Services, owner: Actor,
                       stamps: dict[Table, list[tuple[int, dt.datetime]]],
                       licenses: list[tuple[int, list[tuple[str, str]]]]) -> list[str]:
        cid = customer["id"]

        def create(module: str, item: Item, services: Services = sales, **extra: Any) -> Any:
            obj = _create_in(s, services, module, {**item.values, "customer_id": cid, **extra})
            stamps[obj.__table__].append((obj.id, item.at))
            return obj

        for c in plan.contacts:
            create("contacts", c)
        numbers = []
        for k in plan.contracts:
            contract = create("contracts", k)
            numbers.append(contract.number)
            for p in k.payments:
                payment = _create_in(s, sales, "payments", {**p.values, "contract_id": contract.id, "handler": owner.name})
                stamps[Payment.__table__].append((payment.id, p.at))
        for p in plan.products:
            values = {**p.values, "backup_path": p.values["backup_path"].replace("{code}", customer["code"])}
            product = create("products", Item(values, p.at))
            for lic in p.licenses:
                license_ = create("licenses", lic, product_id=product.id)
                licenses.append((license_.id, lic.machines))
        for f in plan.followups:
            create("followups", f, user_id=owner.user_id)
        for need, service_user in plan.needs:
            owner_id = owner.user_id if service_user is None else self.actors["service"][service_user].user_id
            create("needs", need, owner_id=owner_id)
        for o in plan.opportunities:
            create("opportunities", o, owner_id=owner.user_id)
        return numbers

    def _service_records(self, s: Session, plan: CustomerPlan, cid: int,
                         stamps: dict[Table, list[tuple[int, dt.datetime]]]) -> list[tuple[TicketPlan, int, int]]:
        """Submitters and tickets, entered by customer service."""
        submitters = []
        for sub in plan.submitters:
            obj = _create_in(s, self.services["service"][0], "submitters", {**sub.values, "customer_id": cid})
            stamps[Submitter.__table__].append((obj.id, sub.at))
            submitters.append(obj.id)
        created = []
        for t in plan.tickets:
            values = {**t.values, "customer_id": cid,
                      "submitter_id": None if t.submitter is None else submitters[t.submitter]}
            obj = _create_in(s, self.services["service"][t.service], "tickets", values)
            created.append((t, obj))
        s.flush()
        return [(t, obj.id, obj.version) for t, obj in created]

    def _ticket_workflow(self, t: TicketPlan, ticket_id: int, version: int) -> None:
        """Take a ticket to its planned status the way the service desk does."""
        if t.final == "open":
            return
        service = self.services["service"][t.service]
        engineer = self.services["engineer"][t.engineer]
        version = service.tickets.assign(ticket_id, self.actors["engineer"][t.engineer].user_id, version=version)["version"]
        for note, _ in t.notes:
            engineer.tickets.add_log(ticket_id, note)
        if t.final == "in_progress":
            return
        if t.notes:
            version = engineer.tickets.get(ticket_id)["version"]
        version = engineer.tickets.resolve(ticket_id, t.result, version=version)["version"]
        for notice in service.tickets.notifications(ticket_id):
            if notice["status"] == "queued":
                # The demo's submitters live under example.com: record the notice as sent so
                # that no mail sender ever tries to deliver it.
                service.tickets.record_notification_result(notice["id"], sent=True)
        if t.final == "closed":
            service.tickets.close(ticket_id, version=version, satisfaction=t.satisfaction)

    def _backdate(self, plan: CustomerPlan, cid: int, stamps: dict[Table, list[tuple[int, dt.datetime]]],
                  tickets: list[tuple[TicketPlan, int, int]], licenses: list[tuple[int, list[tuple[str, str]]]]) -> None:
        """Move the times the services stamped as "now" to when the plan says things happened."""
        history = [plan.at] + [at for _, at, _ in plan.statuses]
        with self.db.unit_of_work(write=True) as s:
            # Codes carry the day a record was created (C20250314007), as they would have.
            _set(s, Customer.__table__, [{"id": cid, "created_at": plan.at, "updated_at": history[-1],
                                          "code": next_code(s, "C", plan.at.astimezone().date())}])
            self.services["sales"][plan.owner].customers.refresh_search(s, cid)
            ids = s.scalars(select(CustomerStatusChange.id).where(CustomerStatusChange.customer_id == cid)
                            .order_by(CustomerStatusChange.id)).all()
            _set(s, CustomerStatusChange.__table__, [{"id": i, "changed_at": at} for i, at in zip(ids, history, strict=True)])
            for table, rows in stamps.items():
                _set(s, table, [{"id": i, "created_at": at, "updated_at": at} for i, at in rows])
            for t, ticket_id, _ in tickets:
                self._backdate_ticket(s, t, ticket_id)
            planned = [lic for p in plan.products for lic in p.licenses]
            for (license_id, machines), lic in zip(licenses, planned, strict=True):
                if machines:
                    s.execute(LicensedMachine.__table__.update().where(LicensedMachine.license_id == license_id)
                              .values(activated_at=lic.at + dt.timedelta(hours=2)))
            s.commit()

    @staticmethod
    def _backdate_ticket(s: Session, t: TicketPlan, ticket_id: int) -> None:
        last = t.closed_at or t.resolved_at or (t.notes[-1][1] if t.notes else t.assigned_at) or t.at
        _set(s, Ticket.__table__, [{"id": ticket_id, "created_at": t.at, "updated_at": last,
                                    "resolved_at": t.resolved_at, "closed_at": t.closed_at,
                                    "number": next_code(s, "T", t.at.astimezone().date())}])
        notes = iter(at for _, at in t.notes)
        rows, notify = [], t.resolved_at
        for entry_id, kind in s.execute(select(TicketLogEntry.id, TicketLogEntry.kind)
                                        .where(TicketLogEntry.ticket_id == ticket_id).order_by(TicketLogEntry.id)):
            if kind == "notify":
                notify = notify + dt.timedelta(minutes=2)
            at = {"assign": t.assigned_at, "note": next(notes, last), "resolve": t.resolved_at,
                  "notify": notify, "close": t.closed_at}.get(kind) or last
            rows.append({"id": entry_id, "at": at})
        _set(s, TicketLogEntry.__table__, rows)
        if t.resolved_at is not None:
            s.execute(Notification.__table__.update().where(Notification.ticket_id == ticket_id)
                      .values(created_at=t.resolved_at + dt.timedelta(minutes=1),
                              sent_at=t.resolved_at + dt.timedelta(minutes=3)))


def _set(s: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """UPDATE rows by id, one statement for all (plain SQL: backdating is no business change, so no version bump)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "id"]
    stmt = table.update().where(table.c.id == bindparam("_id")).values(
        {c: bindparam(f"_{c}", type_=table.c[c].type) for c in columns})
    s.execute(stmt, [{"_id": r["id"], **{f"_{c}": r[c] for c in columns}} for r in rows])
