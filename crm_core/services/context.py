"""Who is acting, on which database: what every service call runs with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from crm_core.db.engine import Database

if TYPE_CHECKING:
    from crm_core.services.registry import Services


@dataclass(frozen=True)
class Actor:
    """The signed-in user (plain data; safe to hand to the client)."""

    user_id: int
    login: str
    name: str
    role: str


@dataclass(frozen=True)
class Context:
    """A database, the actor, and the other services (for cross-module rules)."""

    db: Database
    actor: Actor
    services: "Services"
