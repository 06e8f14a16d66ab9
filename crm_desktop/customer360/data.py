"""What the customer 360° view loads, as plain functions run in the background.

Each function only calls crm_core services (never SQL) and returns plain values;
they run through :func:`crm_desktop.background.run_in_background`, never on the
GUI thread. What the role may not read is left out (None), not asked for: the
services would refuse anyway, and the view shows nothing rather than an error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crm_core.lists import Filter, ListQuery
from crm_core.permissions import Action, rights

OPEN_TICKET_STATUSES = ("open", "in_progress")
EXPIRY_WARNING_DAYS = 30  # licenses ending within this many days are highlighted


def may_read(session: Any, module: str) -> bool:
    """True when the session's role may read ``module``."""
    return rights(session.actor.role).may(module, Action.READ)


def load_figures(session: Any, customer_id: int) -> dict[str, Any]:
    """The customer's key figures, computed from the services' records.

    Returns:
        ``{"contracts": {"count", "total", "received", "outstanding"} | None,
        "licenses": {"licenses", "seats", "seats_used"} | None, "open_tickets": int | None}``;
        None where the role may not read the module. Deactivated contracts do not count.
    """
    of_customer = (Filter("customer_id", "eq", customer_id),)
    figures: dict[str, Any] = {"contracts": None, "licenses": None, "open_tickets": None}
    if may_read(session, "contracts"):
        totals = {"count": 0, "total": Decimal("0"), "received": Decimal("0"), "outstanding": Decimal("0")}
        after = None
        while True:  # a customer has a handful of contracts; paged anyway, never unbounded
            page = session.contracts.list(ListQuery(filters=of_customer, after=after, limit=500,
                                                    include_inactive=False))
            for contract in page.rows:
                totals["count"] += 1
                totals["total"] += Decimal(str(contract.get("amount") or 0))
                totals["received"] += Decimal(str(contract.get("received") or 0))
                totals["outstanding"] += Decimal(str(contract.get("outstanding") or 0))
            if page.next_cursor is None:
                break
            after = page.next_cursor
        figures["contracts"] = totals
    if may_read(session, "licenses"):
        figures["licenses"] = session.licenses.summary_by_customer(customer_id)
    if may_read(session, "tickets"):
        figures["open_tickets"] = session.tickets.count(ListQuery(
            filters=of_customer + (Filter("status", "in", list(OPEN_TICKET_STATUSES)),), include_inactive=False))
    return figures


def load_history(session: Any, customer_id: int) -> dict[str, Any]:
    """The status history (oldest first) and, when the role may read the log, the audit entries.

    Returns:
        ``{"status": [...], "audit": [...] | None}``; audit newest first, at most 200 entries.
    """
    history: dict[str, Any] = {"status": session.customers.status_history(customer_id), "audit": None}
    if may_read(session, "audit"):
        history["audit"] = session.audit.list(module="customers", record_id=customer_id, limit=200).rows
    return history


def expiry_state(license_record: dict[str, Any], today: dt.date | None = None) -> str | None:
    """"expired", "expiring" (within :data:`EXPIRY_WARNING_DAYS`) or None for a license record."""
    until = license_record.get("valid_until")
    if license_record.get("expired"):
        return "expired"
    if not isinstance(until, dt.date):
        return None
    today = today or dt.date.today()
    if until < today:
        return "expired"
    if (until - today).days <= EXPIRY_WARNING_DAYS:
        return "expiring"
    return None
