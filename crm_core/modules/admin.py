"""Admin modules: software users (软件用户), data dictionary (数据字典), custom fields, operation log."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ErrorCollector, FieldError, InUse, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T, choices
from crm_core.models import AuditEntry, CustomFieldDefinition, CustomFieldValue, DictionaryEntry, User
from crm_core.passwords import check_policy, hash_password
from crm_core.permissions import ROLES, Action
from crm_core.services import logins, trail
from crm_core.services.entity import EntityService
from crm_core.services.masked import database_auth
from crm_core.services.query import Page


def errors_on(errors: ErrorCollector, field: str, code: str) -> bool:
    """True when ``errors`` already holds a ``code`` problem of ``field`` (so it is not reported twice)."""
    return any(e.field == field and e.code == code for e in errors.errors)


ROLE_CHOICES = tuple(choices(*((r.code, r.name_zh, r.name_en) for r in ROLES.values())))
# Key of the advisory lock that serialises every change able to remove an administrator ("CRMADMIN").
LAST_ADMIN_LOCK = 0x43524D41444D494E
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,49}$")

USER_SPEC = EntitySpec(
    module="users",
    label=Text("用户", "User"),
    model=User,
    fields=(
        Field("login", Text("登录名", "Login name"), required=True, max_length=50),
        Field("name", Text("姓名", "Name"), required=True, max_length=50),
        Field("role", Text("账户权限", "Role"), T.CHOICE, choices=ROLE_CHOICES, required=True),
        Field("age", Text("年龄", "Age"), T.INTEGER, min_value=16, max_value=100, in_grid=False, sensitive="private"),
        Field("position", Text("职位", "Position"), max_length=50),
        Field("phone", Text("电话", "Phone"), T.PHONE, required=True, max_length=30, sensitive="phone"),
        Field("email", Text("邮箱", "Email"), T.EMAIL, max_length=254),
        Field("home_address", Text("家庭住址", "Home address"), max_length=200, in_grid=False, personal=True,
              sensitive="private"),
        Field("years_of_work", Text("工作年限", "Years of work"), T.INTEGER, min_value=0, max_value=60, in_grid=False,
              sensitive="private"),
        Field("language", Text("界面语言", "Language"), T.CHOICE, in_grid=False,
              choices=choices(("zh_CN", "简体中文", "Chinese (Simplified)"), ("en", "English", "English"))),
        Field("last_login_at", Text("最近登录", "Last sign-in"), T.DATETIME, read_only=True),
    ),
    title_field="name",
    unique=("login",),
    default_sort="login",
    search_fields=("login", "name", "email"),
)


class UserService(EntityService):
    """User accounts. ``create`` takes a ``password``; ``set_password`` resets it.

    In database-auth mode (PostgreSQL, users sign in with their own database
    login) the password is the login role's, managed through the server's
    account functions (:mod:`crm_core.services.logins`) in the same
    transaction as the users row, whose ``password_hash`` stays empty.
    """

    spec = USER_SPEC

    def create(self, values: dict[str, Any], *, login_keeps_password: bool = False) -> dict[str, Any]:
        """Add a user; ``values["password"]`` is checked against the policy.

        ``login_keeps_password``: the caller makes his database login with that password itself
        (the server setup, :func:`crm_core.pgsecurity.setup.add_user`, connected as a superuser):
        no hash is written, as in database-auth mode. Otherwise the password is hashed unless the
        session is database-auth (the login is made here, in the same transaction).
        """
        self._require(Action.CREATE)  # before looking at the password: a non-admin learns nothing
        values = dict(values)
        password = values.pop("password", None)
        problems: list[FieldError] = []
        if password is None:
            problems.append(FieldError("password", "required", Text("密码：不能为空", "Password: is required")))
        else:
            try:
                check_policy(password)
            except ValidationError as exc:
                problems = exc.errors
        # Hashed outside the write transaction (argon2 is slow on purpose); the problems are
        # reported together with the other fields' so that the form shows them all at once.
        in_database = not problems and not login_keeps_password and self._database_auth()
        no_hash = bool(problems) or in_database or login_keeps_password
        values["_password"] = (problems, None if no_hash else hash_password(password),
                               password if in_database else None)
        return super().create(values)

    def _database_auth(self) -> bool:
        with self.ctx.db.unit_of_work(write=False) as s:
            return database_auth(s)

    def _create_in(self, s: Session, values: dict[str, Any]) -> Any:
        problems, password_hash, login_password = values.pop("_password")
        try:
            obj = super()._create_in(s, values)
        except ValidationError as exc:
            raise ValidationError(problems + exc.errors) from None
        if problems:
            raise ValidationError(problems)
        obj.password_hash, obj.password_changed_at = password_hash, utcnow()
        if login_password is not None:
            logins.create(s, obj.login, login_password, obj.role)
        return obj

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        login = values.get("login")
        if login and not LOGIN_RE.match(login):
            errors.add("login", "login_format", Text("登录名：2–50 个字母、数字或 . _ @ -，以字母或数字开头",
                                                     "Login name: 2–50 letters, digits or . _ @ -, starting with a letter or digit"))
        elif login and obj is None and not errors_on(errors, "login", "duplicate") and \
                s.scalar(select(User.id).where(func.lower(User.login) == login.lower())):
            errors.add("login", "duplicate", Text(f"登录名：“{login}”已被使用", f"Login name: '{login}' is already taken"))
        if login and obj is None and logins.is_reserved(login) and database_auth(s):
            errors.add("login", "reserved", logins.RESERVED)
        if obj is not None and login != obj.login:
            errors.add("login", "read_only", Text("登录名：创建后不能修改", "Login name: cannot be changed once created"))
        if obj is not None and obj.role == "admin" and values.get("role") != "admin":
            self._keep_an_admin(s, obj)

    def set_password(self, user_id: int, password: str) -> None:
        """Admin: reset a user's password."""
        self._require(Action.ADMIN)
        check_policy(password)
        with self.ctx.db.unit_of_work(write=True) as s:
            user = self._load(s, user_id, for_update=True)
            if database_auth(s):
                logins.set_password(s, user.login, password)
            else:
                user.password_hash = hash_password(password)
            user.password_changed_at = utcnow()
            self._touch(user)
            self._audit(s, "reset_password", user.id, None, {"password": "***"})
            self._commit(s, user)

    def _on_deactivate(self, s: Session, obj: User) -> None:
        if obj.id == self.ctx.actor.user_id:
            raise PermissionDenied(Text("不能停用自己的账户。", "You cannot deactivate your own account."))
        if obj.role == "admin":
            self._keep_an_admin(s, obj)
        if database_auth(s):
            logins.set_enabled(s, obj.login, False)

    def _on_reactivate(self, s: Session, obj: User) -> None:
        if database_auth(s):
            logins.set_enabled(s, obj.login, True)

    def _after_write(self, s: Session, obj: User, changed: dict[str, Any]) -> None:
        # On create ``changed`` is the whole record (login included) and the login does not exist yet.
        if "role" in changed and "login" not in changed and database_auth(s):
            logins.set_role(s, obj.login, obj.role)

    def _before_delete(self, s: Session, obj: User) -> None:
        if obj.id == self.ctx.actor.user_id:
            raise PermissionDenied(Text("不能删除自己的账户。", "You cannot delete your own account."))
        if obj.role == "admin" and obj.is_active:
            self._keep_an_admin(s, obj)
        if database_auth(s):
            logins.drop(s, obj.login)

    def _keep_an_admin(self, s: Session, obj: User) -> None:
        # Two administrators demoting each other at once each lock only their own target row,
        # and under READ COMMITTED each would count the other as still an administrator.
        # One transaction-scoped lock for every change that can remove an administrator puts
        # them in line; the count, a new statement, then sees what the first one committed.
        # (SQLite writers are already in line: BEGIN IMMEDIATE.)
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LAST_ADMIN_LOCK})
        others = s.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.is_active.is_(True), User.id != obj.id))
        if not others:
            raise ValidationError([FieldError("role", "last_admin", Text(
                "账户权限：这是最后一个有效的系统管理员，不能取消或停用", "Role: this is the last active administrator"))])

    def _require(self, action: Action) -> None:
        # Everyone may read the user list (names for owner pickers); changing it is admin work.
        super()._require(Action.READ if action is Action.READ else Action.ADMIN)


