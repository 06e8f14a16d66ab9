"""What the demo data will be, decided before anything is written.

:func:`plan_customer` turns a seeded ``random.Random`` into one customer and
everything that hangs off it (contacts, contracts, payments, products,
licenses, tickets, follow-ups, needs, opportunities), with the moment each
thing happened. No database access happens here, so the plan depends on the
seed, the customer's position and the reference day only; that is what makes
the generated data reproducible. :mod:`crm_core.demo` writes the plan.

Users are referred to by their position in their role's list (``owner=2`` is
the third salesperson); the writer maps positions to ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm_core import demo_fakes as fk

# Variants and how often each occurs (see _variant): licenses, open opportunities (a funnel narrows),
# tickets, and the next step of a customer's latest follow-up.
LICENSE_KINDS = (("expired", "exp30", "exp60", "exp90", "annual", "perpetual"), (12, 5, 5, 5, 58, 15))
OPEN_STAGES = (("lead", "qualified", "proposal", "negotiation"), (35, 27, 21, 17))
TICKET_STATUSES = (("open", "in_progress", "resolved", "closed"), (15, 20, 20, 45))
NEXT_DUE = (("today", "overdue", "later", "none"), (4, 6, 60, 30))


@dataclass
class Env:
    """What planning needs from the outside: the reference day and the dictionary codes."""

    today: dt.date
    latest: dt.datetime  # nothing planned happens after this moment
    codes: dict[str, list[str]]
    roles: dict[str, int]  # how many users of each role exist to refer to


@dataclass
class Counters:
    """Run-wide state: contract numbers, names and serials in use, how often each variant list was used."""

    contract: int = 0
    seen: dict[str, int] = field(default_factory=dict)
    # UTF-8 bytes, not the str written: a str that went to the database also keeps its UTF-8 copy, and these
    # sets are what a run holds per customer (about half of it this way, for the same answers)
    names: set[bytes] = field(default_factory=set)
    serials: set[bytes] = field(default_factory=set)


@dataclass
class Item:
    """One record to create (``values``) and when it happened (``at``)."""

    values: dict[str, Any]
    at: dt.datetime


@dataclass
class ContractPlan(Item):
    payments: list[Item] = field(default_factory=list)


@dataclass
class LicensePlan(Item):
    machines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ProductPlan(Item):
    licenses: list[LicensePlan] = field(default_factory=list)


@dataclass
class TicketPlan(Item):
    submitter: int | None = None
    final: str = "open"
    engineer: int = 0
    service: int = 0
    notes: list[tuple[str, dt.datetime]] = field(default_factory=list)
    assigned_at: dt.datetime | None = None
    result: str | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    satisfaction: int | None = None


@dataclass
class CustomerPlan(Item):
    owner: int = 0
    city: fk.City | None = None
    base: str = "CRM"  # the product line this customer buys or evaluates
    statuses: list[tuple[str, dt.datetime, int | None]] = field(default_factory=list)  # (status, when, contract)
    contacts: list[Item] = field(default_factory=list)
    contracts: list[ContractPlan] = field(default_factory=list)
    products: list[ProductPlan] = field(default_factory=list)
    submitters: list[Item] = field(default_factory=list)
    tickets: list[TicketPlan] = field(default_factory=list)
    followups: list[Item] = field(default_factory=list)
    needs: list[tuple[Item, int | None]] = field(default_factory=list)  # (need, service user or None: the owner)
    opportunities: list[Item] = field(default_factory=list)


_ZONES: dict[tuple[Any, Any], dt.tzinfo] = {}


def _shared_zone(tz: Any) -> dt.tzinfo:
    """One tzinfo object per UTC offset and name (``astimezone()`` makes a new one per call): the same moments,
    and a pickled list of them (the events that wait for a later flush, the chunks a planning worker sends)
    carries each zone once instead of once per moment, which made unpickling them cost as much as planning."""
    key = (tz.utcoffset(None), tz.tzname(None))
    zone = _ZONES.get(key)
    if zone is None:
        zone = _ZONES[key] = tz
    return zone


class _Clock:
    """Moments in the office's local time, never after ``latest``."""

    def __init__(self, rng: random.Random, env: Env):
        self.rng, self.env = rng, env

    def on(self, day: dt.date, lo: int = 9, hi: int = 18) -> dt.datetime:
        t = dt.datetime.combine(day, dt.time(self.rng.randint(lo, hi - 1), self.rng.randrange(60))).astimezone()
        return min(t.replace(tzinfo=_shared_zone(t.tzinfo)), self.env.latest)

    def after(self, t: dt.datetime, min_days: float, max_days: float) -> dt.datetime:
        later = t + dt.timedelta(days=self.rng.uniform(min_days, max_days))
        # Drawn even when unused: ``t`` may have been clamped to ``latest``, and the draws must not
        # depend on the time of day, or the rest of the customer would change from run to run.
        office = self.on(later.date())
        if later.date() != t.date():
            later = office  # on a later day, things happen in office hours
        return max(t + dt.timedelta(minutes=1), min(later, self.env.latest))

    def reached(self, t: dt.datetime, min_days: float, max_days: float) -> dt.datetime | None:
        """The moment of a step planned ``min_days``..``max_days`` after ``t``; None if that is after today.

        A step that would come after today has not happened yet: the customer
        stays where he is. (Clamping it to today instead piled the recent
        customers' wins and losses into the current month, a false spike on
        the dashboard.)
        """
        later = t + dt.timedelta(days=self.rng.uniform(min_days, max_days))
        office = self.on(later.date())  # drawn either way, as in :meth:`after`
        if later.date() > self.env.today:  # by day, so the plan does not depend on the time of day
            return None
        return max(t + dt.timedelta(minutes=1), min(office if later.date() != t.date() else later, self.env.latest))

    def days_ago(self, lo: int, hi: int, not_before: dt.datetime) -> dt.datetime:
        t = self.on(self.env.today - dt.timedelta(days=self.rng.randint(lo, max(lo, hi))))
        return min(max(t, not_before + dt.timedelta(minutes=5)), self.env.latest)


