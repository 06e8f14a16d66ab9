"""Merging two customers that turn out to be one (合并客户), and undoing it.

Administrators and managers (customers DELETE right with scope ALL) merge customer B into
customer A: every business record of B (contacts, contracts, payments, products,
licenses, tickets, submitters, follow-ups, needs, opportunities) moves to A, B is
deactivated with the reason "已合并到 A" and stays as a redirect, and the merge is
recorded (``customer_merges``: what moved, by whom, when) and written to the audit log
on both customers. Undo moves back exactly what moved (records deleted since are gone;
records added to A since stay with A) and reactivates B. B's status history, custom
field values and shares stay with B.

Locks (PostgreSQL), in the order every writer takes them: the two customers in id order
(whatever the direction: two opposite merges of one pair wait for each other, and the
second finds the first's result), then the rows that move, table by table (a contract
before its payments), each table's in id order. The same person (name and phone) on both
customers becomes two contacts on A: the merge goes through, and the twin rule refuses
only writes that make a twin, so either can still be edited or deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import NotFound, PermissionDenied, ValidationError, FieldError
from crm_core.i18n import Text
from crm_core.models import Base, Customer, CustomerMerge
from crm_core.permissions import Action, Scope, rights
from crm_core.permissions_tables import CUSTOMER_LINKS
from crm_core.services.locks import id_order

# History and derived rows stay with their customer; everything else moves.
STAYS = frozenset({"customer_status_changes", "customer_search_grams"})


def moving_tables() -> list[str]:
    """Tables whose rows hang directly off a customer and move with a merge."""
    return sorted(t for t, (column, parent) in CUSTOMER_LINKS.items()
                  if parent == "customers" and column == "customer_id" and t not in STAYS
                  and t in Base.metadata.tables)


class CustomerMergeMixin:
    """``merge``, ``undo_merge`` and ``merges`` for :class:`~crm_core.modules.customers.CustomerService`."""

    def merge(self, keep_id: int, merge_id: int, *, keep_version: int, merge_version: int) -> dict[str, Any]:
        """Merge customer ``merge_id`` into ``keep_id``; returns the kept customer as stored now.

        Raises:
            PermissionDenied: not an administrator or manager.
            ValidationError: the same customer twice, or one of them deactivated.
            ConcurrencyConflict: either was changed since the versions shown.
        """
        self._require_merge_right()
        if keep_id == merge_id:
            raise ValidationError([FieldError("merge_id", "same", Text(
                "合并客户：请选择另一个客户", "Merge: choose another customer"))])
        with self.ctx.db.unit_of_work(write=True) as s:
            keep, gone = self._lock_pair(s, keep_id, merge_id)
            self._check_version(s, keep, keep_version)
            self._check_version(s, gone, merge_version)
            for c in (keep, gone):
                self._ensure_active(c)
            moved: dict[str, list[int]] = {}
            for name in moving_tables():  # (contacts, contracts, ..., payments: a contract before its payments)
                table = Base.metadata.tables[name]
                # Locked in id order before the UPDATE (whose scan may meet them in any order), as every other
                # writer of several rows of a table locks them.
                ids = list(s.scalars(select(table.c.id).where(table.c.customer_id == gone.id)
                                     .order_by(table.c.id).with_for_update(key_share=True)))
                if ids:
                    s.execute(update(table).where(table.c.id.in_(ids)).values(customer_id=keep.id))
                    moved[name] = ids
            before = self._snapshot(gone)
            gone.is_active = False
            gone.deactivated_reason = f"已合并到 {keep.code}（{keep.name}）"
            self._touch(gone)
            self._touch(keep)  # its version moves on: forms showing it reload what it now holds
            s.add(CustomerMerge(kept_id=keep.id, merged_id=gone.id, moved=moved, by_id=self.ctx.actor.user_id))
            counts = {name: len(ids) for name, ids in moved.items()}
            self._audit(s, "merge", keep.id, None, {"merged_id": gone.id, "merged_code": gone.code, "moved": counts})
            self._audit(s, "merged_into", gone.id, before, {**self._snapshot(gone), "kept_id": keep.id})
            s.flush()
            self.refresh_search(s, keep.id)  # the moved contacts are found under the kept customer
            self.refresh_search(s, gone.id)
            self._commit(s, keep)
            return self._records(s, [keep])[0]

    def undo_merge(self, merge_record_id: int) -> dict[str, Any]:
        """Undo merge ``merge_record_id``: move back what moved, reactivate the merged customer.

        Returns:
            The merged customer, active again.
        """
        self._require_merge_right()
        with self.ctx.db.unit_of_work(write=True) as s:
            pair = s.execute(select(CustomerMerge.kept_id, CustomerMerge.merged_id)
                             .where(CustomerMerge.id == merge_record_id)).first() \
                if isinstance(merge_record_id, int) else None
            merge = None
            if pair is not None:  # the customers first (in id order), then the merge's record, as merge() locks
                keep, gone = self._lock_pair(s, *pair)  # (a merge's two customers never change)
                merge = s.get(CustomerMerge, merge_record_id, with_for_update=True)
            if merge is None or merge.undone_at is not None:
                raise NotFound(Text("该合并不存在或已撤销。", "This merge does not exist or was undone already."))
            for name, ids in sorted(merge.moved.items()):
                table = Base.metadata.tables[name]
                # Only what still sits on the kept customer goes back (a record moved on since stays).
                back = list(s.scalars(select(table.c.id).where(table.c.id.in_(ids), table.c.customer_id == keep.id)
                                      .order_by(table.c.id).with_for_update(key_share=True)))
                if back:
                    s.execute(update(table).where(table.c.id.in_(back)).values(customer_id=gone.id))
            before = self._snapshot(gone)
            gone.is_active, gone.deactivated_reason = True, None
            self._touch(gone)
            self._touch(keep)
            merge.undone_at, merge.undone_by_id = utcnow(), self.ctx.actor.user_id
            self._audit(s, "unmerge", gone.id, before, {**self._snapshot(gone), "kept_id": keep.id})
            self._audit(s, "unmerge", keep.id, None, {"merged_id": gone.id})
            s.flush()
            self.refresh_search(s, keep.id)
            self.refresh_search(s, gone.id)
            self._commit(s, gone)
            return self._records(s, [gone])[0]

    def merges(self, customer_id: int) -> list[dict[str, Any]]:
        """Merges this customer took part in, newest first (the kept one's, and its own redirect)."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, customer_id)  # scope
            rows = s.scalars(select(CustomerMerge).where(
                (CustomerMerge.kept_id == customer_id) | (CustomerMerge.merged_id == customer_id))
                .order_by(CustomerMerge.id.desc()))
            out = []
            for m in rows:
                kept, merged = s.get(Customer, m.kept_id), s.get(Customer, m.merged_id)
                out.append({"id": m.id, "kept_id": m.kept_id, "merged_id": m.merged_id,
                            "kept_code": kept.code if kept else None, "kept_name": kept.name if kept else None,
                            "merged_code": merged.code if merged else None,
                            "merged_name": merged.name if merged else None,
                            "moved": {t: len(ids) for t, ids in m.moved.items()}, "at": m.at,
                            "undone": m.undone_at is not None})
            return out

    def _lock_pair(self, s: Session, keep_id: int, merge_id: int) -> tuple[Any, Any]:
        """Both customers, locked in id order (whatever the argument order): a merge of A into B and one of B
        into A at once then wait for each other instead of deadlocking; the second finds the first's result
        (a new version, a deactivated customer). Returns (kept, merged).

        Raises:
            NotFound: either does not exist or is outside the actor's scope.
        """
        first, second = sorted((keep_id, merge_id), key=id_order)
        locked = {first: self._load(s, first, for_update=True)}
        locked[second] = self._load(s, second, for_update=True)
        return locked[keep_id], locked[merge_id]

    def _require_merge_right(self) -> None:
        self._require(Action.DELETE)
        if rights(self.ctx.actor.role).scope is not Scope.ALL:
            raise PermissionDenied(Text("只有管理员或经理可以合并客户。", "Only an administrator or manager can merge customers."))
