"""Migration 0015 (a name's first pair as kind "s"): down and up again on a database with customers.

Down, every entry is "n" again (what the code before it wrote); up, the index holds exactly what
search_index.derive writes for each customer, and the search finds the same customers.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from crm_core import ListQuery
from crm_core.db import migrate
from crm_core.models import CustomerSearchGram
from crm_core.services import search_index


def _index(conn) -> set[tuple[str, str, int]]:
    g = CustomerSearchGram.__table__
    return set(conn.execute(select(g.c.gram, g.c.kind, g.c.customer_id)).all())


def test_start_pair_migration_down_and_up_rewrites_the_kind_of_the_first_pairs(admin, db, make_customer):
    made = [make_customer("青岛星辰科技有限公司")["id"], make_customer("青岛·青岛啤酒")["id"],
            make_customer("Coastal co", email="co@x.cn")["id"], make_customer("co-op 星辰", email="hr@x.cn")["id"],
            make_customer("山东青岛海洋有限公司")["id"]]
    finds = {t: sorted(r["id"] for r in admin.customers.list(ListQuery(search=t, limit=50)).rows)
             for t in ("青岛", "co", "星辰")}
    with db.engine.connect() as conn:
        written = _index(conn)
    assert {(g, c) for g, k, c in written if k == search_index.START} == {
        ("青岛", made[0]), ("co", made[3]), ("山东", made[4])}  # not 青岛·青岛 (twice), not Co (case), not co@ (the e-mail)
    cfg = migrate._config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
        assert _index(conn) == {(g, search_index.NAME if k == search_index.START else k, c) for g, k, c in written}
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        assert _index(conn) == written
    assert finds == {t: sorted(r["id"] for r in admin.customers.list(ListQuery(search=t, limit=50)).rows)
                     for t in ("青岛", "co", "星辰")}
    db.dispose()
