"""The pages of the Raport MP: the index, one per województwo and gmina, the methods."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape

from domain.indicators import GapView, Kind, Level
from services.indicators import SessionIndicators
from services.report_html import (
    coverage_text,
    gap_table,
    indicator_table,
    number,
    page,
    percent,
    shown,
    shown_change,
    value_cells,
)
from services.report_svg import IZUS, NGO, Bar, Series, bar_chart

_AREAS = {Level.WOJEWODZTWO: "województwa", Level.POWIAT: "powiaty"}
KINDS = {Kind.COUNT: "liczba", Kind.SUM: "suma", Kind.PERCENTAGE: "odsetek (%)",
         Kind.RATIO: "iloraz"}  # fmt: skip


def footer(data: SessionIndicators, generated: str) -> str:
    """What every page ends with: session, date, definition version."""
    return (
        f"Raport MP · sesja {data.session.name} · wygenerowano {generated} · "
        f"definicje wskaźników w wersji {data.definitions.version}"
    )


def index_page(data: SessionIndicators, gaps: GapView, generated: str) -> str:
    """The front page: headline figures, coverage, spheres by województwo, the gap view."""
    body = [_intro(data)]
    if "PL" in data.current.at(Level.KRAJ):
        body.append(_headline(data))
    body += [
        "<h2>Pokrycie według województw</h2>"
        + _coverage_table(data, Level.WOJEWODZTWO, "wojewodztwa/"),
        _spheres(data, Level.WOJEWODZTWO, ""),
        _gaps(data, gaps, Level.KRAJ, "PL", Level.WOJEWODZTWO, ""),
    ]
    if "PL" in data.current.at(Level.KRAJ):
        body.append(
            "<h2>Wszystkie wskaźniki dla kraju</h2>" + indicator_table(data, Level.KRAJ, "PL")
        )
    body.append('<p><a href="metody.html">Metody, definicje i braki danych →</a></p>')
    title = f"Raport MP – sesja {data.session.name}"
    return page(title, [("index.html", "Raport MP")], "".join(body), footer(data, generated))


def _headline(data: SessionIndicators) -> str:
    """Coverage, then the indicators marked `headline` in the definitions, for the country."""
    c = data.current.at(Level.KRAJ)["PL"].coverage
    gminy = data.current.at(Level.GMINA).values()
    both = sum(1 for g in gminy if g.coverage.ngo_submitted and g.coverage.izus_submitted)
    cards = [
        _figure("Karty NGO złożone", f"{number(c.ngo_submitted)} / {number(c.ngo_assigned)}",
                percent(c.ngo_submitted, c.ngo_assigned)),
        _figure("Karty IZUS złożone", f"{number(c.izus_submitted)} / {number(c.izus_assigned)}",
                percent(c.izus_submitted, c.izus_assigned)),
        _figure("Gminy z obiema perspektywami", number(both), f"z {number(len(gminy))} gmin"),
    ]  # fmt: skip
    for indicator in data.definitions.indicators:
        if indicator.headline:
            cells = value_cells(data, Level.KRAJ, "PL", indicator)
            note = (f"bazowo {shown(indicator.kind, cells['baseline'])}, zmiana "
                    f"{shown_change(indicator.kind, cells['change'])}")  # fmt: skip
            label = f"{indicator.id} {indicator.name_pl}"
            cards.append(_figure(label, shown(indicator.kind, cells["value"]), note))
    return '<h2>Najważniejsze liczby (kraj)</h2><div class="figures">' + "".join(cards) + "</div>"


def region_page(data: SessionIndicators, gaps: GapView, woj: str, generated: str) -> str:
    """One województwo: its values, its powiaty in charts, its gminy listed."""
    territory = data.current.at(Level.WOJEWODZTWO)[woj]
    name = data.name(woj)
    body = [
        f'<section class="card"><p>{coverage_text(territory.coverage)}</p></section>',
        "<h2>Wskaźniki województwa</h2>" + indicator_table(data, Level.WOJEWODZTWO, woj),
        _spheres(data, Level.POWIAT, woj),
        _gaps(data, gaps, Level.WOJEWODZTWO, woj, Level.POWIAT, woj),
        "<h2>Gminy</h2>" + _coverage_table(data, Level.GMINA, "../gminy/", woj),
    ]
    crumbs = [("../index.html", "Raport MP"), ("", f"województwo {name}")]
    title = f"Województwo {name} – sesja {data.session.name}"
    return page(title, crumbs, "".join(body), footer(data, generated))


def gmina_page(data: SessionIndicators, gaps: GapView, teryt: str, generated: str) -> str:
    """One gmina: every value with its baseline, a chart per sphere, the gap view."""
    territory = data.current.at(Level.GMINA)[teryt]
    woj = teryt[:2]
    charts = []
    for sphere in data.definitions.spheres:
        bars = []
        for indicator in data.definitions.in_sphere(sphere.id):
            cells = value_cells(data, Level.GMINA, teryt, indicator)
            texts = (
                shown(indicator.kind, cells["value"]),
                shown(indicator.kind, cells["baseline"]),
            )
            bars.append(Bar(indicator.id, cells["value"], cells["baseline"], texts))
        title = escape(_sphere_title(sphere.id, sphere.name_pl))
        chart = bar_chart(sphere.name_pl, bars, shared_scale=False)
        charts.append(f"<figure><figcaption><b>{title}</b></figcaption>{chart}</figure>")
    body = [
        f'<section class="card"><p>{coverage_text(territory.coverage)} · '
        f"{escape(data.name(teryt[:4]))}</p></section>",
        "<h2>Wskaźniki gminy</h2>" + indicator_table(data, Level.GMINA, teryt),
        "<h2>Sfery: teraz i wartość bazowa</h2><p class='muted'>Każdy wiersz ma własną skalę.</p>",
        "<div class='grid'>" + "".join(charts) + "</div>",
        _gaps(data, gaps, Level.GMINA, teryt, None, teryt),
    ]
    crumbs = [("../index.html", "Raport MP"),
              (f"../wojewodztwa/{woj}.html", f"województwo {data.name(woj)}"),
              ("", f"gmina {data.name(teryt)}")]  # fmt: skip
    title = f"Gmina {data.name(teryt)} ({teryt}) – sesja {data.session.name}"
    return page(title, crumbs, "".join(body), footer(data, generated))


def _intro(data: SessionIndicators) -> str:
    state = {"open": "otwarta", "closed": "zamknięta", "draft": "robocza"}[data.session.state.value]
    lines = [f"Sesja <b>{escape(data.session.name)}</b> ({state}), termin "
             f"{data.session.deadline:%d.%m.%Y}."]  # fmt: skip
    if data.baseline_session is None:
        lines.append("Nie ma jeszcze sesji bazowej: pierwsza zamknięta sesja nią zostanie.")
    else:
        version = data.baseline.version if data.baseline else "?"
        lines.append(f"Wartości bazowe: sesja <b>{escape(data.baseline_session.name)}</b> "
                     f"(definicje w wersji {escape(version)}).")  # fmt: skip
    revised = data.revised
    if revised:
        lines.append(f'<span class="notice">Definicje zmieniły się od sesji bazowej dla: '
                     f"{', '.join(revised)} – wartości bazowe policzono według wcześniejszej "
                     "wersji i nie zostały przeliczone.</span>")  # fmt: skip
    return '<section class="card"><p>' + "<br>".join(lines) + "</p></section>"


def _figure(label: str, value: str, note: str) -> str:
    note = f'<span class="muted">{escape(note)}</span>'
    return f'<div class="figure">{escape(label)}<b>{value}</b>{note}</div>'


def _coverage_table(data: SessionIndicators, level: Level, link: str, prefix: str = "") -> str:
    rows = []
    for teryt, territory in data.current.at(level).items():
        if not teryt.startswith(prefix):
            continue
        c = territory.coverage
        rows.append(
            f'<tr><td>{teryt}</td><td><a href="{link}{teryt}.html">'
            f"{escape(data.name(teryt))}</a></td>"
            f'<td class="n">{c.ngo_submitted} / {c.ngo_assigned}</td>'
            f'<td class="n">{percent(c.ngo_submitted, c.ngo_assigned)}</td>'
            f'<td class="n">{c.izus_submitted} / {c.izus_assigned}</td>'
            f'<td class="n">{percent(c.izus_submitted, c.izus_assigned)}</td></tr>'
        )
    return (
        "<table><thead><tr><th>TERYT</th><th>Nazwa</th><th>Karty NGO</th><th>%</th>"
        "<th>Karty IZUS</th><th>%</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _sphere_title(sphere_id: str, name: str) -> str:
    return f"Sfera {sphere_id} – {name}" if sphere_id.isdigit() else name


def _spheres(data: SessionIndicators, level: Level, prefix: str) -> str:
    """A chart per indicator, by territory of `level` within `prefix`: now vs baseline."""
    parts = [f"<h2>Sfery według obszarów ({_AREAS[level]})</h2>"]
    territories = [t for t in data.current.at(level) if t.startswith(prefix)]
    for sphere in data.definitions.spheres:
        parts.append(
            f"<h3>{escape(_sphere_title(sphere.id, sphere.name_pl))}</h3><div class='grid'>"
        )
        for indicator in data.definitions.in_sphere(sphere.id):
            bars = []
            for teryt in territories:
                cells = value_cells(data, level, teryt, indicator)
                bars.append(Bar(data.name(teryt), cells["value"], cells["baseline"]))
            title = f"{indicator.id} {indicator.name_pl}"
            chart = bar_chart(title, bars, Series(show=_shower(indicator.kind)))
            parts.append(f"<figure><figcaption><b>{indicator.id}</b> "
                         f"{escape(indicator.name_pl)}</figcaption>{chart}</figure>")  # fmt: skip
        parts.append("</div>")
    return "".join(parts)


def _shower(kind: Kind) -> Callable[[float], str]:
    return lambda value: shown(kind, value)


def _gaps(data: SessionIndicators, gaps: GapView, level: Level, teryt: str,
          below: Level | None, prefix: str) -> str:  # fmt: skip
    """The NGO-vs-IZUS view of a territory (table, chart) and of its parts (differences)."""
    mine = gaps.get(level, {}).get(teryt, [])
    series = Series("Karty NGO", "Karta IZUS", (NGO, IZUS), show=lambda v: number(v))
    bars = [Bar(f"{g.pair.ngo} ~ {g.pair.izus}", g.ngo, g.izus) for g in mine]
    parts = ["<h2>Luka NGO – IZUS</h2><p class='muted'>Ta sama rzecz policzona przez organizacje "
             "i przez instytucję zarządzającą; duża różnica sama jest ustaleniem.</p>",
             gap_table(data, mine), bar_chart("Luka NGO – IZUS", bars, series)]  # fmt: skip
    if below is not None:
        parts.append(_gap_parts(data, gaps, below, prefix))
    return "".join(parts)


def _gap_parts(data: SessionIndicators, gaps: GapView, level: Level, prefix: str) -> str:
    pairs = [f"{p.ngo}~{p.izus}" for p in data.definitions.gaps]
    head = "".join(f"<th>{p}</th>" for p in pairs)
    rows = []
    for teryt, items in gaps.get(level, {}).items():
        if teryt.startswith(prefix):
            cells = "".join(
                f"<td class='n'>{number(g.difference) if g.difference is not None else '–'}</td>"
                for g in items
            )
            rows.append(f"<tr><td>{escape(data.name(teryt))}</td>{cells}</tr>")
    return (f"<h3>Różnice NGO − IZUS według obszarów</h3><table><thead><tr><th>Obszar</th>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")  # fmt: skip


def methods_page(data: SessionIndicators, generated: str) -> str:
    """Definitions, the rules behind every number, n/a reasons counted, coverage."""
    perspectives = {p.id: p.name_pl for p in data.definitions.perspectives}
    rows = "".join(
        f"<tr><td><b>{i.id}</b></td><td>{escape(i.name_pl)}</td><td>{escape(perspectives[i.perspective])}</td>"
        f"<td>{escape(i.sphere)}</td><td>{KINDS[i.kind]}</td><td><code>{escape(i.formula())}</code>"
        f"{'<br>' + escape(i.reading_pl) if i.reading_pl else ''}</td></tr>"
        for i in data.definitions.indicators
    )
    reasons = Counter(v.reason for g in data.current.at(Level.GMINA).values()
                      for v in g.values.values() if v.reason)  # fmt: skip
    reason_rows = "".join(f"<tr><td>{escape(r)}</td><td class='n'>{number(n)}</td></tr>"
                          for r, n in reasons.most_common())  # fmt: skip
    body = [
        _intro(data), _RULES,
        "<h2>Braki danych (n/d) w gminach</h2><table><thead><tr><th>Przyczyna</th>"
        f"<th>Wartości gmin</th></tr></thead><tbody>{reason_rows}</tbody></table>",
        "<h2>Pokrycie według województw</h2>"
        + _coverage_chart(data)
        + _coverage_table(data, Level.WOJEWODZTWO, "wojewodztwa/"),
        "<h2>Definicje wskaźników</h2><table><thead><tr><th>Id</th><th>Nazwa</th>"
        "<th>Perspektywa</th><th>Sfera</th><th>Rodzaj</th><th>Wzór</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    ]  # fmt: skip
    crumbs = [("index.html", "Raport MP"), ("", "Metody")]
    return page(
        f"Metody – sesja {data.session.name}", crumbs, "".join(body), footer(data, generated)
    )


def _coverage_chart(data: SessionIndicators) -> str:
    """Share of cards submitted, NGO beside IZUS, per województwo."""
    bars = []
    for teryt, territory in data.current.at(Level.WOJEWODZTWO).items():
        c = territory.coverage
        ngo = 100 * c.ngo_submitted / c.ngo_assigned if c.ngo_assigned else None
        izus = 100 * c.izus_submitted / c.izus_assigned if c.izus_assigned else None
        bars.append(Bar(data.name(teryt), ngo, izus))
    series = Series("Karty NGO", "Karty IZUS", (NGO, IZUS), show=lambda v: number(v, 1) + "%")
    return bar_chart("Złożone karty (% przydzielonych)", bars, series)


_RULES = """
<h2>Jak liczono wskaźniki</h2>
<ul>
<li>Źródła: złożone Karty NGO organizacji mających siedzibę w gminie (TERYT siedziby) oraz
złożona Karta IZUS gminy. Karty niezłożone nie są liczone; w karcie liczy się ostatnia
wersja każdej odpowiedzi, a odpowiedzi odłożone przez logikę pytań (pytanie przestało
obowiązywać) są pomijane.</li>
<li><b>count(…)</b> – liczba Kart NGO w gminie spełniających warunek; <b>sum(…)</b> – suma
po tych kartach; <b>izus(…)</b> – wartość z Karty IZUS gminy. Odsetek to 100 × licznik /
mianownik, podawany razem z licznikiem i mianownikiem.</li>
<li>Brak danych (n/d) zamiast zera: gdy w gminie nie złożono Karty NGO lub Karty IZUS, gdy
mianownik jest równy 0 albo gdy żadna karta nie odpowiedziała na pytanie opcjonalne
(blok Efektywność). Przyczyna jest podana przy każdej wartości.</li>
<li>Agregacja (gmina → powiat → województwo → kraj): liczby i sumy dodaje się po gminach,
w których wartość istnieje; odsetki i ilorazy liczy się od nowa z sum liczników i
mianowników tych gmin (nigdy nie uśrednia się odsetków). Gmina z n/d nie wnosi ani
licznika, ani mianownika.</li>
<li>Zaokrąglenia: odsetki do 0,1 punktu, ilorazy do 0,01. Zmiana to różnica względem sesji
bazowej (dla odsetków w punktach procentowych, pp), liczona z wartości niezaokrąglonych.</li>
<li>Sesja bazowa to pierwsza zamknięta sesja; jej wartości zapisano przy zamknięciu i nigdy
się nie zmieniają. Zmiana definicji wskaźnika tworzy nową wersję definicji – wartości
bazowe zostają policzone według wersji, w której je zapisano.</li>
<li>Luka NGO – IZUS: te same zjawiska policzone przez organizacje i przez instytucję
zarządzającą, w gminach, w których są obie perspektywy.</li>
</ul>
"""
