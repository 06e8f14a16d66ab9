"""What a file's columns can fill, and which column is which, by the names offices give them.

A module's own fields, the fields of its companion record (a customer's
contact, created from the same row) and the administrators' custom fields
are all targets, named ``phone``, ``contacts.phone`` and ``custom.<key>``.
The names a column is matched by are declared once, in the entity metadata:
the field's name, its labels and its ``aliases``.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass

from crm_core.i18n import Text
from crm_core.importing.lookups import fold
from crm_core.metadata import EntitySpec, Field

REQUIRED_MARK = "*"
CUSTOM = "custom."


@dataclass(frozen=True)
class Targets:
    """The fields a module's import can fill, by mapping name (each Field renamed to it)."""

    fields: dict[str, Field]
    companion: str | None  # module of the companion record ("contacts"), if the module has one
    companion_link: str | None  # the companion's field pointing at the new record ("customer_id")
    originals: dict[str, Field]  # companion targets -> the companion's field as its module declares it
    # The fields a row names an existing record by, to update it ("update by key"), all of them mapped: a unique
    # field (the customer code, a contract number), or the module's identity (a contact's customer, name and
    # phone); empty for a module without one (payments), whose rows are always new records.
    keys: tuple[str, ...] = ()
    companion_title: str | None = None  # the target naming the companion record ("contacts.name"), if any

    def part(self, name: str) -> str:
        """'main', 'companion' or 'custom'."""
        if name.startswith(CUSTOM):
            return "custom"
        if self.companion and name.startswith(f"{self.companion}."):
            return "companion"
        return "main"

    def source_name(self, name: str) -> str:
        """The field's own name in its module (or the custom field's key)."""
        return name.split(".", 1)[1] if self.part(name) != "main" else name


def update_option(spec: EntitySpec, keys: tuple[str, ...]) -> Text:
    """The wording of the "update by key" option, named by the module's key: "客户编码已存在的行更新该客户", "Rows
    with the customer, name and phone of an existing contact update that contact". One definition: the wizard's
    checkbox shows it and the duplicate messages that tell the user to tick it quote it."""
    zh = [spec.field(k).label.zh for k in keys]
    en = [spec.field(k).label.en.lower() for k in keys]
    record = spec.label
    if len(keys) == 1:
        return Text(f"{zh[0]}已存在的行更新该{record.zh}",
                    f"Rows with an existing {en[0]} update that {record.en.lower()}")
    zh_keys = "、".join(zh[:-1]) + "和" + zh[-1]
    en_keys = ", ".join(en[:-1]) + " and " + en[-1]
    return Text(f"{zh_keys}与已有{record.zh}相同的行更新该{record.zh}",
                f"Rows with the {en_keys} of an existing {record.en.lower()} update that {record.en.lower()}")


def header_key(text: str) -> str:
    """Headers match whatever case, width, spacing or required mark they were typed with."""
    text = unicodedata.normalize("NFKC", text).replace(REQUIRED_MARK, "")
    for marker in ("(必填)", "(required)"):
        text = text.replace(marker, "")
    return "".join(fold(text).split())


def targets(spec: EntitySpec, companion: EntitySpec | None, custom: list[Field]) -> Targets:
    """Importable fields (plus unique system codes, matched for duplicates and updates), companion and custom fields."""
    out = {f.name: f for f in spec.fields if not f.read_only or f.name in spec.unique}
    link = None
    originals: dict[str, Field] = {}
    if companion is not None:
        link = next(f.name for f in companion.fields if f.ref == spec.module)
        for f in companion.fields:
            if f.read_only or f.name == link:
                continue
            label = Text(f"{companion.label.zh}{f.label.zh}", f"{companion.label.en} {f.label.en.lower()}")
            out[f"{companion.module}.{f.name}"] = dataclasses.replace(f, name=f"{companion.module}.{f.name}", label=label)
            originals[f"{companion.module}.{f.name}"] = f
    for f in custom:
        out[CUSTOM + f.name] = dataclasses.replace(f, name=CUSTOM + f.name)
    title = f"{companion.module}.{companion.title_field}" if companion is not None else None
    return Targets(out, companion.module if companion else None, link, originals,
                   tuple(spec.unique[:1]) or spec.identity, title if title in out else None)


def _candidates(t: Targets) -> list[dict[str, str]]:
    """Header key -> target name, in order of preference: exact names and labels, aliases, companion's own words."""
    exact: dict[str, str] = {}
    aliases: dict[str, str] = {}
    loose: dict[str, str] = {}
    for name, f in t.fields.items():
        for text in (name, f.label.zh, f.label.en):
            exact.setdefault(header_key(text), name)
        own = t.originals.get(name, f)
        words = (*own.aliases, own.label.zh, own.label.en) if t.part(name) == "companion" else own.aliases
        for text in words:
            (loose if t.part(name) == "companion" else aliases).setdefault(header_key(text), name)
    return [exact, aliases, loose]


def _alone(t: Targets) -> dict[str, str]:
    """Header key -> main field, for the words that name it only without the companion (see Field.alone_aliases)."""
    return {header_key(text): name for name, f in t.fields.items() if t.part(name) == "main" for text in f.alone_aliases}


def auto_mapping(t: Targets, headers: list[str]) -> dict[int, str | None]:
    """Source column -> target; every field at most once, exact names winning over aliases wherever they stand.

    Last, a word that means a field only in a file without the companion's record (联系方式) goes to the
    companion's field of that name when a column names the companion (联系人), else to the module's own.
    """
    passes = _candidates(t)
    keys = [header_key(h or "") for h in headers]
    mapping: dict[int, str | None] = {col: None for col in range(len(headers))}
    used: set[str] = set()
    for table in passes:
        for col, key in enumerate(keys):
            name = table.get(key) if key else None
            if mapping[col] is None and name and name not in used:
                mapping[col] = name
                used.add(name)
    alone = _alone(t)
    with_companion = t.companion_title is not None and t.companion_title in used
    for col, key in enumerate(keys):
        name = alone.get(key) if key else None
        if name and with_companion:
            name = f"{t.companion}.{name}"
        if mapping[col] is None and name and name in t.fields and name not in used:
            mapping[col] = name
            used.add(name)
    return mapping


def known_header(t: Targets) -> set[str]:
    """Every header key that names a target (finding the header row)."""
    return {k for table in (*_candidates(t), _alone(t)) for k in table}
