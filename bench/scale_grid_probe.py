"""The customers grid over a big database: the GUI thread's longest block and peak memory (offscreen).

Run by bench_scale.py in a fresh process: ``scale_grid_probe.py sqlite PATH`` or
``scale_grid_probe.py postgresql HOST PORT DATABASE USER``; ``--width 1920`` opens the page that
wide (the module's less-used columns are added once the first page is in: "widen"). The probe
writes nothing to the database: it does not sign in (a sign-in records the login), it takes the
admin's actor as read (the shared benchmark databases are read-only). A 5 ms QTimer
measures how late the event loop serves it (an event-loop latency probe) while
the page opens, sorts, searches, jumps to the end and is scrolled through; the
baseline is the same probe on the idle event loop just before. Peak memory is
the process's maximum resident set after all that.

The process starts as the program does before a grid opens: the application's
style sheet (every cell is painted through it) and the start-up objects frozen
for the garbage collector (:func:`crm_desktop.heap.freeze_startup_objects`, as
``crm_desktop.__main__`` does once the main window is up). On Linux each line
also says where the longest block went on the GUI thread: its own CPU time, the
time it waited for a CPU (``/proc`` schedstat: other processes on the machine),
and the rest (waiting for the interpreter lock or sleeping), and the most CPU the GUI thread
spent between two ticks in that action (what it would block on an idle machine; the longest
block itself may be another gap, made long by waiting).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from crm_core.config import Profile  # noqa: E402

INTERVAL = 0.005
_SCHEDSTAT = "/proc/thread-self/schedstat"  # Linux: ns on a CPU, ns waiting for one, time slices


def _cpu_and_wait() -> tuple[float, float]:
    """The calling thread's CPU time and run-queue wait so far, in ms ((0, 0) where /proc has no schedstat)."""
    try:
        with open(_SCHEDSTAT) as f:
            on_cpu, waiting, _slices = f.read().split()
    except OSError:
        return 0.0, 0.0
    return int(on_cpu) / 1e6, int(waiting) / 1e6


class Probe:
    """Records how late each 5 ms tick of a QTimer comes (the longest gap the GUI thread could not run)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(int(INTERVAL * 1000))
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.sched = _cpu_and_wait()
        self.worst_split = (0.0, 0.0)  # the longest block's (CPU, run-queue wait) on the GUI thread
        self.most_cpu = 0.0  # the most GUI-thread CPU between two ticks (ms): the block on an idle machine

    def _tick(self) -> None:
        now, sched = time.perf_counter(), _cpu_and_wait()
        late = now - self.last - INTERVAL
        self.most_cpu = max(self.most_cpu, sched[0] - self.sched[0])
        if late > self.worst:
            self.worst = late
            self.worst_split = (sched[0] - self.sched[0], sched[1] - self.sched[1])
        self.last, self.sched = now, sched

    def start(self) -> None:
        self.last, self.worst, self.sched, self.most_cpu = time.perf_counter(), 0.0, _cpu_and_wait(), 0.0
        self.timer.start()

    def take(self) -> tuple[float, str]:
        """The longest block since the last take (ms) and where it went."""
        worst, self.worst = self.worst * 1000, 0.0
        cpu, waited = self.worst_split
        most_cpu, self.most_cpu = self.most_cpu, 0.0
        other = worst + INTERVAL * 1000 - cpu - waited  # the interpreter lock, or sleeping
        split = "" if cpu == waited == 0 else \
            f"  (GUI thread: cpu {cpu:.0f} ms, waiting for a CPU {waited:.0f} ms, other {other:.0f} ms;" \
            f" most CPU between two ticks {most_cpu:.0f} ms)"
        return worst, split


class CountingService:
    """A service whose ``list`` calls (the pages read) are counted; everything else is the service's."""

    def __init__(self, service) -> None:  # noqa: ANN001
        self._service, self.pages = service, 0

    def list(self, query):  # noqa: ANN001, ANN201
        self.pages += 1
        return self._service.list(query)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._service, name)


class FitCost:
    """GUI-thread CPU spent sizing the columns on the first page, and how many columns were measured.

    Wraps the page's first-page handler (and main's later refit, where it exists) and what
    measures one column (``ColumnSizes._measure``, else ``QTableView.sizeHintForColumn`` as
    the page's Python code calls it).
    """

    def __init__(self) -> None:
        from PySide6.QtWidgets import QTableView

        from crm_desktop.grid.grid_view import ModulePage

        self.cpu_ms, self.measured = 0.0, 0
        for name in ("_on_model_rows_inserted", "_on_model_data_changed_refit"):
            if hasattr(ModulePage, name):
                setattr(ModulePage, name, self._timed(getattr(ModulePage, name)))
        try:  # a column measured once per fit (its rows on screen), else each call of Qt's measure
            from crm_desktop.grid.column_layout import ColumnSizes
            owner, name = ColumnSizes, "_measure"
        except ImportError:
            owner, name = QTableView, "sizeHintForColumn"
        measure = getattr(owner, name)

        def counted(*args):  # noqa: ANN002, ANN202
            self.measured += 1
            return measure(*args)

        setattr(owner, name, counted)

    def _timed(self, fn):  # noqa: ANN001, ANN202
        def timed(*args):  # noqa: ANN002, ANN202
            start = time.thread_time()
            try:
                return fn(*args)
            finally:
                self.cpu_ms += (time.thread_time() - start) * 1000
        return timed


