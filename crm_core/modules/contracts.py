"""合同 and 回款: contracts with their files, and the payments received against them."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm_core.errors import ErrorCollector, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import Contract, ContractAttachment, Payment
from crm_core.modules.choices import DELIVERY_STATUS
from crm_core.permissions import Action
from crm_core.services.entity import EntityService
from crm_core.services.locks import lock_parents

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

def _too_large(size: int) -> FieldError:
    mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    return FieldError("file", "too_large", Text(f"附件：文件大小 {size / 1048576:.1f} MB，超过上限 {mb} MB",
                                                f"Attachment: the file is {size / 1048576:.1f} MB, over the {mb} MB limit"))


def read_attachment_file(path: str | os.PathLike[str]) -> bytes:
    """The content of a file to attach; one over the 20 MB limit is refused before it is read whole.

    Raises:
        ValidationError: the file is too large (its size is named).
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise ValidationError([_too_large(size)])
        data = fh.read(MAX_ATTACHMENT_BYTES + 1)  # never more, even if the file grows meanwhile
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError([_too_large(len(data))])
    return data


SPEC = EntitySpec(
    module="contracts",
    label=Text("合同", "Contract"),
    model=Contract,
    fields=(
        Field("number", Text("合同编号", "Contract number"), required=True, max_length=40),
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("title", Text("合同名称", "Title"), max_length=200),
        Field("signed_on", Text("签订日期", "Signed on"), T.DATE, required=True),
        Field("ends_on", Text("截止日期", "Ends on"), T.DATE),
        Field("payment_due_on", Text("付款日期", "Payment due"), T.DATE),
        Field("amount", Text("合同金额", "Amount"), T.MONEY, required=True),
        Field("party_a", Text("甲方", "Party A"), max_length=200, in_grid=False),
        Field("party_b", Text("乙方", "Party B"), max_length=200, in_grid=False),
        Field("delivery_status", Text("交付状态", "Delivery"), T.CHOICE, choices=DELIVERY_STATUS),
        Field("delivered_on", Text("交付日期", "Delivered on"), T.DATE, in_grid=False),
        Field("notes", Text("备注", "Notes"), T.MULTILINE, max_length=2000, in_grid=False),
    ),
    title_field="number",
    # Served by an index for every reader (migration 0014; docs/performance.md, "branch sortsales").
    grid_sorts=("number", "customer_id", "signed_on", "amount", "id"),
    unique=("number",),
    search_fields=("number", "title", "party_a", "party_b"),
)


