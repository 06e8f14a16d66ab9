"""Writing demo plans through the bulk path (:mod:`crm_core.bulk`), many customers per transaction.

Each record is written by the user who would have entered it (the owner for
sales records, customer service for submitters and tickets, an engineer for
license machines), with the time the plan says it happened, and with what the
services derive: codes of that day, status history, search index, audit
entries, ticket log and notices. Ticket and status workflows are applied as
the services' workflow methods would leave them (status, version, log).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from crm_core.bulk import BulkWriter
from crm_core.bulk.rows import insert_rows, reserve_ids, update_rows
from crm_core.db.engine import Database
from crm_core.demo_plan import CustomerPlan
from crm_core.models import License, LicensedMachine, Notification, Ticket, TicketLogEntry
from crm_core.services.context import Actor

MINUTE = dt.timedelta(minutes=1)


class PlanWriter:
    """Writes lists of :class:`CustomerPlan` with the demo users as actors."""

    def __init__(self, db: Database, users: dict[str, list[Actor]]):
        self.db, self.actors = db, users
        self.writers = {(role, k): BulkWriter(db, a) for role, actors in users.items() for k, a in enumerate(actors)}

    def write(self, plans: list[CustomerPlan]) -> None:
        """Write the plans in one transaction."""
        with self.db.unit_of_work(write=True) as s:
            self._write_in(s, plans)
            s.commit()

    def _w(self, role: str, k: int) -> BulkWriter:
        return self.writers[(role, k)]

    def _write_in(self, s: Session, plans: list[CustomerPlan]) -> None:
        by_owner: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(plans):
            by_owner[p.owner].append(i)
        cids: list[int] = [0] * len(plans)
        codes: list[str] = [""] * len(plans)
        for owner, idx in by_owner.items():
            rows = [{**plans[i].values, "owner_id": self.actors["sales"][owner].user_id, "created_at": plans[i].at,
                     "_contacts": [(c.values["name"], c.values["phone"]) for c in plans[i].contacts]} for i in idx]
            for i, cid in zip(idx, self._w("sales", owner).insert_in(s, "customers", rows), strict=True):
                cids[i] = cid
        from crm_core.models import Customer

        codes_by_id = dict(s.execute(Customer.__table__.select().with_only_columns(
            Customer.id, Customer.code).where(Customer.id.in_(cids))).all())
        codes = [codes_by_id[c] for c in cids]
        self._sales_records(s, plans, by_owner, cids, codes)
        self._service_records(s, plans, cids)

    def _by_owner(self, s: Session, module: str, by_owner: dict[int, list[int]], items: Any, *,
                  search: bool = True) -> dict[int, list[int]]:
        """Insert ``items(i)`` -> list of (row) for each customer i, grouped by owner; returns ids per customer."""
        out: dict[int, list[int]] = defaultdict(list)
        for owner, idx in by_owner.items():
            rows, whose = [], []
            for i in idx:
                for row in items(i):
                    rows.append(row)
                    whose.append(i)
            for i, rid in zip(whose, self._w("sales", owner).insert_in(s, module, rows, search=search), strict=True):
                out[i].append(rid)
        return out

    def _sales_records(self, s: Session, plans: list[CustomerPlan], by_owner: dict[int, list[int]],
                       cids: list[int], codes: list[str]) -> None:
        def stamped(item: Any, **extra: Any) -> dict[str, Any]:
            return {**item.values, "created_at": item.at, "updated_at": item.at, **extra}

        owner_id = lambda i: self.actors["sales"][plans[i].owner].user_id  # noqa: E731
        self._by_owner(s, "contacts", by_owner, lambda i: [stamped(c, customer_id=cids[i]) for c in plans[i].contacts],
                       search=False)  # already in the customers' search entries
        contracts = self._by_owner(s, "contracts", by_owner,
                                   lambda i: [stamped(k, customer_id=cids[i]) for k in plans[i].contracts])
        self._by_owner(s, "payments", by_owner, lambda i: [
            stamped(p, contract_id=contracts[i][n], handler=self.actors["sales"][plans[i].owner].name)
            for n, k in enumerate(plans[i].contracts) for p in k.payments])
        products = self._by_owner(s, "products", by_owner, lambda i: [stamped(p, customer_id=cids[i], backup_path=p.values[
            "backup_path"].replace("{code}", codes[i])) for p in plans[i].products])
        licenses = self._by_owner(s, "licenses", by_owner, lambda i: [
            stamped(lic, customer_id=cids[i], product_id=products[i][n])
            for n, p in enumerate(plans[i].products) for lic in p.licenses])
        self._machines(s, plans, licenses)
        self._by_owner(s, "followups", by_owner, lambda i: [stamped(f, customer_id=cids[i], user_id=owner_id(i))
                                                            for f in plans[i].followups])
        self._by_owner(s, "needs", by_owner, lambda i: [stamped(
            n, customer_id=cids[i], owner_id=owner_id(i) if su is None else self.actors["service"][su].user_id)
            for n, su in plans[i].needs])
        self._by_owner(s, "opportunities", by_owner, lambda i: [stamped(o, customer_id=cids[i], owner_id=owner_id(i))
                                                                for o in plans[i].opportunities])
        for owner, idx in by_owner.items():
            steps = [{"customer_id": cids[i], "status": st, "at": at, "note": "签订合同" if st == "won" else None,
                      "contract_number": None if k is None else plans[i].contracts[k].values["number"]}
                     for i in idx for st, at, k in plans[i].statuses]
            self._w("sales", owner).change_status_in(s, steps)

    def _machines(self, s: Session, plans: list[CustomerPlan], licenses: dict[int, list[int]]) -> None:
        """Seats taken by computers, added by the first engineer (``LicenseService.add_machine``)."""
        engineer = self._w("engineer", 0)
        rows, audits, touched = [], [], {}
        for i, p in enumerate(plans):
            for lic_id, lic in zip(licenses[i], [x for prod in p.products for x in prod.licenses], strict=True):
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

    def _service_records(self, s: Session, plans: list[CustomerPlan], cids: list[int]) -> None:
        """Submitters (by the first service user) and tickets (by their service user), then the ticket workflow."""
        rows, whose = [], []
        for i, p in enumerate(plans):
            for sub in p.submitters:
                rows.append({**sub.values, "customer_id": cids[i], "created_at": sub.at, "updated_at": sub.at})
                whose.append(i)
        subs: dict[int, list[int]] = defaultdict(list)
        for i, rid in zip(whose, self._w("service", 0).insert_in(s, "submitters", rows), strict=True):
            subs[i].append(rid)
        emails = {rid: (sub.values.get("email"), sub.values["name"])
                  for i, p in enumerate(plans) for rid, sub in zip(subs[i], p.submitters, strict=True)}
        by_service: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for i, p in enumerate(plans):
            for t in p.tickets:
                by_service[t.service].append((i, t))
        for service, items in by_service.items():
            rows = [{**t.values, "customer_id": cids[i], "created_at": t.at,
                     "submitter_id": None if t.submitter is None else subs[i][t.submitter]} for i, t in items]
            ids = self._w("service", service).insert_in(s, "tickets", rows)
            TicketFlow(self, s).apply([(rid, t, row) for rid, (_, t), row in zip(ids, items, rows, strict=True)], emails)


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