DICTIONARY_CATEGORIES: dict[str, Text] = {
    "company_category": Text("公司类别", "Company categories"),
    "customer_type": Text("客户类型", "Customer types"),
    "industry": Text("所属行业", "Industries"),
    "source": Text("客户来源", "Customer sources"),
    "followup_method": Text("跟进方式", "Follow-up methods"),
    "severity": Text("问题级别", "Severities"),
    "payment_method": Text("付款方式", "Payment methods"),
}

def internal_name(label_en: Any, taken: set[str], fallback: str) -> str:
    """A code made from an English label ("Joint stock" -> "joint_stock"), unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", str(label_en or "").lower()).strip("_")[:30]
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}".rstrip("_") if base else fallback
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


DICTIONARY_SPEC = EntitySpec(
    module="dictionary",
    label=Text("字典项", "Dictionary entry"),
    model=DictionaryEntry,
    fields=(
        Field("category", Text("类别", "Category"), T.CHOICE, required=True,
              choices=tuple(choices(*((k, v.zh, v.en) for k, v in DICTIONARY_CATEGORIES.items())))),
        # Records store the code; people see the labels. Left empty, it is made from the English label.
        Field("code", Text("内部代码（可留空）", "Internal code (optional)"), max_length=40, in_grid=False),
        Field("label_zh", Text("中文名称", "Chinese label"), required=True, max_length=100),
        Field("label_en", Text("英文名称", "English label"), required=True, max_length=100),
        Field("sort_order", Text("排序", "Order"), T.INTEGER),
    ),
    title_field="label_zh",
    default_sort="category",
    search_fields=("code", "label_zh", "label_en"),
)


class DictionaryService(EntityService):
    spec = DICTIONARY_SPEC

    def _require(self, action: Action) -> None:
        super()._require(Action.READ if action is Action.READ else Action.ADMIN)

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        if obj is not None and (values.get("code") != obj.code or values.get("category") != obj.category):
            errors.add("code", "read_only", Text("代码：创建后不能修改（记录中保存的是代码）",
                                                 "Code: cannot change once created (records store it)"))
        elif obj is None and s.scalar(select(DictionaryEntry.id).where(
                DictionaryEntry.category == values.get("category"), DictionaryEntry.code == values.get("code"))):
            errors.add("code", "duplicate", Text("代码：该类别中已存在", "Code: already exists in this category"))

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["sort_order"] = full.get("sort_order") or 0
        if not full.get("code"):
            taken = set(s.scalars(select(DictionaryEntry.code).where(DictionaryEntry.category == full.get("category"))))
            full["code"] = internal_name(full.get("label_en"), taken, "item")

    def codes(self, s: Session, category: str) -> set[str]:
        """Active codes of a category (cached for the unit of work)."""
        cache = s.info.setdefault("dictionary_codes", {})
        if category not in cache:
            cache[category] = set(s.scalars(select(DictionaryEntry.code).where(
                DictionaryEntry.category == category, DictionaryEntry.is_active.is_(True))))
        return cache[category]

    def entries(self, category: str | None = None) -> list[dict[str, Any]]:
        """Every entry (of one category), in display order: what pickers and filters offer."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            stmt = select(DictionaryEntry).order_by(DictionaryEntry.category, DictionaryEntry.sort_order, DictionaryEntry.id)
            if category:
                stmt = stmt.where(DictionaryEntry.category == category)
            return self._records(s, list(s.scalars(stmt)))

    def _before_delete(self, s: Session, obj: DictionaryEntry) -> None:
        self._check_usage(s, obj)

    def _check_usage(self, s: Session, obj: DictionaryEntry) -> None:
        from crm_core.modules import SPECS

        for spec in SPECS.values():
            for f in spec.fields:
                if f.dictionary == obj.category:
                    n = s.scalar(select(func.count()).select_from(spec.model).where(getattr(spec.model, f.name) == obj.code))
                    if n:
                        raise _entry_in_use(obj, spec.module, spec.label, int(n))
        # Custom choice fields keep the code as their value too.
        n = s.scalar(select(func.count()).select_from(CustomFieldValue).join(
            CustomFieldDefinition, CustomFieldDefinition.id == CustomFieldValue.definition_id).where(
            CustomFieldDefinition.field_type == "choice", CustomFieldDefinition.choices_category == obj.category,
            CustomFieldValue.value == obj.code))
        if n:
            raise _entry_in_use(obj, "custom_field_values", Text("自定义字段值", "Custom field value"), int(n))