def run_until(app: QApplication, done: Callable[[], bool], timeout: float = 120) -> bool:
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    return True


def settle(app: QApplication, seconds: float) -> None:
    run_until(app, lambda: False, seconds)


def read_only_session(profile: Profile):  # noqa: ANN201 - a CrmSession
    """The admin's session without signing in: a sign-in writes the last login and an audit row."""
    from sqlalchemy import select

    from crm_core.models import User
    from crm_core.services.context import Actor
    from crm_core.session import CrmSession, open_database

    db = open_database(profile, upgrade=False)
    with db.unit_of_work(write=False) as s:
        user = s.scalars(select(User).where(User.login == "admin")).one()
        actor = Actor(user.id, user.login, user.name, user.role)
    return CrmSession(db, actor, profile)


def main() -> None:
    argv = sys.argv[1:]
    width = 1200
    if "--width" in argv:
        at = argv.index("--width")
        width = int(argv[at + 1])
        del argv[at:at + 2]
    if argv[0] == "sqlite":
        profile = Profile(name="bench", backend="sqlite", path=argv[1])
    else:
        host, port, database, user = argv[1:5]
        profile = Profile(name="bench", backend="postgresql", host=host, port=int(port), database=database,
                          sslmode="disable", db_user=user)
    app = QApplication([])
    from crm_desktop.style import apply_style

    apply_style(app)  # as crm_desktop.__main__: the grid is painted through the style sheet
    session = read_only_session(profile)
    import crm_core.modules  # noqa: F401  (imported at start-up in the app, not when a page opens)
    from crm_desktop.changes import ChangeBus
    from crm_desktop.grid.grid_view import ModulePage
    from crm_desktop.heap import freeze_startup_objects

    freeze_startup_objects()  # as crm_desktop.__main__ once the main window is up
    fit = FitCost()

    settings = QSettings(os.path.join(tempfile.mkdtemp(), "views.ini"), QSettings.Format.IniFormat)
    probe = Probe()
    probe.start()
    settle(app, 1.0)
    idle, _ = probe.take()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = []

    service = CountingService(session.customers)
    read = 0

    def record(what: str) -> None:
        nonlocal read
        figures.append((what, probe.take(), service.pages - read))
        read = service.pages

    page = ModulePage(service, "zh_CN", None, changes=ChangeBus(), open_form=lambda *a, **k: None,
                      actor=session.actor, services_lookup=lambda m: getattr(session, m), settings=settings)
    page.resize(width, 800)
    page.show()
    model = page.model
    loaded = lambda: model.rowCount() > 0 and model.total is not None and not model.loading  # noqa: E731
    run_until(app, loaded)
    settle(app, 1.0)  # what follows the first page (a wide window's added columns) belongs to opening
    run_until(app, loaded)
    record(f"open ({len(model.columns)} columns at {width} px)")
    fitted = f"{fit.cpu_ms:.1f} ms GUI-thread CPU, {fit.measured} column measures"

    model.sort(model.column_of("name"))
    run_until(app, loaded)
    record("sort by name")

    page.search_edit.setText("科技")
    settle(app, 0.5)
    run_until(app, loaded)
    record("search")
    page.search_edit.setText("")
    settle(app, 0.5)
    run_until(app, loaded)
    probe.take()
    read = service.pages

    model.jump_to_end()
    page.view.scrollToBottom()
    last = model.rowCount() - 1
    run_until(app, lambda: model.data(model.index(last, 0)) is not None and not model.loading)
    record("jump to the end")

    bar = page.view.verticalScrollBar()
    for k in range(41):  # the user drags through the list, top to bottom
        bar.setValue(bar.maximum() * k // 40)
        settle(app, 0.05)
        run_until(app, lambda: not model.loading, 30)
    bar.setValue(bar.maximum())
    run_until(app, lambda: not model.loading, 30)
    record("scroll through to the end")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    for what, (worst, split), pages in figures:
        print(f"{'grid longest GUI block: ' + what:<44} {worst:9.2f} ms  baseline {idle:9.2f} ms  "
              f"ratio {worst / max(idle, 0.01):7.1f}x  target <= 50 ms  ({pages} pages read){split}")
    print(f"{'grid column fit on opening':<44} {fitted}")
    print(f"{'grid peak memory after scrolling to the end':<44} {rss:9.2f} MB  baseline {rss_before:9.2f} MB  "
          f"ratio {rss / rss_before:7.1f}x  target <= 400 MB  ({model.rowCount()} rows, "
          f"{model.rows_in_memory} in memory)")
    page.close()
    from crm_desktop.background import wait_for_all

    wait_for_all(30_000)
    session.close()


if __name__ == "__main__":
    main()
