"""Writing demo plans through the bulk path (:mod:`crm_core.bulk`), oldest record first.

Each record is written by the user who would have entered it (the owner for
sales records, customer service for submitters and tickets, an engineer for
license machines), with the time the plan says it happened, and with what the
services derive: codes of that day, status history, search index, audit
entries, ticket log and notices. Ticket and status workflows are applied as
the services' workflow methods would leave them (status, version, log).

Order: customers are planned oldest first (``demo.generate``), and every record
of a plan becomes an event at its own moment, kept in the bucket of the first
flush whose horizon reaches it. A flush writes its events in time order, module
by module (what a row refers to first), so that in every module the ids follow
``created_at`` as they do in a real office: the grids' newest-first order (by
id) shows the newest records on top. Every planned record happens at or after
its customer (``demo_plan``), so no event ever falls behind a flushed horizon.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from crm_core.bulk import BulkWriter
from crm_core.bulk.rows import insert_rows, reserve_ids, update_rows
from crm_core.bulk.writer import CODES
from crm_core.db.engine import Database
from crm_core.demo_plan import CustomerPlan
from crm_core.models import Customer, License, LicensedMachine, Notification, Ticket, TicketLogEntry
from crm_core.services.codes import reserve_codes
from crm_core.services.context import Actor

MINUTE = dt.timedelta(minutes=1)
# Modules in the order a flush writes them: what a row refers to is written before it.
ORDER = ("customers", "contacts", "contracts", "payments", "products", "licenses", "submitters", "tickets",
         "followups", "needs", "opportunities", "status")


class _Ref:
    """What later events of one customer need from earlier ones: ids, code, who owns it."""

    __slots__ = ("owner", "cid", "code", "contracts", "products", "subs")

    def __init__(self, owner: int, plan: CustomerPlan):
        self.owner, self.cid, self.code = owner, 0, ""
        self.contracts = [0] * len(plan.contracts)
        self.products = [0] * len(plan.products)
        self.subs: list[tuple[int, str | None, str]] = [(0, None, "")] * len(plan.submitters)


class PlanWriter:
    """Writes :class:`CustomerPlan` lists with the demo users as actors, every module in ``created_at`` order.

    ``horizons`` are the moments up to which each flush writes (the last customer's creation of each chunk,
    known ahead because customers' creation times are drawn first); :meth:`add` files a chunk's events,
    :meth:`flush` writes those of one horizon in a transaction.
    """

    def __init__(self, db: Database, users: dict[str, list[Actor]], horizons: list[dt.datetime]):
        self.db, self.actors, self.horizons = db, users, horizons
        self.writers = {(role, k): BulkWriter(db, a) for role, actors in users.items() for k, a in enumerate(actors)}
        self.buckets: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        self.seq = count()

    def _w(self, role: str, k: int) -> BulkWriter:
        return self.writers[(role, k)]

    # ------------------------------------------------------------------ events

    def add(self, plans: list[CustomerPlan], flush: int) -> None:
        """File the events of ``plans`` (customers of flush number ``flush`` or later)."""
        for p in plans:
            ref = _Ref(p.owner, p)
            self._event(flush, p.at, "customers", ref, p)
            for c in p.contacts:
                self._event(flush, c.at, "contacts", ref, c)
            for k, c in enumerate(p.contracts):
                self._event(flush, c.at, "contracts", ref, (k, c))
                for pay in c.payments:
                    self._event(flush, pay.at, "payments", ref, (k, pay))
            for k, prod in enumerate(p.products):
                self._event(flush, prod.at, "products", ref, (k, prod))
                for lic in prod.licenses:
                    self._event(flush, lic.at, "licenses", ref, (k, lic))
            for k, sub in enumerate(p.submitters):
                self._event(flush, sub.at, "submitters", ref, (k, sub))
            for t in p.tickets:
                self._event(flush, t.at, "tickets", ref, t)
            for f in p.followups:
                self._event(flush, f.at, "followups", ref, f)
            for n, su in p.needs:
                self._event(flush, n.at, "needs", ref, (n, su))
            for o in p.opportunities:
                self._event(flush, o.at, "opportunities", ref, o)
            for st, at, k in p.statuses:
                number = None if k is None else p.contracts[k].values["number"]
                self._event(flush, at, "status", ref, (st, at, number))

    def _event(self, first: int, at: dt.datetime, module: str, ref: _Ref, item: Any) -> None:
        k = max(first, bisect.bisect_left(self.horizons, at))
        self.buckets[k].append((at, next(self.seq), module, ref, item))

    def flush(self, k: int) -> None:
        """Write the events filed for flush ``k`` in one transaction."""
        with self.db.unit_of_work(write=True) as s:
            self.flush_in(s, k)
            s.commit()

    def flush_in(self, s: Session, k: int) -> None:
        events = self.buckets.pop(k, [])
        events.sort(key=lambda e: (e[0], e[1]))
        by_module: dict[str, list[tuple[_Ref, Any]]] = defaultdict(list)
        for _, _, module, ref, item in events:
            by_module[module].append((ref, item))
        for module in ORDER:
            if by_module.get(module):
                getattr(self, f"_{module}")(s, by_module[module])

    # ------------------------------------------------------------------ writing

    def _insert(self, s: Session, module: str, entries: list[tuple[tuple[str, int], dict[str, Any]]], *,
                search: bool = True) -> list[int]:
        """Rows ``(writer key, row)`` in time order: ids (and codes) numbered in that order, each written by its
        own writer (actor); returns the ids in input order."""
        any_writer = self.writers[entries[0][0]]
        table = any_writer.services[module].model.__table__
        ids = reserve_ids(s, table, len(entries))
        codes: list[tuple[dt.date, str] | None] = [None] * len(entries)
        if module in CODES:
            days = [row["created_at"].astimezone().date() for _, row in entries]
            per_day: dict[dt.date, int] = defaultdict(int)
            for d in days:
                per_day[d] += 1
            reserved = {d: iter(c) for d, c in reserve_codes(s, CODES[module][1], per_day).items()}
            codes = [(d, next(reserved[d])) for d in days]
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for pos, (key, _) in enumerate(entries):
            groups[key].append(pos)
        for key, positions in groups.items():
            w = self.writers[key]
            st = w.stage(s, module, [entries[p][1] for p in positions], search=search)
            group_codes: dict[dt.date, list[str]] = defaultdict(list)
            for p in positions:
                if codes[p] is not None:
                    group_codes[codes[p][0]].append(codes[p][1])
            w._number(s, st, [ids[p] for p in positions], dict(group_codes))
            w.write_staged(s, st)
        return ids

    @staticmethod
    def _stamped(item: Any, **extra: Any) -> dict[str, Any]:
        return {**item.values, "created_at": item.at, "updated_at": item.at, **extra}

    def _sales(self, ref: _Ref) -> tuple[str, int]:
        return ("sales", ref.owner)

    def _owner_id(self, ref: _Ref) -> int:
        return self.actors["sales"][ref.owner].user_id

    def _customers(self, s: Session, items: list[tuple[_Ref, CustomerPlan]]) -> None:
        ids = self._insert(s, "customers", [(self._sales(ref), {
            **p.values, "owner_id": self._owner_id(ref), "created_at": p.at,
            "_contacts": [(c.values["name"], c.values["phone"]) for c in p.contacts]}) for ref, p in items])
        codes = dict(s.execute(Customer.__table__.select().with_only_columns(Customer.id, Customer.code)
                               .where(Customer.id.in_(ids))).all())
        for (ref, _), cid in zip(items, ids, strict=True):
            ref.cid, ref.code = cid, codes[cid]

    def _contacts(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        # search=False: already in the customers' search entries
        self._insert(s, "contacts", [(self._sales(ref), self._stamped(c, customer_id=ref.cid)) for ref, c in items],
                     search=False)

    def _contracts(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        ids = self._insert(s, "contracts", [(self._sales(ref), self._stamped(c, customer_id=ref.cid))
                                            for ref, (_, c) in items])
        for (ref, (k, _)), rid in zip(items, ids, strict=True):
            ref.contracts[k] = rid

    def _payments(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        self._insert(s, "payments", [(self._sales(ref), self._stamped(
            p, contract_id=ref.contracts[k], handler=self.actors["sales"][ref.owner].name)) for ref, (k, p) in items])

    def _products(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        ids = self._insert(s, "products", [(self._sales(ref), self._stamped(
            p, customer_id=ref.cid, backup_path=p.values["backup_path"].replace("{code}", ref.code)))
            for ref, (_, p) in items])
        for (ref, (k, _)), rid in zip(items, ids, strict=True):
            ref.products[k] = rid

    def _licenses(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        ids = self._insert(s, "licenses", [(self._sales(ref), self._stamped(
            lic, customer_id=ref.cid, product_id=ref.products[k])) for ref, (k, lic) in items])
        self._machines(s, [(rid, lic) for rid, (_, (_, lic)) in zip(ids, items, strict=True)])

    def _machines(self, s: Session, licenses: list[tuple[int, Any]]) -> None:
        """Seats taken by computers, added by the first engineer (``LicenseService.add_machine``)."""
        engineer = self._w("engineer", 0)
        rows, audits, touched = [], [], {}
        for lic_id, lic in licenses:
            for name, fp in lic.machines:
                rows.append((lic_id, name, fp, True, lic.at + 2 * 60 * MINUTE))
                audits.append((lic_id, None, {"machine_name": name, "fingerprint": fp}))
            if lic.machines:
                touched[lic_id] = (1 + len(lic.machines), lic.at)
        ids = reserve_ids(s, LicensedMachine.__table__, len(rows))
        insert_rows(s, LicensedMachine.__table__, ("id", "license_id", "machine_name", "fingerprint", "is_active",
                                                   "activated_at"), [(k, *r) for k, r in zip(ids, rows, strict=True)])
        update_rows(s, License.__table__, "id", ("version", "updated_by_id"),
                    [(lic_id, v, engineer.actor.user_id) for lic_id, (v, _) in touched.items()])
        engineer.audit_in(s, "licenses", "add_machine", audits)

    def _submitters(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        """Submitters, entered by the first service user."""
        ids = self._insert(s, "submitters", [(("service", 0), self._stamped(sub, customer_id=ref.cid))
                                             for ref, (_, sub) in items])
        for (ref, (k, sub)), rid in zip(items, ids, strict=True):
            ref.subs[k] = (rid, sub.values.get("email"), sub.values["name"])

    def _tickets(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        """Tickets (by their service user), then the ticket workflow."""
        rows = [{**t.values, "customer_id": ref.cid, "created_at": t.at,
                 "submitter_id": None if t.submitter is None else ref.subs[t.submitter][0]} for ref, t in items]
        ids = self._insert(s, "tickets", [(("service", t.service), row) for (_, t), row in zip(items, rows, strict=True)])
        emails = {sid: (email, name) for ref, t in items if t.submitter is not None
                  for sid, email, name in [ref.subs[t.submitter]]}
        TicketFlow(self, s).apply([(rid, t, row) for rid, (_, t), row in zip(ids, items, rows, strict=True)], emails)

    def _followups(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        self._insert(s, "followups", [(self._sales(ref), self._stamped(f, customer_id=ref.cid, user_id=self._owner_id(ref)))
                                      for ref, f in items])

    def _needs(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        self._insert(s, "needs", [(self._sales(ref), self._stamped(
            n, customer_id=ref.cid, owner_id=self._owner_id(ref) if su is None else self.actors["service"][su].user_id))
            for ref, (n, su) in items])

    def _opportunities(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        self._insert(s, "opportunities", [(self._sales(ref), self._stamped(o, customer_id=ref.cid, owner_id=self._owner_id(ref)))
                                          for ref, o in items])

    def _status(self, s: Session, items: list[tuple[_Ref, Any]]) -> None:
        """Status moves by each owner, in time order (a customer's own moves stay in their order)."""
        by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ref, (st, at, number) in items:
            by_owner[ref.owner].append({"customer_id": ref.cid, "status": st, "at": at,
                                        "note": "签订合同" if st == "won" else None, "contract_number": number})
        for owner, steps in by_owner.items():
            self._w("sales", owner).change_status_in(s, steps)


class TicketFlow:
    """The end state of ``TicketService.assign / add_log / resolve / record_notification_result / close``."""

    def __init__(self, pw: PlanWriter, s: Session):
        self.pw, self.s = pw, s
        self.svc = pw.writers[("service", 0)].services.tickets

    def apply(self, tickets: list[tuple[int, Any, dict[str, Any]]], emails: dict[int, tuple[str | None, str]]) -> None:
        from crm_core.models import Customer  # noqa: F401  (models registered)

        numbers = dict(self.s.execute(Ticket.__table__.select().with_only_columns(Ticket.id, Ticket.number)
                                      .where(Ticket.id.in_([t[0] for t in tickets]))).all())
        logs, notices, updates = [], [], []
        audits: dict[tuple[str, str, int], list[tuple[int, Any, Any]]] = defaultdict(list)
        for tid, t, row in tickets:
            if t.final == "open":
                continue
            service = self.pw.actors["service"][t.service]
            engineer = self.pw.actors["engineer"][t.engineer]
            state = {**row, "id": tid, "number": numbers[tid], "status": "open", "engineer_id": None, "result": None,
                     "satisfaction": None, "resolved_at": None, "closed_at": None, "is_active": True}
            version, last_by, last_at = 1, service, t.assigned_at

            def step(actor_role: str, k: int, action: str, **changes: Any) -> None:
                nonlocal version
                before = self.svc._snapshot(_Obj(state))
                state.update(changes)
                after = self.svc._snapshot(_Obj(state))
                changed = [f for f in after if after[f] != before.get(f)]
                audits[(actor_role, action, k)].append((tid, {f: before.get(f) for f in changed},
                                                        {f: after[f] for f in changed}))
                version += 1

            step("service", t.service, "assign", engineer_id=engineer.user_id, status="in_progress")
            logs.append((tid, t.assigned_at, service.user_id, "assign",
                         f"指派给 {engineer.name} / assigned to {engineer.name}"))
            for note, at in t.notes:
                logs.append((tid, at, engineer.user_id, "note", note))
                version, last_by, last_at = version + 1, engineer, at
            if t.final in ("resolved", "closed"):
                step("engineer", t.engineer, "resolve", status="resolved", result=t.result, resolved_at=t.resolved_at)
                last_by, last_at = engineer, t.resolved_at
                logs.append((tid, t.resolved_at, engineer.user_id, "resolve", t.result))
                email, name = emails.get(row.get("submitter_id"), (None, ""))
                notify = t.resolved_at + 2 * MINUTE
                if email:
                    number = numbers[tid]
                    notices.append((tid, "email", email, f"您反馈的问题已解决 / Your issue {number} is resolved",
                                    f"{name}，您好：\n\n您反馈的问题（{number}）已解决。\n处理结果：{t.result}\n\n"
                                    f"Dear {name},\n\nthe issue you reported ({number}) is resolved.\nResult: {t.result}\n",
                                    "sent", t.resolved_at + MINUTE, t.resolved_at + 3 * MINUTE, 0))
                    logs.append((tid, notify, engineer.user_id, "notify", f"已排队通知 {email} / notice queued for {email}"))
                    logs.append((tid, notify + 2 * MINUTE, service.user_id, "notify", f"已通知 {email} / notified {email}"))
                else:
                    logs.append((tid, notify, engineer.user_id, "notify",
                                 "反馈人员没有 Email，无法自动通知 / the submitter has no e-mail; no notice sent"))
            if t.final == "closed":
                step("service", t.service, "close", status="closed", closed_at=t.closed_at, satisfaction=t.satisfaction)
                last_by, last_at = service, t.closed_at
                logs.append((tid, t.closed_at, service.user_id, "close",
                             f"满意度 / satisfaction: {t.satisfaction if t.satisfaction else '-'}"))
            updates.append((tid, state["status"], state["engineer_id"], state["result"], state["satisfaction"],
                            state["resolved_at"], state["closed_at"], version, last_at, last_by.user_id))
        update_rows(self.s, Ticket.__table__, "id", ("status", "engineer_id", "result", "satisfaction", "resolved_at",
                                                     "closed_at", "version", "updated_at", "updated_by_id"), updates)
        ids = reserve_ids(self.s, TicketLogEntry.__table__, len(logs))
        insert_rows(self.s, TicketLogEntry.__table__, ("id", "ticket_id", "at", "by_id", "kind", "content"),
                    [(k, *r) for k, r in zip(ids, logs, strict=True)])
        ids = reserve_ids(self.s, Notification.__table__, len(notices))
        insert_rows(self.s, Notification.__table__, ("id", "ticket_id", "channel", "recipient", "subject", "body",
                                                     "status", "created_at", "sent_at", "attempts"),
                    [(k, *r) for k, r in zip(ids, notices, strict=True)])
        for (role, action, k), entries in audits.items():
            self.pw.writers[(role, k)].audit_in(self.s, "tickets", action, entries)


class _Obj:
    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]):
        self._d = d

    def __getattr__(self, name: str) -> Any:
        return self._d.get(name)