def _entry_in_use(obj: DictionaryEntry, module: str, label: Text, n: int) -> InUse:
    return InUse(Text(f"字典项“{obj.label_zh}”正被 {n} 条{label.zh}使用，不能删除；可以设为失效。",
                      f"Entry '{obj.label_en}' is used by {n} {label.en.lower()} records; deactivate it instead."),
                 {module: n})


CUSTOM_FIELD_SPEC = EntitySpec(
    module="custom_fields",
    label=Text("自定义字段", "Custom field"),
    model=CustomFieldDefinition,
    fields=(
        Field("module", Text("模块", "Module"), T.CHOICE, required=True,
              choices=choices(("customers", "客户信息", "Customers"), ("contacts", "客户联系人", "Contacts"))),
        # Imports and exports name the column by it; left empty, it is made from the English label.
        Field("key", Text("内部名称（可留空）", "Internal name (optional)"), max_length=40, in_grid=False),
        Field("label_zh", Text("中文名称", "Chinese label"), required=True, max_length=100),
        Field("label_en", Text("英文名称", "English label"), required=True, max_length=100),
        Field("field_type", Text("类型", "Type"), T.CHOICE, required=True, choices=choices(
            ("text", "文本", "Text"), ("integer", "整数", "Whole number"), ("decimal", "金额", "Amount"),
            ("date", "日期", "Date"), ("choice", "选项", "Choice"))),
        Field("required", Text("必填", "Required"), T.BOOL),
        Field("max_length", Text("最大长度", "Max length"), T.INTEGER, min_value=1, max_value=2000),
        Field("choices_category", Text("选项取自", "Options from"), T.CHOICE,
              choices=DICTIONARY_SPEC.field("category").choices),
        Field("sort_order", Text("排序", "Order"), T.INTEGER),
    ),
    title_field="label_zh",
    default_sort="sort_order",
)


