"""Bar charts as inline SVG, drawn in Python: the Raport MP must work offline, without a CDN."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

NOW, BASE, NGO, IZUS = "#1f5f8b", "#9cc3dd", "#2e7d4f", "#c07a1c"
_WIDTH, _LABEL, _VALUE, _ROW, _BAR, _TOP = 520, 150, 70, 26, 9, 30


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label and up to two values (None: n/a)."""

    label: str
    first: float | None
    second: float | None = None
    texts: tuple[str, str] | None = None  # printed values, when rows differ in unit


@dataclass(frozen=True)
class Series:
    """Names and colours of a chart's two series, and how to print a value."""

    first: str = "teraz"
    second: str = "wartość bazowa"
    colours: tuple[str, str] = (NOW, BASE)
    show: Callable[[float], str] = lambda v: f"{v:g}"


VERSUS_BASELINE = Series()


def bar_chart(title: str, bars: Sequence[Bar], series: Series = VERSUS_BASELINE,
              *, shared_scale: bool = True) -> str:  # fmt: skip
    """Horizontal grouped bars: one row per label, both series side by side.

    With `shared_scale` every row uses the chart's largest value (territories compared
    on one indicator); without it each row uses its own (indicators of different units).
    """
    height = _TOP + _ROW * max(len(bars), 1) + 8
    biggest = max((abs(v) for b in bars for v in (b.first, b.second) if v is not None), default=0)
    biggest = biggest or 1  # all zeros: hairlines
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}">',
        f"<title>{escape(title)}</title>",
        _legend(series),
    ]
    for row, bar in enumerate(bars):
        scale = biggest if shared_scale else max(abs(bar.first or 0), abs(bar.second or 0), 1)
        parts.append(_row(row, bar, series, scale))
    if not bars:
        parts.append(f'<text x="0" y="{_TOP + 16}" class="na">brak danych</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Series) -> str:
    first, second = series.colours
    return (
        f'<rect x="{_LABEL}" y="6" width="12" height="12" fill="{first}"/>'
        f'<text x="{_LABEL + 18}" y="16">{escape(series.first)}</text>'
        f'<rect x="{_LABEL + 150}" y="6" width="12" height="12" fill="{second}"/>'
        f'<text x="{_LABEL + 168}" y="16">{escape(series.second)}</text>'
    )


def _row(row: int, bar: Bar, series: Series, scale: float) -> str:
    y = _TOP + row * _ROW
    label = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
    parts = [f'<text x="{_LABEL - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>']
    texts = bar.texts or (
        series.show(bar.first) if bar.first is not None else "",
        series.show(bar.second) if bar.second is not None else "",
    )
    parts.append(_bar(y + 2, bar.first, series.colours[0], scale, texts[0]))
    parts.append(_bar(y + 3 + _BAR, bar.second, series.colours[1], scale, texts[1]))
    return "".join(parts)


def _bar(y: int, value: float | None, colour: str, scale: float, text: str) -> str:
    span = _WIDTH - _LABEL - _VALUE
    if value is None:
        return f'<text x="{_LABEL + 2}" y="{y + _BAR - 1}" class="na">n/d</text>'
    width = max(abs(value) / scale * span, 1.5)  # a zero still shows as a hairline
    return (
        f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR}" fill="{colour}"/>'
        f'<text x="{_LABEL + width + 4:.1f}" y="{y + _BAR - 1}" class="v">{escape(text)}</text>'
    )