def _variant(rng: random.Random, n: Counters, key: str, spec: tuple[tuple[str, ...], tuple[int, ...]]) -> str:
    """The next variant of a list: first each one once, so that even a small run shows them all, then by weight."""
    variants, weights = spec
    k = n.seen[key] = n.seen.get(key, 0) + 1
    return variants[k - 1] if k <= len(variants) else _chosen(rng, variants, weights)


@functools.lru_cache(maxsize=64)
def _cumulative(weights: tuple[float, ...]) -> list[float]:
    return list(itertools.accumulate(weights))


def _chosen(rng: random.Random, variants: Sequence[Any], weights: tuple[float, ...]) -> Any:
    """``rng.choices(variants, weights=weights)[0]`` (the same draw) without summing the weights every time."""
    return rng.choices(variants, cum_weights=_cumulative(weights))[0]


def _not_used(n: Counters, key: str, spec: tuple[tuple[str, ...], tuple[int, ...]]) -> None:
    """The variant just drawn did not fit: while every variant is still due once, the next draw gets it."""
    if n.seen[key] <= len(spec[0]):
        n.seen[key] -= 1


def _pick(rng: random.Random, codes: list[str], preferred: str | None = None) -> str | None:
    if preferred in codes:
        return preferred
    return rng.choice(codes) if codes else None


def customer_created(rng: random.Random, env: Env) -> dt.datetime:
    """When a customer was entered: more customers recently (the business grows), never after ``env.latest``.

    Drawn from a generator of its own (``demo.generate`` gives each customer one), so that the moments of all
    customers are known before any is planned: they are planned and written oldest first, and ids follow
    creation times as in a real office (a grid's newest-first order by id is also by 创建时间).
    """
    days_ago = int(730 * rng.random() ** 1.35)
    return _Clock(rng, env).on(env.today - dt.timedelta(days=days_ago))