class CustomFieldService(EntityService):
    spec = CUSTOM_FIELD_SPEC

    def _require(self, action: Action) -> None:
        super()._require(Action.READ if action is Action.READ else Action.ADMIN)

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["required"] = bool(full.get("required"))
        full["sort_order"] = full.get("sort_order") or 0
        if not full.get("key"):
            taken = set(s.scalars(select(CustomFieldDefinition.key).where(
                CustomFieldDefinition.module == full.get("module"))))
            full["key"] = internal_name(full.get("label_en"), taken, "field")

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        key = values.get("key") or ""
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            errors.add("key", "key_format", Text("字段代码：小写字母开头，只含小写字母、数字和下划线",
                                                 "Key: lower-case letters, digits and _, starting with a letter"))
        elif obj is None and s.scalar(select(CustomFieldDefinition.id).where(
                CustomFieldDefinition.module == values.get("module"), CustomFieldDefinition.key == key)):
            errors.add("key", "duplicate", Text("字段代码：该模块中已存在", "Key: already exists for this module"))
        if obj is not None and (key != obj.key or values.get("module") != obj.module or values.get("field_type") != obj.field_type):
            errors.add("key", "read_only", Text("字段代码、模块和类型：创建后不能修改", "Key, module and type cannot change once created"))
        if values.get("field_type") == "choice" and not values.get("choices_category"):
            errors.add("choices_category", "required", Text("选项来源：选项类型需要指定字典类别",
                                                            "Choices: a choice field needs a dictionary category"))

    def _before_delete(self, s: Session, obj: CustomFieldDefinition) -> None:
        # Its values are data of the customers (contacts), not parts of the definition.
        n = int(s.scalar(select(func.count()).select_from(CustomFieldValue).where(
            CustomFieldValue.definition_id == obj.id, CustomFieldValue.value.is_not(None))) or 0)
        if n:
            raise InUse(Text(f"自定义字段“{obj.label_zh}”已有 {n} 条记录填写了值，不能删除；可以设为失效。",
                             f"Custom field '{obj.label_en}' has values in {n} records and cannot be deleted; "
                             "deactivate it instead."), {"custom_field_values": n})

    def definitions(self, module: str) -> list[dict[str, Any]]:
        """Active definitions of a module, in form order."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            return self._records(s, list(s.scalars(select(CustomFieldDefinition).where(
                CustomFieldDefinition.module == module, CustomFieldDefinition.is_active.is_(True))
                .order_by(CustomFieldDefinition.sort_order, CustomFieldDefinition.id))))


class AuditService:
    """Reading the operation log (操作日志). Entries are written by the services, never edited.

    On PostgreSQL with per-user logins (database-auth mode) the log shown is the
    database's own trail (``audit_trail``, written by triggers; see
    :mod:`crm_core.services.trail`); on SQLite and in app mode it is ``audit_log``.
    """

    def __init__(self, ctx: Any):
        self.ctx = ctx

    def list(self, *, module: str | None = None, record_id: int | None = None, actor_id: int | None = None,
             flagged: bool | None = None, before_id: int | None = None, limit: int = 100) -> Page:
        """Newest first; page with ``before_id`` = the last id of the previous page."""
        self.ctx.require("audit", Action.READ)
        limit = max(1, min(limit, 500))
        with self.ctx.db.unit_of_work(write=False) as s:
            if database_auth(s):
                return self._trail_as_log(s, module, record_id, actor_id, flagged, before_id, limit)
            stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
            if module:
                stmt = stmt.where(AuditEntry.module == module)
            if record_id is not None:
                stmt = stmt.where(AuditEntry.record_id == record_id)
            if actor_id is not None:
                stmt = stmt.where(AuditEntry.actor_id == actor_id)
            if flagged is not None:
                stmt = stmt.where(AuditEntry.flagged.is_(flagged))
            if before_id is not None:
                stmt = stmt.where(AuditEntry.id < before_id)
            rows = list(s.scalars(stmt))
            more = len(rows) > limit
            rows = rows[:limit]
            return Page([{"id": e.id, "at": e.at, "actor_id": e.actor_id, "actor_login": e.actor_login,
                          "action": e.action, "module": e.module, "record_id": e.record_id,
                          "before": e.before, "after": e.after, "flagged": e.flagged} for e in rows],
                        (rows[-1].id,) if more and rows else None)

    def trail(self, *, table: str | None = None, row_id: int | None = None, actor: str | None = None,
              before_id: int | None = None, limit: int = 100) -> Page:
        """The database's audit trail, newest first: who (login), when, table, row, op, changed fields.

        Rows: ``id, at, actor, table, row_id, op, changed, before, after``. Empty on
        SQLite and on servers without the trail's triggers.
        """
        self.ctx.require("audit", Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            stmt = trail.trail_query(s, table=table, row_id=row_id, actor=actor, before_id=before_id)
            return trail.trail_page(s, stmt, max(1, min(limit, 500)))

    def _trail_as_log(self, s: Session, module: str | None, record_id: int | None, actor_id: int | None,
                      flagged: bool | None, before_id: int | None, limit: int) -> Page:
        if flagged:
            return Page([], None)  # sign-in failures happen before a login exists: only audit_log has them
        stmt = trail.trail_query(s, table=trail.table_of(module) if module else None, row_id=record_id,
                                 actor_id=actor_id, before_id=before_id)
        page = trail.trail_page(s, stmt, limit)
        ids = {login.lower(): uid for uid, login in s.execute(select(User.id, User.login))}
        return Page([trail.as_log_entry(e, ids) for e in page.rows], page.next_cursor)
