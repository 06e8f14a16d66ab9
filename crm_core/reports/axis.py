"""Value axes of charts (PDF and the dashboard): round ticks, labelled as a clerk reads figures.

"15000000" on an axis has to be counted digit by digit; Chinese readers say
"1,500万", English readers "15,000,000". Both chart renderers (reportlab in
``pdf_charts``, QtCharts in ``crm_desktop.dashboard.charts``) take their ticks
and labels from here so the two always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WAN, YI = 10_000, 100_000_000
_STEPS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Ticks:
    """A value axis from 0 to ``top`` in ``step`` increments, and its labels."""

    top: float
    step: float
    labels: tuple[str, ...]

    @property
    def values(self) -> list[float]:
        return [i * self.step for i in range(len(self.labels))]


def nice_ticks(highest: float, lang: str, *, whole: bool = True, count: int = 5) -> Ticks:
    """About ``count`` round steps from 0 past ``highest``; ``whole``: the values are counts (no 0.5 steps)."""
    highest = max(float(highest), 0.0)
    if highest == 0:
        step = 1.0
    else:
        raw = highest / count
        power = 10 ** math.floor(math.log10(raw))
        step = next(s * power for s in _STEPS if s * power >= raw)
        if whole:
            step = max(1.0, math.ceil(step))
    n = max(1, math.ceil(highest / step - 1e-9))
    if highest > 0 and n * step < highest * 1.03:
        n += 1  # headroom: the highest bar does not touch the frame
    top = n * step
    return Ticks(top, step, tuple(axis_label(i * step, step, top, lang) for i in range(n + 1)))


def axis_label(value: float, step: float, top: float, lang: str) -> str:
    """``value`` for an axis whose ticks are ``step`` apart up to ``top``.

    zh: 万 from 100,000 up and 亿 from 100,000,000 ("1,500万", "2.5亿"), thousands
    separators below; en: thousands separators. Decimals only as many as the step needs.
    """
    unit, suffix = 1, ""
    if not lang.startswith("en"):
        if top >= YI:
            unit, suffix = YI, "亿"
        elif top >= 10 * WAN:
            unit, suffix = WAN, "万"
    scaled, scaled_step = value / unit, step / unit
    decimals = 0 if scaled_step >= 1 or scaled_step == 0 else min(6, -math.floor(math.log10(scaled_step) + 1e-9))
    if decimals and round(scaled_step, decimals) != scaled_step:
        decimals += 1  # 2.5 steps need one more place than their power of ten
    text = f"{scaled:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return "0" if value == 0 else text + suffix
