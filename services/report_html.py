"""The shared parts of the Raport MP pages: the template, Polish number formats, tables."""

from __future__ import annotations

from html import escape
from typing import Any

from domain.indicators import Coverage, Gap, Indicator, Kind, Level, present
from services.indicators import SessionIndicators, indicator_json

# No network at all: inline styles and scripts only (the report is read offline).
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;
margin:0;background:#f6f8fa}
header{background:#1f5f8b;color:#fff;padding:14px 28px}header a{color:#fff}
nav.crumbs{font-size:13px;opacity:.9}main{max-width:1080px;margin:0 auto;padding:8px 28px 40px}
h1{font-size:26px;margin:6px 0}h2{font-size:20px;margin:28px 0 8px;border-bottom:2px solid #d5e2ec}
h3{font-size:16px;margin:18px 0 6px}section.card{background:#fff;border:1px solid #dde5ec;
border-radius:6px;padding:10px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13.5px}
th,td{border-bottom:1px solid #e3e9ef;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef3f7}td.n{text-align:right;white-space:nowrap}.na{color:#8a6d1e}
.up{color:#1f7a3a}.down{color:#a3302a}.muted{color:#5b6b7a;font-size:13px}
.figures{display:flex;flex-wrap:wrap;gap:10px}.figure{background:#fff;border:1px solid #dde5ec;
border-radius:6px;padding:8px 14px;width:220px;font-size:13px}
.figure b{display:block;font-size:22px;margin:2px 0}
svg.chart{display:block;width:100%;height:auto;margin:4px 0 6px;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid #dde5ec;border-radius:6px;padding:8px 10px}
figcaption{font-size:13px;color:#33424f}
svg.chart text{fill:#1d2733}svg.chart text.na{fill:#8a6d1e}svg.chart text.v{fill:#33424f}
.notice{background:#fff6d9;border:1px solid #e8d38c;padding:8px 12px;border-radius:6px}
footer{color:#5b6b7a;font-size:12px;padding:20px 28px}
"""
# Sets body[data-charts] once laid out, so a headless browser can tell that every chart
# was drawn with a non-zero size ("ok:N") or how many were not ("failed:K/N").
_CHECK = """
(function(){var c=document.querySelectorAll('svg.chart'),ok=0;
for(var i=0;i<c.length;i++){var r=c[i].getBoundingClientRect();
if(r.width>0&&r.height>0&&c[i].querySelectorAll('rect').length>0){ok++;}}
document.body.setAttribute('data-charts',ok===c.length?'ok:'+ok:'failed:'+(c.length-ok)+'/'+c.length);
})();
"""
NBSP = "\u00a0"
LEVEL_NAMES = {
    Level.GMINA: "gmina", Level.POWIAT: "powiat", Level.WOJEWODZTWO: "województwo",
    Level.KRAJ: "kraj",
}  # fmt: skip


def page(title: str, crumbs: list[tuple[str, str]], body: str, footer: str) -> str:
    """A whole HTML page; `crumbs` are (href, label) pairs, the last one unlinked."""
    trail = " › ".join(
        escape(label) if n == len(crumbs) - 1 else f'<a href="{href}">{escape(label)}</a>'
        for n, (href, label) in enumerate(crumbs)
    )
    return (
        f'<!doctype html><html lang="pl"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f'<body data-charts="pending"><header><nav class="crumbs">{trail}</nav>'
        f"<h1>{escape(title)}</h1></header><main>{body}</main>"
        f"<footer>{escape(footer)}</footer><script>{_CHECK}</script></body></html>"
    )


def number(x: float | int | None, digits: int = 0) -> str:
    """A number the Polish way: 1 234,5 (non-breaking space, decimal comma)."""
    if x is None:
        return "n/d"
    text = f"{x:,.{digits}f}" if digits else f"{round(x):,d}"
    return text.replace(",", NBSP).replace(".", ",")


def shown(kind: Kind, x: float | int | None) -> str:
    """An indicator value for people: 12,5% · 6,67 · 1 234 (n/d when not available)."""
    x = present(kind, x) if x is not None else None
    if x is None:
        return "n/d"
    if kind is Kind.PERCENTAGE:
        return number(x, 1) + "%"
    if kind is Kind.RATIO:
        return number(x, 2)
    return number(x, 0 if float(x).is_integer() else 2)


def shown_change(kind: Kind, x: float | int | None) -> str:
    """A change against the baseline: +1,4 pp · −2 · 0."""
    if x is None:
        return "–"
    sign = "+" if x > 0 else ("−" if x < 0 else "")
    body = shown(kind, abs(x))
    return f"{sign}{body[:-1]}{NBSP}pp" if kind is Kind.PERCENTAGE else f"{sign}{body}"


def coverage_text(c: Coverage) -> str:
    """Karty NGO 4/5 · Karty IZUS 1/1."""
    return (
        f"Karty NGO: {c.ngo_submitted}/{c.ngo_assigned} · "
        f"Karty IZUS: {c.izus_submitted}/{c.izus_assigned}"
    )


def percent(part: int, whole: int) -> str:
    """Part of a whole as a percentage, n/d for an empty whole."""
    return "n/d" if whole == 0 else number(100 * part / whole, 1) + "%"


def value_cells(
    data: SessionIndicators, level: Level, teryt: str, indicator: Indicator
) -> dict[str, Any]:
    """The JSON form of one value (rounded, with baseline and change)."""
    current = data.current.at(level)[teryt].values[indicator.id]
    return indicator_json(indicator, current, data.baseline_value(level, teryt, indicator.id))


def indicator_table(data: SessionIndicators, level: Level, teryt: str) -> str:
    """Every indicator of one territory: value, num/den, baseline, change, cards, notes."""
    revised = set(data.revised)
    rows = []
    territory = data.current.at(level)[teryt]
    for indicator in data.definitions.indicators:
        v = territory.values[indicator.id]
        cells = value_cells(data, level, teryt, indicator)
        kind = indicator.kind
        fraction = (
            "" if v.denominator is None else f"{_plain(v.numerator)} / {_plain(v.denominator)}"
        )
        note = escape(v.reason) if v.reason else ""
        if indicator.id in revised:
            note += " Definicja zmieniona od sesji bazowej."
        change = cells["change"]
        trend = "up" if change and change > 0 else ("down" if change and change < 0 else "")
        rows.append(
            f"<tr><td><b>{indicator.id}</b> {escape(indicator.name_pl)}</td>"
            f'<td class="n{" na" if v.reason else ""}">{shown(kind, v.value)}</td>'
            f'<td class="n">{fraction}</td><td class="n">{shown(kind, cells["baseline"])}</td>'
            f'<td class="n {trend}">{shown_change(kind, change)}</td>'
            f'<td class="n">{v.cards}</td><td class="muted">{note.strip()}</td></tr>'
        )
    return (
        "<table><thead><tr><th>Wskaźnik</th><th>Wartość</th><th>Licznik / mianownik</th>"
        "<th>Wartość bazowa</th><th>Zmiana</th><th>Karty</th><th>Uwagi</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _plain(x: float | None) -> str:
    """A numerator or denominator: whole when it is."""
    return number(x, 0 if x is None or float(x).is_integer() else 2)


def gap_table(data: SessionIndicators, gaps: list[Gap]) -> str:
    """The NGO-vs-IZUS pairs of one territory with their difference."""
    rows = []
    for gap in gaps:
        ngo, izus = data.definitions.get(gap.pair.ngo), data.definitions.get(gap.pair.izus)
        diff = gap.difference
        rows.append(
            f"<tr><td><b>{ngo.id}</b> {escape(ngo.name_pl)}</td>"
            f"<td class='n'>{shown(ngo.kind, gap.ngo)}</td>"
            f"<td><b>{izus.id}</b> {escape(izus.name_pl)}</td>"
            f"<td class='n'>{shown(izus.kind, gap.izus)}</td>"
            f"<td class='n'>{shown_change(Kind.COUNT, diff)}</td>"
            f"<td class='n'>{gap.gminy}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Strona NGO</th><th>Wartość</th><th>Strona IZUS</th>"
        "<th>Wartość</th><th>Różnica NGO − IZUS</th><th>Gminy z obiema kartami</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