class ContractService(EntityService):
    spec = SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["delivery_status"] = full.get("delivery_status") or "pending"

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        signed, ends, due = values.get("signed_on"), values.get("ends_on"), values.get("payment_due_on")
        if signed and ends and ends < signed:
            errors.add("ends_on", "date_order", Text("截止日期：不能早于签订日期", "Ends on: cannot be before the signing date"))
        if signed and due and due < signed:
            errors.add("payment_due_on", "date_order", Text("付款日期：不能早于签订日期", "Payment due: cannot be before the signing date"))
        if values.get("delivered_on") and signed and values["delivered_on"] < signed:
            errors.add("delivered_on", "date_order", Text("交付日期：不能早于签订日期", "Delivered on: cannot be before the signing date"))

    def _rules_with_others(self, s: Session, items: list[tuple[Any | None, dict[str, Any]]], *,
                           lock: bool = True) -> list[FieldError]:
        # A changed contract against its payments: the amount not below what they total, no move to another
        # customer once it has any. Decided under the contract's own lock (FOR NO KEY UPDATE, the update's):
        # every write of a payment locks its contract FOR UPDATE before it writes (PaymentService's
        # _rules_with_others, run in its write transaction by the single save, BulkWriter.write_update and
        # BulkWriter.write_staged, hence by the importer), so none lands between this count and the write.
        # (A payment's insert alone takes only FOR KEY SHARE on the contract, which that lock does not hold off;
        # checks in read sessions, the importer's and BulkWriter's stages, run the rule without locks and
        # decide nothing.)
        figures = _payment_figures(s, [obj.id for obj, _ in items if obj is not None])
        out: list[FieldError] = []
        for i, (obj, values) in enumerate(items):
            if obj is None:
                continue
            count, received = figures.get(obj.id, (0, Decimal("0.00")))
            if values.get("customer_id") != obj.customer_id and count:
                out.append(FieldError("customer_id", "has_payments", Text(
                    "客户：合同已有回款，不能改到其他客户名下",
                    "Customer: the contract has payments and cannot move to another customer"), row=i))
            if values.get("amount") is not None and values["amount"] < received:
                out.append(FieldError("amount", "below_received", Text(
                    f"合同金额：{values['amount']} 不能小于已回款 {received}",
                    f"Amount: {values['amount']} cannot be less than the {received} already received"), row=i))
        return out

    def _records(self, s: Session, objs: list[Any]) -> list[dict[str, Any]]:
        records = super()._records(s, objs)
        ids = [r["id"] for r in records]
        sums = dict(s.execute(select(Payment.contract_id, func.sum(Payment.amount)).where(
            Payment.contract_id.in_(ids), Payment.is_active.is_(True)).group_by(Payment.contract_id)).all()) if ids else {}
        counts = dict(s.execute(select(ContractAttachment.contract_id, func.count()).where(
            ContractAttachment.contract_id.in_(ids)).group_by(ContractAttachment.contract_id)).all()) if ids else {}
        for r in records:
            r["received"] = sums.get(r["id"]) or Decimal("0.00")
            r["outstanding"] = r["amount"] - r["received"]
            r["attachment_count"] = counts.get(r["id"], 0)
        return records

    def record_payment(self, contract_id: int, values: dict[str, Any]) -> dict[str, Any]:
        """Record a payment received (回款) against a contract; see :class:`PaymentService`."""
        return self.ctx.services.payments.create({**values, "contract_id": contract_id})

    # --- attachments ------------------------------------------------------

    def add_attachment(self, contract_id: int, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """Store a file (scanned contract, PDF) in the database with the contract.

        Raises:
            ValidationError: empty file, or larger than 20 MB.
        """
        self._require(Action.UPDATE)
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        problems = []
        if not name or len(name) > 255:
            problems.append(FieldError("filename", "filename", Text("文件名：无效", "File name: is not valid")))
        if not data:
            problems.append(FieldError("file", "empty", Text("附件：文件是空的", "Attachment: the file is empty")))
        elif len(data) > MAX_ATTACHMENT_BYTES:
            problems.append(_too_large(len(data)))
        if content_type is not None and len(content_type) > 100:  # the column's size (PostgreSQL enforces it)
            problems.append(FieldError("content_type", "too_long", Text("文件类型：不能超过 100 个字符",
                                                                        "Content type: at most 100 characters")))
        if problems:
            raise ValidationError(problems)
        with self.ctx.db.unit_of_work(write=True) as s:
            contract = self._load(s, contract_id, for_update=True)
            self._ensure_active(contract)
            att = ContractAttachment(contract_id=contract.id, filename=name,
                                     content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
                                     size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                                     uploaded_by_id=self.ctx.actor.user_id)
            s.add(att)
            s.flush()
            self._audit(s, "attach", contract.id, None, {"attachment": name, "size": len(data), "sha256": att.sha256})
            self._commit(s)
            return _attachment_record(att)

    def attachments(self, contract_id: int) -> list[dict[str, Any]]:
        """The contract's files (without their content)."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, contract_id)
            return [_attachment_record(a) for a in s.scalars(select(ContractAttachment).where(
                ContractAttachment.contract_id == contract_id).order_by(ContractAttachment.id))]

    def attachment_data(self, attachment_id: int) -> bytes:
        """The content of one file (for open / save as)."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            att = s.get(ContractAttachment, attachment_id)
            self._load(s, att.contract_id if att else -1)
            return att.data

    def remove_attachment(self, attachment_id: int) -> None:
        """Delete one file of a contract."""
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            att = s.get(ContractAttachment, attachment_id)
            contract = self._load(s, att.contract_id if att else -1, for_update=True)
            self._ensure_active(contract)
            self._audit(s, "detach", contract.id, {"attachment": att.filename, "sha256": att.sha256}, None)
            s.delete(att)
            self._commit(s)


def _attachment_record(a: ContractAttachment) -> dict[str, Any]:
    return {"id": a.id, "contract_id": a.contract_id, "filename": a.filename, "content_type": a.content_type,
            "size": a.size, "sha256": a.sha256, "uploaded_at": a.uploaded_at, "uploaded_by_id": a.uploaded_by_id}


def _payment_figures(s: Session, contract_ids: list[int], *,
                     excluding: list[int] = ()) -> dict[int, tuple[int, Decimal]]:
    """Contract id -> (how many payments it has, what its active payments total), for these contracts (those
    without payments left out); ``excluding``: payments left out of both. One query per thousand contracts."""
    out: dict[int, tuple[int, Decimal]] = {}
    active = func.sum(case((Payment.is_active.is_(True), Payment.amount)))
    skip = sorted(set(excluding))
    for i in range(0, len(contract_ids), 1000):
        stmt = (select(Payment.contract_id, func.count(), active)
                .where(Payment.contract_id.in_(contract_ids[i:i + 1000])).group_by(Payment.contract_id))
        if skip:
            stmt = stmt.where(Payment.id.not_in(skip))
        for cid, count, received in s.execute(stmt):
            out[cid] = (count, received or Decimal("0.00"))
    return out


PAYMENT_SPEC = EntitySpec(
    module="payments",
    label=Text("回款", "Payment"),
    model=Payment,
    fields=(
        Field("contract_id", Text("合同", "Contract"), T.REF, ref="contracts", required=True),
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", read_only=True),
        Field("received_on", Text("回款日期", "Received on"), T.DATE, required=True),
        Field("amount", Text("回款金额", "Amount"), T.MONEY, required=True),
        Field("method", Text("付款方式", "Method"), T.CHOICE, dictionary="payment_method"),
        Field("handler", Text("经手人", "Handled by"), max_length=50),
        Field("account", Text("收款账户", "Account"), max_length=100),
        Field("notes", Text("备注", "Notes"), max_length=500, in_grid=False),
    ),
    title_field="received_on",
    default_sort="-received_on",
    grid_sorts=("contract_id", "customer_id", "received_on", "amount", "id"),
    search_fields=("handler", "account", "notes"),
    # Handled by and the receiving account: bookkeeping details, in the form.
    secondary_columns=("handler", "account"),
    # A payment has no number: a row with the contract, date and amount of one recorded is that one again
    # (a re-imported sheet would otherwise double the contract's received figures).
    repeats=("contract_id", "received_on", "amount"),
)


class PaymentService(EntityService):
    spec = PAYMENT_SPEC
    rules_with_others_by = "contract_id"  # a payment is decided against its contract's payments only

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        if obj is not None and values.get("contract_id") != obj.contract_id:
            errors.add("contract_id", "read_only", Text("合同：回款不能改到其他合同", "Contract: a payment cannot move to another contract"))

    def _rules_with_others(self, s: Session, items: list[tuple[Any | None, dict[str, Any]]], *,
                           lock: bool = True) -> list[FieldError]:
        # Against the contract: within what it still has outstanding, not before it was signed. Through the
        # contracts' row scope (an unseen contract's figures must not leak into messages), and the contracts
        # locked FOR UPDATE, so that two payments entered at once cannot together exceed one, nor a contract's
        # amount be lowered meanwhile below them (its update holds FOR NO KEY UPDATE, which this waits for).
        wanted = sorted({v["contract_id"] for _, v in items if isinstance(v.get("contract_id"), int)})
        if not wanted:
            return []
        contracts: dict[int, tuple[Decimal, Any]] = {}
        for i in range(0, len(wanted), 1000):  # in id order, a thousand at a time: concurrent lockers never deadlock
            stmt = select(Contract.id, Contract.amount, Contract.signed_on).where(
                Contract.id.in_(wanted[i:i + 1000]), self.ctx.services.contracts._scope_condition()).order_by(Contract.id)
            contracts.update((cid, (amount, signed)) for cid, amount, signed in s.execute(
                stmt.with_for_update() if lock else stmt))
        # What each contract has received apart from the payments checked here; then, item by item, these
        # payments at their current amounts (their new ones once checked: one update after another).
        mine = [obj.id for obj, _ in items if obj is not None]
        received = {cid: total for cid, (_, total) in _payment_figures(s, list(contracts), excluding=mine).items()}
        current = [obj.amount if obj is not None and obj.is_active and obj.contract_id in contracts else Decimal("0")
                   for obj, _ in items]
        for (obj, _), amount in zip(items, current, strict=True):
            if amount:
                received[obj.contract_id] = received.get(obj.contract_id, Decimal("0.00")) + amount
        out: list[FieldError] = []
        for i, (obj, values) in enumerate(items):
            contract = contracts.get(values.get("contract_id"))
            if contract is None:
                continue
            cid, amount, (total, signed) = values["contract_id"], values.get("amount"), contract
            mine_now = current[i] if obj is not None and obj.contract_id == cid else 0
            others = received.get(cid, Decimal("0.00")) - mine_now
            fits = True
            if amount is not None and amount <= 0:
                fits = False
                out.append(FieldError("amount", "not_positive", Text("回款金额：必须大于 0", "Amount: must be more than 0"),
                                      row=i))
            elif amount is not None and others + amount > total:
                fits = False
                out.append(FieldError("amount", "over_contract", Text(
                    f"回款金额：超出合同未回款余额 {total - others}",
                    f"Amount: more than the {total - others} still outstanding on the contract"), row=i))
            if values.get("received_on") and signed and values["received_on"] < signed:
                fits = False
                out.append(FieldError("received_on", "date_order", Text(
                    "回款日期：不能早于合同签订日期", "Received on: cannot be before the contract was signed"), row=i))
            if fits and amount is not None and (obj is None or obj.contract_id == cid):
                received[cid] = others + amount  # the next payment of this contract sees this one (new or changed)
                current[i] = amount
        return out

    def _lock_before_records(self, s: Session, record_ids: list[int], changes: list[dict[str, Any]] = ()) -> None:
        # Their contracts first (FOR UPDATE, in id order), as a new payment's save and a merge (which moves a
        # customer's contracts before its payments) lock them: the rule would lock the contract after the payment.
        # Not movable: a payment never changes contract (_validate refuses it, a merge moves whole contracts).
        lock_parents(s, Payment, Payment.contract_id, Contract, record_ids,
                     scope=self.ctx.services.contracts._scope_condition(), key_share=False, movable=False)

    def _before_insert(self, s: Session, obj: Payment, values: dict[str, Any]) -> None:
        obj.customer_id = s.get(Contract, obj.contract_id).customer_id

    def _on_reactivate(self, s: Session, obj: Payment) -> None:
        # A payment counts again: the contract may meanwhile be covered by other payments.
        errors = ErrorCollector()
        with s.no_autoflush:  # one flush at commit: the version goes up by one, as for any change
            for e in self._rules_with_others(s, [(obj, {"contract_id": obj.contract_id, "amount": obj.amount})]):
                errors.add(e.field, e.code, e.message)
        errors.raise_if_any()
