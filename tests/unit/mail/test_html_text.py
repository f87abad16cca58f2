"""HTML to text keeping the line structure (email-cases.md case 3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mailer.parsing.html_text import html_to_text


def test_breaks_divs_and_paragraphs_make_lines() -> None:
    html = "<div>II.0.1: 25</div><div><br></div><p>II.0.2: 40</p>tekst<br>II.0.3: 1&nbsp;200"
    assert html_to_text(html).split("\n") == [
        "II.0.1: 25",
        "",
        "II.0.2: 40",
        "tekst",
        "II.0.3: 1\xa0200",
    ]


def test_table_rows_become_cell_lines_even_with_word_paragraphs() -> None:
    html = (
        "<table><tr><td><p class=MsoNormal>[II.0.1]<o:p></o:p></p></td>"
        "<td><p>Liczba</p><p>podmiotów</p></td><td><p>25</p></td></tr>"
        "<tr><td>[II.0.2]<td>Liczba<td></tr></table>"
    )
    assert html_to_text(html).split("\n") == [
        "[II.0.1] | Liczba podmiotów | 25",
        "[II.0.2] | Liczba |",
    ]


def test_layout_tables_keep_their_inner_lines() -> None:
    html = (
        "<table><tr><td><p>II.0.1: 25</p><table><tr><td>logo</td></tr></table>"
        "<p>II.0.2: 4</p></td></tr></table>"
    )
    assert html_to_text(html).split("\n") == ["II.0.1: 25", "logo", "II.0.2: 4"]


def test_blockquotes_carry_quote_depth() -> None:
    html = (
        '<div>nowe</div><div class="gmail_quote">pon. napisał(a):<blockquote class="gmail_quote">'
        "[II.0.1] Liczba: <br><blockquote>starsze</blockquote></blockquote></div>"
    )
    assert html_to_text(html).split("\n") == [
        "nowe",
        "pon. napisał(a):",
        "> [II.0.1] Liczba:",
        ">> starsze",
    ]


def test_scripts_styles_and_head_are_dropped() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head>"
        "<body><script>x()</script>ok</body></html>"
    )
    assert html_to_text(html) == "ok"


def test_inline_markup_does_not_break_lines() -> None:
    assert (
        html_to_text("[I.3] Kto: <b>Kierownik</b> <span>Działu</span>")
        == "[I.3] Kto: Kierownik Działu"
    )


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdivptrbl!-[]&;#x1")), max_size=200))
def test_any_markup_renders_without_error(html: str) -> None:
    assert isinstance(html_to_text(html), str)
