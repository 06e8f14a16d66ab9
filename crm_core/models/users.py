"""Software users (软件用户), roles and login throttling."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db.base import Base, Deactivatable, Tracked


class Role(Base):
    """A role; what it may do is declared in :mod:`crm_core.permissions` and seeded here."""

    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))


class User(Tracked, Deactivatable, Base):
    """A person who signs in to the CRM."""

    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(50), unique=True)
    # argon2id hash for app accounts (SQLite); NULL where the database itself
    # authenticates the user (PostgreSQL per-user roles).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(ForeignKey("roles.code"))
    age: Mapped[int | None]
    position: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    home_address: Mapped[str | None] = mapped_column(String(200))
    years_of_work: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(10))
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]


class LoginThrottle(Base):
    """Failed sign-ins per login name, whether or not the account exists.

    Keyed by the name typed, so throttling reveals nothing about which
    accounts exist.
    """

    __tablename__ = "login_throttle"

    login: Mapped[str] = mapped_column(String(50), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[dt.datetime | None]
    locked_until: Mapped[dt.datetime | None]
