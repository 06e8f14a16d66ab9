"""Who may do what: the one declaration of roles, module rights, row scope and sensitive fields.

Everything that enforces access reads this table: the services here (on every
path: get, list, search, count, export, import, bulk) and, in the PostgreSQL
security work, the generator of GRANTs and row-level-security policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from crm_core.errors import PermissionDenied
from crm_core.i18n import Text


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"
    ADMIN = "admin"


class Scope(StrEnum):
    OWN = "own"  # customers the user owns or that were shared with him, and what hangs off them
    ALL = "all"


# Modules whose rows belong to a customer, and so follow the customer's row scope.
CUSTOMER_SCOPED = frozenset({
    "customers", "contacts", "contracts", "payments", "products", "licenses",
    "tickets", "submitters", "followups", "needs", "opportunities",
})
BUSINESS_MODULES = tuple(sorted(CUSTOMER_SCOPED))
ADMIN_MODULES = ("users", "dictionary", "custom_fields", "audit")
# Read-only views over the business modules: managers' reports (报表) and the
# dashboard (管理看板). Their rows follow the role's customer scope, so a
# salesperson's personal dashboard counts only his own customers.
REPORT_MODULES = ("reports", "dashboard")
ALL_MODULES = BUSINESS_MODULES + ADMIN_MODULES + REPORT_MODULES

R, C, U, D, E, I, A = (Action.READ, Action.CREATE, Action.UPDATE, Action.DELETE,
                       Action.EXPORT, Action.IMPORT, Action.ADMIN)
EVERYTHING = frozenset(Action)
WORK = frozenset({R, C, U, E, I})  # day-to-day work: no delete, no admin


@dataclass(frozen=True)
class RoleRights:
    """What one role may do."""

    code: str
    name_zh: str
    name_en: str
    modules: dict[str, frozenset[Action]]
    scope: Scope
    # Sensitivity classes (see metadata ``Field.sensitive``) this role reads in full:
    # "phone" (shown 138****5678 otherwise), "id_number" (all but the last 4
    # hidden), "private" (a colleague's age, home address: not shown at all).
    sees: frozenset[str] = field(default_factory=frozenset)

    def may(self, module: str, action: Action) -> bool:
        return action in self.modules.get(module, frozenset())


ROLES: dict[str, RoleRights] = {
    "admin": RoleRights(
        "admin", "系统管理员", "Administrator",
        {m: EVERYTHING for m in ALL_MODULES},
        Scope.ALL, frozenset({"phone", "id_number", "private"}),
    ),
    "manager": RoleRights(
        "manager", "经理", "Manager",
        {**{m: WORK | {D} for m in BUSINESS_MODULES}, "audit": frozenset({R}),
         "reports": frozenset({R, E}), "dashboard": frozenset({R}),
         "users": frozenset({R}), "dictionary": frozenset({R}), "custom_fields": frozenset({R})},
        Scope.ALL, frozenset({"phone"}),
    ),
    "sales": RoleRights(
        "sales", "销售", "Sales",
        {**{m: WORK for m in ("customers", "contacts", "contracts", "payments", "products",
                              "licenses", "followups", "needs", "opportunities")},
         "submitters": frozenset({R}), "tickets": frozenset({R, C}), "dashboard": frozenset({R}),
         "dictionary": frozenset({R}), "custom_fields": frozenset({R}), "users": frozenset({R})},
        Scope.OWN, frozenset({"phone"}),
    ),
    "service": RoleRights(
        "service", "客服", "Customer service",
        {"customers": frozenset({R}), "contacts": frozenset({R}), "products": frozenset({R}),
         "licenses": frozenset({R}), "tickets": WORK | {D}, "submitters": WORK,
         "followups": frozenset({R, C}), "needs": WORK,
         "dictionary": frozenset({R}), "custom_fields": frozenset({R}), "users": frozenset({R})},
        Scope.ALL, frozenset({"phone"}),
    ),
    "engineer": RoleRights(
        "engineer", "工程师", "Engineer",
        {"customers": frozenset({R}), "products": frozenset({R}), "licenses": frozenset({R, U}),
         "tickets": frozenset({R, U, E}), "submitters": frozenset({R}), "needs": frozenset({R, U}),
         "dictionary": frozenset({R}), "custom_fields": frozenset({R}), "users": frozenset({R})},
        Scope.ALL, frozenset(),
    ),
}

MODULE_NAMES: dict[str, Text] = {
    "customers": Text("客户信息", "Customers"),
    "contacts": Text("客户联系人", "Contacts"),
    "contracts": Text("合同", "Contracts"),
    "payments": Text("回款", "Payments"),
    "products": Text("产品", "Products"),
    "licenses": Text("产品授权", "Licenses"),
    "tickets": Text("客户反馈", "Feedback tickets"),
    "submitters": Text("反馈人员", "Feedback submitters"),
    "followups": Text("跟进记录", "Follow-ups"),
    "needs": Text("客户需求", "Customer needs"),
    "opportunities": Text("销售机会", "Sales opportunities"),
    "users": Text("软件用户", "Software users"),
    "dictionary": Text("数据字典", "Data dictionary"),
    "custom_fields": Text("自定义字段", "Custom fields"),
    "audit": Text("操作日志", "Operation log"),
    "reports": Text("报表", "Reports"),
    "dashboard": Text("管理看板", "Dashboard"),
}

ACTION_NAMES: dict[Action, Text] = {
    R: Text("查看", "view"), C: Text("新增", "create"), U: Text("修改", "edit"),
    D: Text("删除", "delete"), E: Text("导出", "export"), I: Text("导入", "import"),
    A: Text("管理", "administer"),
}


def rights(role: str) -> RoleRights:
    """The rights of ``role``; an unknown role has none."""
    try:
        return ROLES[role]
    except KeyError:
        return RoleRights(role, role, role, {}, Scope.OWN, frozenset())


def require(role: str, module: str, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action`` in ``module``."""
    if not rights(role).may(module, action):
        name = MODULE_NAMES.get(module, Text(module, module))
        verb = ACTION_NAMES[action]
        raise PermissionDenied(Text(
            f"您的角色无权{verb.zh}{name.zh}。",
            f"Your role may not {verb.en} {name.en.lower()}.",
        ))


def scope_of(role: str, module: str) -> Scope:
    """Row scope of ``role`` in ``module`` (only customer-scoped modules are ever limited)."""
    if module not in CUSTOMER_SCOPED:
        return Scope.ALL
    return rights(role).scope


def sees(role: str, sensitivity: str | None) -> bool:
    """True when ``role`` reads values of this sensitivity class in full."""
    return sensitivity is None or sensitivity in rights(role).sees


def pickable_roles(pick: str) -> tuple[str, ...]:
    """Roles whose users may be chosen for a users field declared with ``Field.pick``.

    "owner": whoever may own customers (may create them): a customer, opportunity or need
    is never handed to an engineer or a service clerk. "engineer": the engineer role, who
    tracks tickets (问题跟踪工程师).
    """
    if pick == "engineer":
        return ("engineer",)
    if pick == "owner":
        return tuple(code for code, r in ROLES.items() if r.may("customers", Action.CREATE))
    raise ValueError(f"unknown pick {pick!r}")