def plan_customer(rng: random.Random, env: Env, n: Counters, created: dt.datetime | None = None) -> CustomerPlan:
    """Plan one customer and everything about it (``n`` carries what the run has planned so far), created at
    ``created`` (default: drawn first from ``rng`` by :func:`customer_created`).

    Every record planned happens at or after ``created`` (and a ticket at or after its submitter), so that
    writing customers oldest first and each module's records in time order keeps every id increasing with
    ``created_at`` while the records a row refers to are already written.
    """
    if created is None:
        created = customer_created(rng, env)
    clock, today, codes = _Clock(rng, env), env.today, env.codes
    city = fk.city(rng)
    while True:  # company names are not unique in the schema, but duplicates would confuse a demo
        comp = fk.company(rng, city, codes.get("industry", []), codes.get("company_category", []))
        if (key := comp.name.encode()) not in n.names:
            n.names.add(key)
            break
    days_ago = (today - created.date()).days
    level = _chosen(rng, "ABC", (2, 4.5, 3.5))
    statuses = ("prospect", "interested", "won", "lost", "reactivated")
    weights = (28, 24, 30, 12, 6) if days_ago >= 45 else (40, 35, 25, 0, 0)
    status = _chosen(rng, statuses, weights)
    ctype = ("individual" if comp.category == "sole" else "government" if comp.industry == "government"
             else "institution" if comp.industry in ("education", "healthcare") and rng.random() < 0.5 else "enterprise")
    phone = (fk.service_number(rng) if level == "A" and rng.random() < 0.3 else
             fk.landline(rng, city) if rng.random() < 0.7 else fk.mobile(rng))
    plan = CustomerPlan(values={
        "name": comp.name, "category": comp.category or None, "industry": comp.industry,
        "customer_type": ctype if ctype in codes.get("customer_type", []) else None,
        "level": level, "source": _pick(rng, codes.get("source", [])),
        "credit_code": fk.credit_code(rng, city) if comp.category in ("llc", "joint_stock") and rng.random() < 0.65 else None,
        "address": fk.address(rng, city), "phone": phone,
        "email": fk.email(rng.choice(("info", "contact", "service", "office")), comp.domain) if rng.random() < 0.7 else None,
        "notes": rng.choice(fk.CUSTOMER_NOTES) if rng.random() < 0.2 else None,
    }, at=created, owner=rng.randrange(env.roles["sales"]), city=city)
    _plan_contacts(rng, clock, plan, comp)
    _plan_history(rng, clock, env, n, plan, status, comp)
    reached = plan.statuses[-1][0] if plan.statuses else "prospect"  # steps due after today did not happen
    _plan_service(rng, clock, env, n, plan, comp)
    _plan_sales(rng, clock, env, n, plan, reached)
    return plan


def _plan_contacts(rng: random.Random, clock: _Clock, plan: CustomerPlan, comp: fk.Company) -> None:
    for k in range(_chosen(rng, (1, 2, 3), (35, 45, 20))):
        p = fk.person(rng)
        born = fk.birth_date(rng, clock.env.today)
        with_id = rng.random() < 0.3
        plan.contacts.append(Item({
            "name": p.name, "position": rng.choice(fk.POSITIONS_LEAD if k == 0 else fk.POSITIONS),
            "phone": fk.mobile(rng), "email": fk.email(p.pinyin, comp.domain) if rng.random() < 0.6 else None,
            "id_number": fk.id_number(rng, plan.city, born, p.male) if with_id else None,
            "birth_date": born if with_id or rng.random() < 0.3 else None,
            "address": fk.address(rng, plan.city, office=False) if rng.random() < 0.2 else None,
            "status": "left" if k > 0 and rng.random() < 0.08 else "employed",
        }, clock.after(plan.at, 0, 10)))


