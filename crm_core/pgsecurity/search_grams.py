"""The search grams' consistency on PostgreSQL: two trigger functions in place of a foreign key.

Revision 0012 creates ``crm_search_grams_check()`` (after every INSERT statement into
``customer_search_grams``: each customer named exists and the session may see it, locked FOR
KEY SHARE once per customer) and ``crm_search_grams_cascade()`` (before a customer row is
deleted: its entries go). Here they are given to ``crm_owner`` and taken from PUBLIC, like
every function of ours. Owned by crm_owner (under FORCEd row-level security, with its own
policy on the grams that shows every entry of a customer the session may see, whatever its
kind), the cascade deletes the contact-name entries an engineer deleting a customer may not
read himself; the check refuses entries of a customer that does not exist, which the foreign
key did before (an all-customers role's policy on the grams is ``true``).
"""

from __future__ import annotations

from crm_core.pgsecurity.masking import OWNER

FUNCTIONS = ("crm_search_grams_check()", "crm_search_grams_cascade()")


def statements() -> list[str]:
    """crm_owner owns the two trigger functions; nobody else may call them."""
    out: list[str] = []
    for name in FUNCTIONS:
        out.append(f"ALTER FUNCTION public.{name} OWNER TO {OWNER}")
        out.append(f"ALTER FUNCTION public.{name} SECURITY DEFINER")
        out.append(f"REVOKE ALL ON FUNCTION public.{name} FROM PUBLIC")
    return out
