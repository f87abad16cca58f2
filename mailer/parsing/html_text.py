"""HTML to plain text that keeps the line structure keyed answers depend on.

Outlook/OWA often send HTML only (email-cases.md case 3): each template line is a
`<p class=MsoNormal>`, a `<div>` or a `<br>`-separated run, and a template pasted as
a table arrives as `<tr><td><p>[II.0.1]</p></td><td><p>label</p></td>...`. Block
elements end a line, `<br>` always does, the cells of a table row (without nested
tables, i.e. not a layout table) are joined with " | " on one line, and text inside
`<blockquote>` (Gmail `gmail_quote`, Thunderbird `type="cite"`) is prefixed with ">"
per level so quoted lines keep their quote depth, as in plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "td",
        "th",
        "caption",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_CELL = frozenset({"td", "th"})
_MAX_NESTING = 200  # deeper markup is flattened rather than recursed into
_WS = re.compile(r"[ \t\r\n\f]+")
_TAG = re.compile(r"<[^>]*>")


@dataclass
class _Node:
    tag: str
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unknown end tags are ignored, cells close implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self._stack = [self.root]

    def _close(self, tags: frozenset[str], stop: frozenset[str]) -> None:
        for index in range(len(self._stack) - 1, 0, -1):
            tag = self._stack[index].tag
            if tag in stop:
                return
            if tag in tags:
                del self._stack[index:]
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element (closing an unclosed cell, row or paragraph first)."""
        if tag in _CELL:
            self._close(_CELL, frozenset({"tr", "table"}))
        elif tag == "tr":
            self._close(frozenset({"tr"}), frozenset({"table"}))
        elif tag in ("p", "li"):
            self._close(frozenset({tag}), frozenset({"table", "ul", "ol", "div", "blockquote"}))
        node = _Node(tag)
        self._stack[-1].children.append(node)
        if tag not in _VOID and len(self._stack) < _MAX_NESTING:
            self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """`<br/>`: an element without content."""
        self._stack[-1].children.append(_Node(tag))

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open element with this tag, if any."""
        self._close(frozenset({tag}), frozenset())

    def handle_data(self, data: str) -> None:
        """Text goes to the open element."""
        self._stack[-1].children.append(data)


class _Lines:
    """The output: lines with their quote depth."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._depth = 0

    def write(self, text: str, depth: int) -> None:
        """Add text to the current line (its depth is that of its first text)."""
        if not self._parts:
            self._depth = depth
        self._parts.append(text)

    def flush(self, *, force: bool = False) -> None:
        """End the current line; empty lines only when forced (`<br>`)."""
        text = _WS.sub(" ", "".join(self._parts)).strip()
        if text or force:
            self.lines.append((">" * self._depth + " " if self._depth else "") + text)
        self._parts = []


def _text_of(node: _Node) -> str:
    """All text inside `node` on one line (a table cell)."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag not in _SKIP:
            parts.append(" " + _text_of(child) + " ")
    return _WS.sub(" ", "".join(parts)).strip()


def _has_table(node: _Node) -> bool:
    return any(isinstance(c, _Node) and (c.tag == "table" or _has_table(c)) for c in node.children)


def _render_row(row: _Node, depth: int, out: _Lines) -> None:
    cells = [c for c in row.children if isinstance(c, _Node) and c.tag in _CELL]
    out.flush()
    out.write(" | ".join(_text_of(cell) for cell in cells), depth)
    out.flush()


def _render(node: _Node, depth: int, out: _Lines, pre: bool = False) -> None:
    for child in node.children:
        if isinstance(child, str):
            _render_text(child, depth, out, pre)
        elif child.tag in _SKIP:
            continue
        elif child.tag == "br":
            out.flush(force=True)
        elif child.tag == "tr" and not _has_table(child):
            _render_row(child, depth, out)
        elif child.tag in ("blockquote", "pre") or child.tag in _BLOCK:
            out.flush()
            inner = depth + 1 if child.tag == "blockquote" else depth
            _render(child, inner, out, pre or child.tag == "pre")
            out.flush()
        else:
            _render(child, depth, out, pre)


def _render_text(text: str, depth: int, out: _Lines, pre: bool) -> None:
    if not pre:
        out.write(text, depth)
        return
    first, *rest = text.split("\n")
    out.write(first.replace(" ", "\u00a0"), depth)  # NBSP survives the flush collapse
    for line in rest:
        out.flush(force=True)
        out.write(line.replace(" ", "\u00a0"), depth)


def html_to_text(html: str) -> str:
    """Render HTML as text lines (see the module docstring)."""
    try:
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        out = _Lines()
        _render(builder.root, 0, out)
        out.flush()
    except (RecursionError, ValueError, AssertionError, IndexError):
        # html.parser has raised on odd markup in the past; fall back to stripping tags.
        stripped = _TAG.sub("\n", html)
        return "\n".join(_WS.sub(" ", line).strip() for line in stripped.split("\n"))
    return "\n".join(out.lines)
