"""Exports stream: records are written as they arrive, never all held at once."""

from __future__ import annotations

import tracemalloc
import weakref

import pytest

from crm_core.lists import Filter, ListQuery
from crm_core.models import Customer

ROWS = 3000
BATCH = 100


class _Record(dict):
    """A record that can be weakly referenced, to see whether anything still holds it."""


@pytest.fixture
def many_customers(admin, db):
    """``ROWS`` customers inserted in one go (the services' per-record checks are not under test here)."""
    uid = admin.actor.user_id
    with db.unit_of_work(write=True) as s:
        s.add_all(Customer(code=f"M{i:07d}", name=f"批量客户{i:05d}有限公司", status="prospect", level="B",
                           industry="retail", phone=f"138{i:08d}", owner_id=uid, created_by_id=uid,
                           search_text="") for i in range(ROWS))
        s.commit()
    return ROWS


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_does_not_hold_all_rows(admin, many_customers, tmp_path, fmt):
    refs: list[weakref.ref] = []
    alive: list[int] = []  # records still referenced by anyone, at each progress report

    def progress(done: int, total: int) -> None:
        refs[:] = [r for r in refs if r() is not None]
        alive.append(len(refs))

    original = admin.customers.export

    def tracked_export(query, *, batch):
        for record in original(query, batch=batch):
            tracked = _Record(record)
            refs.append(weakref.ref(tracked))
            yield tracked

    # warm up: imports, the PDF font and openpyxl's first-use caches are not what is measured
    admin.exports.write("customers", ListQuery(filters=(Filter("code", "lte", "M0000009"),)), None,
                        tmp_path / f"small.{fmt}", fmt, "zh_CN")
    holding_all = _peak(lambda: list(original(ListQuery(), batch=BATCH)))
    admin.customers.export = tracked_export  # instance attribute: this session only

    peak = _peak(lambda: admin.exports.write("customers", ListQuery(), None, tmp_path / f"big.{fmt}", fmt, "zh_CN",
                                            progress=progress, batch=BATCH))

    assert len(alive) > ROWS // BATCH
    assert max(alive) <= BATCH + 50  # a page, plus the first rows kept to size the columns
    if fmt != "pdf":  # reportlab keeps the laid-out pages (not the records) in memory until it saves
        assert peak < holding_all / 2, (peak, holding_all)
