"""``crm-admin demo-data`` progress when stderr is not a terminal: a line per tenth of the customers."""

from __future__ import annotations

from crm_core.cli import _progress_printer


def test_a_line_for_every_tenth_even_when_a_chunk_steps_over_it(capsys):
    show = _progress_printer("en")
    total = 15_000  # written 1,000 customers at a time: 1,500 (a tenth) falls inside the second chunk
    for done in range(1_000, total + 1, 1_000):
        show(done, total)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"customers {n}/15000" for n in (2000, 3000, 5000, 6000, 8000, 9000, 11000, 12000, 14000,
                                                       15000)]


def test_a_small_run_reports_its_end(capsys):
    _progress_printer("zh_CN")(30, 30)
    assert capsys.readouterr().err == "客户 30/30\n"
