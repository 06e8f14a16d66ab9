"""Admin-maintained reference data: the data dictionary (数据字典) and custom fields (自定义字段)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked


class DictionaryEntry(Tracked, Deactivatable, Base):
    """One choice of a dictionary category (industries, sources, severities...)."""

    __tablename__ = "dictionary_entries"
    __table_args__ = (UniqueConstraint("category", "code"),)

    category: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)


class CustomFieldDefinition(Tracked, Deactivatable, Base):
    """A field an admin added to a module (customers for now)."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (UniqueConstraint("module", "key"),)

    module: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(40))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    # text | integer | decimal | date | choice
    field_type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    max_length: Mapped[int | None]
    # for field_type == "choice": the dictionary category that holds the choices
    choices_category: Mapped[str | None] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(default=0)


class CustomFieldValue(Base):
    """The value of one custom field for one record, kept as text in a canonical form."""

    __tablename__ = "custom_field_values"
    __table_args__ = (UniqueConstraint("definition_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("custom_field_definitions.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(index=True)
    value: Mapped[str | None] = mapped_column(Text)
