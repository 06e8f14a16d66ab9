"""Who is acting, on which database: what every service call runs with."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_core.db.engine import Database
from crm_core.errors import AuthenticationFailed
from crm_core.i18n import Text
from crm_core.permissions import Action, require

if TYPE_CHECKING:
    from crm_core.services.registry import Services


@dataclass(frozen=True)
class Actor:
    """The signed-in user (plain data; safe to hand to the client)."""

    user_id: int
    login: str
    name: str
    role: str


ACCOUNT_GONE = Text("您的账户已被停用或删除，请联系管理员。", "Your account has been disabled or removed; ask an administrator.")


class Context:
    """A database, the actor, and the other services (for cross-module rules)."""

    def __init__(self, db: Database, actor: Actor, services: "Services"):
        self.db = db
        self._actor = actor
        self.services = services

    @property
    def actor(self) -> Actor:
        return self._actor

    def require(self, module: str, action: Action) -> None:
        """Check the actor may do ``action`` in ``module``, with his rights as they are now.

        The account is re-read first: a user deactivated or given another role
        while signed in is held to that at his very next call, not at his next
        sign-in.

        Raises:
            AuthenticationFailed: the account was deactivated or deleted.
            PermissionDenied: the role may not do this.
        """
        self.refresh_actor()
        require(self._actor.role, module, action)

    def refresh_actor(self) -> None:
        if self._actor.user_id is None:  # the first-run bootstrap, before any account exists
            return
        with self.db.unit_of_work(write=False) as s:
            self.confirm_actor(s.scalar(select(self.actor_role_now())))

    def actor_role_now(self) -> Any:
        """A scalar subquery: the actor's role if his account is still active, else NULL.

        A read puts it beside its own columns (uncorrelated: evaluated once per
        statement) and hands what came back to :meth:`confirm_actor`, so the account
        check costs neither a transaction nor a statement of its own.
        """
        from crm_core.models import User

        cached = self.__dict__.get("_role_now")
        if cached is None or cached[0] != self._actor.user_id:
            cached = self._role_now = (self._actor.user_id, select(User.role).where(
                User.id == self._actor.user_id, User.is_active.is_(True)).scalar_subquery().label("_actor_role"))
        return cached[1]

    def confirm_actor(self, role: str | None) -> bool:
        """Hold the actor to ``role`` as read by :meth:`actor_role_now` (None: the account is gone).

        Returns:
            True when the role is the one the call was prepared with; False when it changed
            (the actor now has it; the caller redoes its work under the new role).

        Raises:
            AuthenticationFailed: the account was deactivated or deleted.
        """
        if self._actor.user_id is None:
            return True
        if role is None:
            raise AuthenticationFailed(ACCOUNT_GONE)
        if role != self._actor.role:
            self._actor = replace(self._actor, role=role)
            return False
        return True
