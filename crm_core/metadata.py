"""Entity metadata: each module's fields described once.

Generic services (validation, masking, audit, list/search) and, in later
work, the client's grids and forms, imports, exports and reports are all driven
by these descriptions, so a new module is a short file in ``crm_core/modules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crm_core.i18n import Text


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    INTEGER = "integer"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    CHOICE = "choice"  # fixed choices or a data-dictionary category
    REF = "ref"  # id of a record of another module
    EMAIL = "email"
    PHONE = "phone"  # mobile or landline, normalised
    ID_NUMBER = "id_number"  # 18-digit resident ID
    CREDIT_CODE = "credit_code"  # unified social credit code


@dataclass(frozen=True)
class Choice:
    """One fixed choice: stored ``code`` and its labels.

    ``aliases``: words offices use for it in their own files ("重要客户" for A); an import suggests the
    choice for such a value, for the user to confirm (they are not accepted as the choice unasked).
    """

    code: str
    label: Text
    aliases: tuple[str, ...] = ()


def choices(*items: tuple[str, str, str], aliases: dict[str, tuple[str, ...]] | None = None) -> tuple[Choice, ...]:
    """Build fixed choices from ``(code, zh, en)`` triples (``aliases``: code -> the offices' words for it)."""
    return tuple(Choice(code, Text(zh, en), (aliases or {}).get(code, ())) for code, zh, en in items)


@dataclass(frozen=True)
class Field:
    """One field of a module as users see it.

    Attributes:
        name: attribute name on the model and key in record dicts.
        label: zh_CN / en label.
        type: how the value is parsed, validated and shown.
        required: must be given and non-empty on create (and cannot be blanked).
        max_length: maximum characters for text types (code points).
        choices: fixed choices (statuses and the like).
        dictionary: data-dictionary category holding the choices instead.
        ref: module whose record id this field holds.
        sensitive: sensitivity class ("phone", "id_number"); masked for roles
            that may not see it (see :mod:`crm_core.permissions`).
        personal: blanked by a privacy erasure.
        read_only: set by the system or by a dedicated action, never by plain update.
        in_grid: shown as a column by default.
        min_value / max_value: bounds for numbers.
        aliases: other column names offices give the field in their own files (zh and en),
            matched by the importer's auto-mapping after the labels.
        alone_aliases: column names that mean this field only in a file without a column naming the
            module's companion record; beside one (a 联系人 column) they name the companion's field of the
            same name: 联系方式 in a list of companies is the company's number, next to 联系人/职务 the
            contact's mobile.
        pick: for a field referring to users, who may be chosen: "owner" (roles that may own
            customers) or "engineer" (the engineer role); see :func:`crm_core.permissions.pickable_roles`.
    """

    name: str
    label: Text
    type: FieldType = FieldType.TEXT
    required: bool = False
    max_length: int | None = None
    choices: tuple[Choice, ...] | None = None
    dictionary: str | None = None
    ref: str | None = None
    sensitive: str | None = None
    personal: bool = False
    read_only: bool = False
    in_grid: bool = True
    min_value: Any = None
    max_value: Any = None
    aliases: tuple[str, ...] = ()
    pick: str | None = None
    alone_aliases: tuple[str, ...] = ()

    def choice_label(self, code: str | None, lang: str = "zh_CN") -> str | None:
        """Label of a fixed choice (dictionary labels come from the dictionary service)."""
        for c in self.choices or ():
            if c.code == code:
                return c.label(lang)
        return code


# Fields every module's records carry, maintained by the services.
SYSTEM_FIELDS: tuple[Field, ...] = (
    Field("id", Text("编号", "ID"), FieldType.INTEGER, read_only=True, in_grid=False),
    Field("version", Text("版本", "Version"), FieldType.INTEGER, read_only=True, in_grid=False),
    Field("is_active", Text("有效", "Active"), FieldType.BOOL, read_only=True, in_grid=False),
    Field("deactivated_reason", Text("失效原因", "Deactivation reason"), read_only=True, in_grid=False),
    Field("created_at", Text("创建时间", "Created"), FieldType.DATETIME, read_only=True),
    Field("created_by_id", Text("创建人", "Created by"), FieldType.REF, ref="users", read_only=True, in_grid=False),
    Field("updated_at", Text("修改时间", "Updated"), FieldType.DATETIME, read_only=True, in_grid=False),
    Field("updated_by_id", Text("修改人", "Updated by"), FieldType.REF, ref="users", read_only=True, in_grid=False),
)


@dataclass(frozen=True)
class EntitySpec:
    """A module: its model, fields and the few facts the generic service needs.

    Attributes:
        module: module key ("customers"), also the permission module.
        label: zh_CN / en name of the module.
        model: SQLAlchemy model class.
        fields: business fields, in form order.
        title_field: field that names a record in messages and lookups.
        default_sort: field name; prefix "-" for descending.
        unique: fields with a unique constraint (friendly duplicate messages).
        owner_field: field holding the owning user (row scope "own").
        search_fields: text fields a plain (non-indexed) search looks in.
        companion: module of a record that can be created from the same import row
            (a customer's contact), linked to the new record through its reference field.
        secondary_columns: grid fields a clerk looks at less often: default columns only
            where the window has room for them (a 1920 px screen), left out at 1366 px.
            The column chooser still offers them; an export or a report every field.
        identity: where no unique field names a record, the fields that together do (contacts: the
            customer, name and phone of the twin rule); an import may update a record by them.
        repeats: where nothing names a record (payments have no number), the fields whose values, all the
            same as an active stored record's, make an imported row most likely that record imported again
            (a payment: contract, date and amount); such a row is refused.
        grid_sorts: the fields a grid offers to sort by: those an index serves for every
            reader at a million records (see migrations 0006, 0011, 0014); None: every field
            (a module whose lists stay small). The services still sort by any field. A module
            that leaves ``created_at`` out sorts by it as by ``id`` (:meth:`sorts_as`), so its
            grid offers it too (:attr:`offered_sorts`).
    """

    module: str
    label: Text
    model: type
    fields: tuple[Field, ...]
    title_field: str
    default_sort: str = "-id"
    unique: tuple[str, ...] = ()
    owner_field: str | None = None
    search_fields: tuple[str, ...] = ()
    companion: str | None = None
    secondary_columns: tuple[str, ...] = ()
    grid_sorts: tuple[str, ...] | None = None
    identity: tuple[str, ...] = ()
    repeats: tuple[str, ...] = ()
    all_fields: dict[str, Field] = field(init=False, repr=False, compare=False)
    editable: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {f.name: f for f in SYSTEM_FIELDS}
        by_name.update({f.name: f for f in self.fields})
        object.__setattr__(self, "all_fields", by_name)
        # The business fields a caller may set (not read-only), in form order: what every save parses.
        object.__setattr__(self, "editable", {f.name: f for f in self.fields if not f.read_only})

    def field(self, name: str) -> Field:
        """The field called ``name`` (business or system); KeyError if none."""
        return self.all_fields[name]

    def sorts_as(self, name: str) -> str:
        """The field a sort by field ``name`` orders by: ``name`` itself, or ``id`` for ``created_at``
        in a module without an index of its own for it (its ``grid_sorts`` leave it out).

        A record's ``created_at`` is stamped when it is first written and never changed (read-only),
        and ids are handed out in the order records are written: a table's id order is its order of
        creation. So the primary key serves the sort (keyset pages, reading from the end, a
        salesperson's scope walked along it) where an index of ``created_at`` would cost every write.
        Where two writers overlap the stamps may disagree with the ids by the overlap (see
        docs/performance.md, "创建时间 sorts as the id"); the order stays the one records were saved in.
        """
        if name == "created_at" and self.grid_sorts is not None and "created_at" not in self.grid_sorts:
            return "id"
        return name

    @property
    def offered_sorts(self) -> frozenset[str] | None:
        """The fields a grid lets a user sort by: ``grid_sorts`` and the fields that sort as one of
        them (:meth:`sorts_as`); None: every field."""
        if self.grid_sorts is None:
            return None
        return frozenset(n for n in self.all_fields if self.sorts_as(n) in self.grid_sorts)

    @property
    def grid_fields(self) -> tuple[Field, ...]:
        """Fields shown as grid columns by default, in order."""
        return tuple(f for f in (*self.fields, *SYSTEM_FIELDS) if f.in_grid)

    @property
    def customer_scoped(self) -> bool:
        """True when rows belong to a customer (and follow the customer's row scope)."""
        return self.module == "customers" or "customer_id" in self.all_fields
