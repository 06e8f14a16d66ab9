"""产品授权: licenses, the machines that use their seats, and trials that expire after 30 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ErrorCollector, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import License, LicensedMachine, Product
from crm_core.permissions import Action
from crm_core.services.codes import office_today
from crm_core.services.entity import EntityService

TRIAL_DAYS = 30

SPEC = EntitySpec(
    module="licenses",
    label=Text("产品授权", "License"),
    model=License,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("product_id", Text("产品", "Product"), T.REF, ref="products"),
        Field("serial", Text("授权序列号", "Serial number"), required=True, max_length=60),
        Field("seats", Text("购买授权个数", "Seats purchased"), T.INTEGER, required=True, min_value=1, max_value=100000),
        Field("valid_from", Text("生效日期", "Valid from"), T.DATE, required=True),
        Field("valid_until", Text("到期日期", "Valid until"), T.DATE),
        Field("is_trial", Text("试用授权", "Trial"), T.BOOL),
        Field("notes", Text("备注", "Notes"), max_length=500, in_grid=False),
    ),
    title_field="serial",
    # Served by an index for every reader (migration 0014; docs/performance.md, "branch sortsales").
    grid_sorts=("customer_id", "serial", "valid_until", "id"),
    unique=("serial",),
    default_sort="valid_until",
    search_fields=("serial",),
)


class LicenseService(EntityService):
    spec = SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["is_trial"] = bool(full.get("is_trial"))
        if full["is_trial"] and full.get("valid_from") and full.get("valid_until") is None:
            full["valid_until"] = full["valid_from"] + dt.timedelta(days=TRIAL_DAYS)

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        start, end = values.get("valid_from"), values.get("valid_until")
        if start and end and end < start:
            errors.add("valid_until", "date_order", Text("到期日期：不能早于生效日期", "Valid until: cannot be before valid from"))
        if values.get("is_trial") and start and end != start + dt.timedelta(days=TRIAL_DAYS):
            errors.add("valid_until", "trial_days", Text(
                f"到期日期：试用授权固定为 {TRIAL_DAYS} 天，应为 {start + dt.timedelta(days=TRIAL_DAYS)}",
                f"Valid until: a trial runs exactly {TRIAL_DAYS} days, so it must be {start + dt.timedelta(days=TRIAL_DAYS)}"))
        product_id = values.get("product_id")
        if product_id is not None:
            product = s.get(Product, product_id)
            if product is not None and product.customer_id != values.get("customer_id"):
                errors.add("product_id", "other_customer", Text("产品：不属于该客户", "Product: belongs to another customer"))
        if obj is not None and values.get("seats") is not None:
            used = _used(s, obj.id)
            if values["seats"] < used:
                errors.add("seats", "below_used", Text(f"购买授权个数：已有 {used} 台电脑在使用，不能少于 {used}",
                                                       f"Seats purchased: {used} machines use it, so at least {used}"))

    def _records(self, s: Session, objs: list[Any]) -> list[dict[str, Any]]:
        records = super()._records(s, objs)
        ids = [r["id"] for r in records]
        used = dict(s.execute(select(LicensedMachine.license_id, func.count()).where(
            LicensedMachine.license_id.in_(ids), LicensedMachine.is_active.is_(True))
            .group_by(LicensedMachine.license_id)).all()) if ids else {}
        today = office_today()
        for r in records:
            r["seats_used"] = used.get(r["id"], 0)
            r["expired"] = r["valid_until"] is not None and r["valid_until"] < today
        return records

    # --- machines ---------------------------------------------------------

    def add_machine(self, license_id: int, machine_name: str, fingerprint: str) -> dict[str, Any]:
        """Give one seat to a computer; never more active machines than seats.

        The license row is locked first, so two clients adding the last seat at
        the same moment cannot both succeed.
        """
        self._require(Action.UPDATE)
        name, fp = (machine_name or "").strip(), (fingerprint or "").strip()
        problems = []
        if not name or len(name) > 100:
            problems.append(FieldError("machine_name", "required", Text("电脑名称：不能为空，最多 100 个字符",
                                                                        "Machine name: required, at most 100 characters")))
        if not fp or len(fp) > 128:
            problems.append(FieldError("fingerprint", "required", Text("机器指纹：不能为空，最多 128 个字符",
                                                                       "Fingerprint: required, at most 128 characters")))
        if problems:
            raise ValidationError(problems)
        with self.ctx.db.unit_of_work(write=True) as s:
            lic = self._load(s, license_id, for_update=True)
            self._ensure_active(lic)
            if lic.valid_until is not None and lic.valid_until < office_today():
                raise ValidationError([FieldError("license_id", "expired", Text(
                    f"授权已于 {lic.valid_until} 到期，不能再添加电脑", f"The license expired on {lic.valid_until}; no machines can be added"))])
            existing = s.scalar(select(LicensedMachine).where(LicensedMachine.license_id == lic.id,
                                                              LicensedMachine.fingerprint == fp))
            if existing is not None and existing.is_active:
                raise ValidationError([FieldError("fingerprint", "duplicate", Text(
                    "机器指纹：这台电脑已在使用该授权", "Fingerprint: this computer already uses the license"))])
            used = _used(s, lic.id)
            if used >= lic.seats:
                raise ValidationError([FieldError("seats", "seats_full", Text(
                    f"授权个数已用完（{used}/{lic.seats}），请先释放一台电脑或增加授权个数",
                    f"All {lic.seats} seats are in use ({used}/{lic.seats}); release a machine or buy more seats"))])
            if existing is not None:
                existing.is_active, existing.machine_name, existing.released_at = True, name, None
                existing.activated_at = utcnow()
                machine = existing
            else:
                machine = LicensedMachine(license_id=lic.id, machine_name=name, fingerprint=fp)
                s.add(machine)
            self._touch(lic)
            try:
                s.flush()
            except IntegrityError:
                raise ValidationError([FieldError("fingerprint", "duplicate", Text(
                    "机器指纹：这台电脑已在使用该授权", "Fingerprint: this computer already uses the license"))]) from None
            self._audit(s, "add_machine", lic.id, None, {"machine_name": name, "fingerprint": fp})
            self._commit(s, lic)
            return _machine_record(machine)

    def release_machine(self, machine_id: int) -> None:
        """Free the seat a computer used."""
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            machine = s.get(LicensedMachine, machine_id)
            lic = self._load(s, machine.license_id if machine else -1, for_update=True)
            if machine.is_active:
                machine.is_active, machine.released_at = False, utcnow()
                self._touch(lic)
                self._audit(s, "release_machine", lic.id, {"machine_name": machine.machine_name,
                                                           "fingerprint": machine.fingerprint}, None)
            self._commit(s, lic)

    def machines(self, license_id: int, *, include_released: bool = False) -> list[dict[str, Any]]:
        """The computers of a license."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, license_id)
            stmt = select(LicensedMachine).where(LicensedMachine.license_id == license_id)
            if not include_released:
                stmt = stmt.where(LicensedMachine.is_active.is_(True))
            return [_machine_record(m) for m in s.scalars(stmt.order_by(LicensedMachine.id))]

    def summary_by_customer(self, customer_id: int) -> dict[str, Any]:
        """How many licenses and seats a customer bought, and how many seats are used.

        ``licenses``/``seats``/``seats_used`` count every active license;
        ``current_seats``/``current_seats_used`` only those valid today (started,
        not expired), which is what the customer can use now.
        """
        self._require(Action.READ)
        today = office_today()
        current = and_(License.valid_from <= today, or_(License.valid_until.is_(None), License.valid_until >= today))
        with self.ctx.db.unit_of_work(write=False) as s:
            self.ctx.services.customers._load(s, customer_id)
            mine = and_(License.customer_id == customer_id, License.is_active.is_(True))
            n, seats, current_seats = s.execute(select(
                func.count(), func.coalesce(func.sum(License.seats), 0),
                func.coalesce(func.sum(case((current, License.seats), else_=0)), 0)).where(mine)).one()
            used, current_used = s.execute(
                select(func.count(), func.coalesce(func.sum(case((current, 1), else_=0)), 0))
                .select_from(LicensedMachine).join(License)
                .where(mine, LicensedMachine.is_active.is_(True))).one()
            return {"licenses": int(n), "seats": int(seats), "seats_used": int(used or 0),
                    "current_seats": int(current_seats), "current_seats_used": int(current_used or 0)}


def _used(s: Session, license_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(LicensedMachine).where(
        LicensedMachine.license_id == license_id, LicensedMachine.is_active.is_(True))) or 0)


def _machine_record(m: LicensedMachine) -> dict[str, Any]:
    return {"id": m.id, "license_id": m.license_id, "machine_name": m.machine_name, "fingerprint": m.fingerprint,
            "is_active": m.is_active, "activated_at": m.activated_at, "released_at": m.released_at}