def _plan_history(rng: random.Random, clock: _Clock, env: Env, n: Counters, plan: CustomerPlan,
                  status: str, comp: fk.Company) -> None:
    """Status path, contracts, payments, products and licenses."""
    t = plan.at
    base = plan.base = rng.choice(fk.PRODUCTS_BY_INDUSTRY.get(comp.industry, ("ERP", "CRM", "OA")))
    if status == "interested" or (status != "prospect" and rng.random() < 0.75):
        step = clock.reached(t, 2, 30)
        if step is None:
            return  # met too recently to have got any further
        t = step
        plan.statuses.append(("interested", t, None))
    had_won = status == "won" or (status in ("lost", "reactivated") and rng.random() < 0.6)
    if had_won:
        sign = clock.reached(t, 7, 120)
        if sign is None:
            return  # not signed yet
        if rng.random() < 0.2:  # evaluated on a trial first
            start = max(plan.at.date(), (sign - dt.timedelta(days=45)).date())
            _plan_product(rng, clock, env, n, plan, base, max(plan.at, clock.on(start)), trial=True)
        plan.contracts.append(_plan_contract(rng, clock, env, n, plan, sign, base, second=False))
        plan.statuses.append(("won", sign, 0))
        _plan_product(rng, clock, env, n, plan, base, sign, trial=False)
        t = sign
        if status == "won" and rng.random() < 0.25 and (env.latest - sign).days > 150:
            sign2 = clock.after(sign, 120, 500)
            plan.contracts.append(_plan_contract(rng, clock, env, n, plan, sign2, base, second=True))
    elif status == "interested" and rng.random() < 0.4:
        _plan_product(rng, clock, env, n, plan, base, clock.after(t, 0, 20), trial=True)
    if status in ("lost", "reactivated"):
        lost = clock.reached(t, 30 if had_won else 5, 400 if had_won else 120)
        if lost is None:
            return  # not lost (yet)
        plan.statuses.append(("lost", lost, None))
        if status == "reactivated" and (back := clock.reached(lost, 20, 200)) is not None:
            plan.statuses.append(("reactivated", back, None))


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randrange(lo // 100, hi // 100) * 100).quantize(Decimal("0.01"))


def _plan_contract(rng: random.Random, clock: _Clock, env: Env, n: Counters, plan: CustomerPlan,
                   sign: dt.datetime, base: str, *, second: bool) -> ContractPlan:
    lo, hi = {"A": (200_000, 1_500_000), "B": (60_000, 300_000), "C": (20_000, 80_000)}[plan.values["level"]]
    amount = _money(rng, lo // 5, hi // 5) if second else _money(rng, lo, hi)
    n.contract += 1
    day, today = sign.date(), env.today
    age = (today - day).days
    delivery, delivered = "pending", None
    if age > 150 or second:
        delivery, delivered = "delivered", min(today, day + dt.timedelta(days=rng.randint(20, 120)))
    elif age > 45:
        delivery = "partial"
    contract = ContractPlan({
        "number": f"HT{day:%Y%m%d}{n.contract:04d}",
        "title": f"{fk.PRODUCTS[base][0]}{'年度运维服务合同' if second else '软件许可及定制开发合同'}",
        "signed_on": day, "ends_on": day + dt.timedelta(days=365 * rng.randint(1, 3) - 1),
        "payment_due_on": day + dt.timedelta(days=rng.choice((30, 60, 90))),
        "amount": amount, "party_a": plan.values["name"], "party_b": fk.OUR_COMPANY,
        "delivery_status": delivery, "delivered_on": delivered,
    }, sign)
    weights = (0, 50, 50) if age <= 15 else (55, 30, 15) if age <= 365 else (80, 15, 5)
    mode = _chosen(rng, ("full", "partial", "none"), weights)
    if mode != "none":
        shares = rng.choice(((1,), (3, 7), (3, 4, 3), (5, 5)) if mode == "full" else ((3, 7), (3, 4, 3), (5, 5)))
        if mode == "partial":
            shares = shares[:-1]
        when, paid = sign, Decimal("0.00")
        methods = env.codes.get("payment_method", [])
        for k, share in enumerate(shares):
            last = mode == "full" and k == len(shares) - 1
            part = amount - paid if last else (amount * share / 10).quantize(Decimal("0.01"))
            paid += part
            when = clock.after(when, 3, 60)
            contract.payments.append(Item({
                "received_on": when.date(), "amount": part,
                "method": _pick(rng, methods, "bank_transfer" if rng.random() < 0.85 else None),
                "account": rng.choice(fk.OUR_ACCOUNTS), "notes": f"第{k + 1}期款",
            }, when))
    return contract


def _plan_product(rng: random.Random, clock: _Clock, env: Env, n: Counters, plan: CustomerPlan, base: str,
                  at: dt.datetime, *, trial: bool) -> None:
    name, description = fk.PRODUCTS[base]
    major, minor, patch = rng.randint(2, 4), rng.randint(0, 9), rng.randint(0, 5)
    version = f"V{major}.{minor}.{patch}" + ("" if trial else "-定制")
    while True:
        serial = fk.serial(rng, base)
        if (key := serial.encode()) not in n.serials:
            n.serials.add(key)
            break
    day = at.date()
    product = ProductPlan({
        "name": name, "product_version": version, "description": description,
        "customization_notes": None if trial else "；".join(rng.sample(fk.CUSTOMISATIONS, rng.randint(1, 3))),
        # {code} is the customer code, known once the customer is written
        "backup_path": f"\\\\nas01\\交付备份\\{{code}}\\{base}_{version}_{day:%Y%m%d}.zip",
        "manual_path": f"\\\\nas01\\产品文档\\{base}\\V{major}.{minor}\\{name}用户手册.pdf",
        "license_code": serial,
    }, at)
    seats = rng.choice((3, 5, 5)) if trial else rng.choice((5, 5, 10, 10, 20, 20, 30, 50, 100, 200))
    if trial:
        until = day + dt.timedelta(days=30)  # trials run exactly 30 days (LicenseService rule)
    else:
        kind = _variant(rng, n, "license", LICENSE_KINDS)
        today = env.today
        until = {"annual": today + dt.timedelta(days=rng.randint(91, 700)),
                 "exp30": today + dt.timedelta(days=rng.randint(1, 30)),
                 "exp60": today + dt.timedelta(days=rng.randint(31, 60)),
                 "exp90": today + dt.timedelta(days=rng.randint(61, 90)),
                 "expired": today - dt.timedelta(days=rng.randint(1, 180)),
                 "perpetual": None}[kind]
        if until is not None and until < day + dt.timedelta(days=180):
            # Signed too recently to have run out: a current license, and the next one gets this kind.
            until = today + dt.timedelta(days=rng.randint(91, 700))
            _not_used(n, "license", LICENSE_KINDS)
    lic = LicensePlan({"serial": serial, "seats": seats, "valid_from": day, "valid_until": until, "is_trial": trial}, at)
    if until is None or until >= env.today:  # an expired license takes no more machines
        count = seats if seats <= 5 and rng.random() < 0.3 else rng.randint(0, min(seats, 6))
        lic.machines = [(fk.machine_name(rng, k + 1), fk.fingerprint(rng)) for k in range(count)]
    product.licenses.append(lic)
    plan.products.append(product)


def _plan_service(rng: random.Random, clock: _Clock, env: Env, n: Counters, plan: CustomerPlan,
                  comp: fk.Company) -> None:
    """Submitters and tickets for customers who run a paid build."""
    paid = [p for p in plan.products if not p.licenses[0].values["is_trial"]]
    if not paid:
        return
    stores = fk.STORES if comp.industry in ("retail", "catering", "healthcare") else fk.DEPARTMENTS
    for _ in range(_chosen(rng, (1, 2, 3), (50, 35, 15))):
        p = fk.person(rng)
        district = rng.choice(plan.city.districts)[0]
        store = f"{district}{rng.choice(stores)}" if stores is fk.STORES else rng.choice(stores)
        plan.submitters.append(Item({
            "name": p.name, "phone": fk.mobile(rng), "store": store,
            "email": fk.email(p.pinyin, comp.domain) if rng.random() < 0.7 else None,
            "address": fk.address(rng, plan.city) if rng.random() < 0.5 else None,
        }, clock.after(paid[0].at, 1, 30)))
    since = paid[0].at
    for _ in range(_chosen(rng, (0, 1, 2, 3), (30, 35, 25, 10))):
        final = _variant(rng, n, "ticket", TICKET_STATUSES)
        kind = _chosen(rng, ("complaint", "suggestion", "praise"), (55, 30, 15))
        severity = _chosen(rng, ("critical", "major", "minor"), (15, 50, 35)) if kind == "complaint" else "minor"
        age = (env.today - since.date()).days
        lo, hi = {"open": (0, 6), "in_progress": (0, 25), "resolved": (1, 45)}.get(final, (3, max(4, age)))
        created = clock.days_ago(lo, hi, since)
        values = {"feedback_type": kind, "description": rng.choice(fk.TICKETS[kind]),
                  "severity": _pick(rng, env.codes.get("severity", []), severity), "city": plan.city.name}
        submitter = rng.randrange(len(plan.submitters)) if rng.random() < 0.85 else None
        if submitter is not None:  # reported by someone already on file
            created = max(created, plan.submitters[submitter].at)
        t = TicketPlan(values, created, submitter=submitter, final=final, engineer=rng.randrange(env.roles["engineer"]),
                       service=rng.randrange(env.roles["service"]))
        if final != "open":
            t.assigned_at = clock.after(created, 0.01, 0.15)
            last = t.assigned_at
            for note in rng.sample(fk.TICKET_NOTES, rng.randint(1 if final == "in_progress" else 0, 2)):
                last = clock.after(last, 0.02, 0.5)
                t.notes.append((note, last))
        if final in ("resolved", "closed"):
            hours = {"critical": (2, 24), "major": (6, 96)}.get(severity, (24, 240))
            t.resolved_at = max(clock.after(created, hours[0] / 24, hours[1] / 24), last + dt.timedelta(minutes=10))
            t.result = rng.choice(fk.RESULTS[kind])
        if final == "closed":
            t.closed_at = clock.after(t.resolved_at, 0.25, 5) + dt.timedelta(minutes=5)
            scores = {"praise": (0, 0, 0, 2, 8), "suggestion": (0, 0, 2, 4, 4)}.get(kind, (6, 10, 20, 34, 30))
            t.satisfaction = _chosen(rng, (1, 2, 3, 4, 5), scores) if rng.random() < 0.9 else None
        plan.tickets.append(t)


def _plan_sales(rng: random.Random, clock: _Clock, env: Env, n: Counters, plan: CustomerPlan,
                status: str) -> None:
    """Follow-ups with their next steps, needs and opportunities."""
    today, codes = env.today, env.codes
    lost_at = next((at for s, at, _ in reversed(plan.statuses) if s == "lost"), None)
    won_at = next((at for s, at, _ in plan.statuses if s == "won"), None)
    end = lost_at if status == "lost" else env.latest
    count = {"prospect": (1, 2), "interested": (2, 4), "won": (2, 5), "lost": (1, 3)}.get(status, (2, 4))
    times = sorted(plan.at + (end - plan.at) * rng.random() for _ in range(rng.randint(*count)))
    methods = codes.get("followup_method", [])
    for k, at in enumerate(times):
        at = max(at, plan.at)
        last = k == len(times) - 1
        pool = (fk.FOLLOWUP_LOST if status == "lost" and last else fk.FOLLOWUP_WON if won_at and at >= won_at
                else fk.FOLLOWUP_EARLY if k == 0 else fk.FOLLOWUP_MID)
        values: dict[str, Any] = {"at": at, "method": _pick(rng, methods), "content": rng.choice(pool)}
        if last and status != "lost":
            due = {"today": today, "overdue": today - dt.timedelta(days=rng.randint(1, 10)),
                   "later": today + dt.timedelta(days=rng.randint(1, 21))}.get(_variant(rng, n, "due", NEXT_DUE))
            if due is not None:
                # Both drawn in any case, so the draws do not depend on the time of day (see _Clock.after).
                earlier = max(plan.at, clock.on(due - dt.timedelta(days=rng.randint(0, 3))))
                step = rng.choice(fk.NEXT_STEPS)
                if at.date() > due:  # an overdue step was planned before it was due
                    at = values["at"] = earlier
                if at.date() <= due:
                    values.update(next_step=step, next_due_on=due, next_done=False)
                else:  # the customer is younger than the overdue date
                    _not_used(n, "due", NEXT_DUE)
        elif not last and rng.random() < 0.7:
            due = at.date() + dt.timedelta(days=rng.randint(2, 14))
            values.update(next_step=rng.choice(fk.NEXT_STEPS), next_due_on=due, next_done=due < today)
        plan.followups.append(Item(values, at))
    for _ in range(_chosen(rng, (0, 1, 2), (45, 40, 15))):
        kind = rng.choice(tuple(fk.NEEDS))
        at = clock.after(plan.at, 0, max(1, (env.latest - plan.at).days))
        age = (today - at.date()).days
        state = rng.choice(("done", "closed") if age > 60 else ("open", "in_progress", "done"))
        plan.needs.append((Item({
            "need_type": kind, "description": rng.choice(fk.NEEDS[kind]),
            "priority": _chosen(rng, ("high", "medium", "low"), (25, 50, 25)), "state": state,
            "solution": rng.choice(fk.SOLUTIONS) if state in ("done", "closed") else None,
        }, at), rng.randrange(env.roles["service"]) if kind == "support" else None))
    base_name = fk.PRODUCTS[plan.base][0]
    if status in ("prospect", "interested", "reactivated") and rng.random() < 0.7:
        stage = _variant(rng, n, "stage", OPEN_STAGES)
        plan.opportunities.append(Item({
            "name": f"{base_name}采购项目", "stage": stage, "amount": _money(rng, 30_000, 600_000),
            "expected_on": today + dt.timedelta(days=rng.randint(10, 120)),
        }, clock.after(plan.at, 0, 20)))
    if won_at is not None:
        plan.opportunities.append(Item({
            "name": f"{base_name}项目", "stage": "won", "amount": plan.contracts[0].values["amount"],
            "expected_on": won_at.date(),
        }, clock.after(plan.at, 0, max(0.1, (won_at - plan.at).days))))
    if status == "lost" and won_at is None and rng.random() < 0.6:
        plan.opportunities.append(Item({
            "name": f"{base_name}采购项目", "stage": "lost", "amount": _money(rng, 30_000, 300_000),
            "expected_on": lost_at.date() if lost_at else today,
        }, plan.at))

