"""PostgreSQL-enforced access rules, generated from :mod:`crm_core.permissions`.

On an office server the client connects straight to PostgreSQL with the
user's own login, so the database itself decides who sees and changes what:
fixed roles and ownership (:mod:`.roles`), table/column GRANTs (:mod:`.grants`),
row-level security (:mod:`.policies`), masked reads of sensitive columns
(:mod:`.masking`), account-management functions (:mod:`.accounts`) and the
audit trail written by triggers (:mod:`.audit_trail`).

``security_statements()`` is idempotent: ``crm-admin db upgrade`` applies it
after every migration (``apply_security``); ``crm-admin db init`` sets up a
fresh server once (``init_database``); ``add_user`` adds a user and his login.
"""

from crm_core.pgsecurity.apply import apply_security, security_statements
from crm_core.pgsecurity.setup import add_user, init_database

__all__ = ["add_user", "apply_security", "init_database", "security_statements"]
