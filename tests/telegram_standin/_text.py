"""Text helpers: UTF-16 lengths, bot_command entities and Telegram's parse modes.

Telegram measures entity offsets and lengths in UTF-16 code units, so every helper here
does the same. The parsers turn a bot's formatted text into what the user would see
(plain text plus entities) and reject malformed markup with Telegram's own error wording,
so a bot that forgets to escape ``<`` in HTML or ``.`` in MarkdownV2 fails in tests the
way it would fail in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._errors import ApiError

JsonDict = dict[str, Any]

_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JsonDict]:
    """Return ``bot_command`` entities for every ``/command`` in ``text``, like Telegram.

    A command is ``/`` followed by 1–32 of ``[A-Za-z0-9_]`` (optionally ``@botname``),
    at the start of the text or after whitespace; it ends at the first other character.
    """
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


def entities_error(detail: str) -> ApiError:
    """Build Telegram's "can't parse entities" 400 error."""
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


@dataclass
class _Builder:
    """Accumulates plain text and entities while a parser walks the marked-up text."""

    parts: list[str] = field(default_factory=list)
    position: int = 0
    entities: list[JsonDict] = field(default_factory=list)

    def add(self, text: str) -> None:
        """Append visible text."""
        self.parts.append(text)
        self.position += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        """Close an entity of ``kind`` that began at UTF-16 offset ``start``."""
        if self.position > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.position - start, **extra}
            )

    def result(self) -> tuple[str, list[JsonDict]]:
        """Return the plain text and the entities sorted by offset."""
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ordered


# --------------------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);")
_ATTR_RE = re.compile(r"""([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _unescape_html(text: str) -> str:
    """Decode the HTML entities Telegram supports; leave unknown named ones as they are."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED_ENTITIES.get(name.lower(), match.group())

    return _ENTITY_RE.sub(replace, text)


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of ``text[index]`` (Telegram reports byte offsets)."""
    return len(text[:index].encode("utf-8"))


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]


def _html_attrs(raw: str) -> dict[str, str]:
    """Parse the attributes of a start tag (lenient, like Telegram)."""
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs[match.group(1).lower()] = _unescape_html(value)
    return attrs


def _html_entity(tag: _OpenTag, builder: _Builder, stack: list[_OpenTag]) -> None:
    """Emit the entity for a closed HTML tag."""
    kind = _HTML_TAGS[tag.name]
    if tag.name == "span" and tag.attrs.get("class") != "tg-spoiler":
        return
    if kind == "text_link":
        if "href" in tag.attrs:
            builder.entity("text_link", tag.start, url=tag.attrs["href"])
        return
    if kind == "code" and stack and stack[-1].name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language.removeprefix("language-")
        return
    if kind == "pre" and tag.attrs.get("language"):
        builder.entity("pre", tag.start, language=tag.attrs["language"])
        return
    if kind == "blockquote" and "expandable" in tag.attrs:
        builder.entity("expandable_blockquote", tag.start)
        return
    if kind == "custom_emoji":
        builder.entity("custom_emoji", tag.start, custom_emoji_id=tag.attrs.get("emoji-id", ""))
        return
    builder.entity(kind, tag.start)


def _html_end_tag(text: str, index: int, builder: _Builder, stack: list[_OpenTag]) -> int:
    """Handle ``</name>`` at ``index``; return the index after it."""
    close = text.find(">", index)
    if close < 0:
        raise entities_error(f"Unclosed end tag at byte offset {_byte_offset(text, index)}")
    name = text[index + 2 : close].strip().lower()
    if not stack:
        raise entities_error(f"Unexpected end tag at byte offset {_byte_offset(text, index)}")
    if stack[-1].name != name:
        raise entities_error(
            f'Unmatched end tag at byte offset {_byte_offset(text, index)}, expected "</'
            f'{stack[-1].name}>", found "</{name}>"'
        )
    tag = stack.pop()
    _html_entity(tag, builder, stack)
    return close + 1


def _html_start_tag(text: str, index: int, builder: _Builder, stack: list[_OpenTag]) -> int:
    """Handle ``<name attrs>`` at ``index``; return the index after it."""
    end = index + 1
    while end < len(text) and not text[end].isspace() and text[end] not in "/>":
        end += 1
    name = text[index + 1 : end].lower()
    if name not in _HTML_TAGS:
        raise entities_error(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, index)}'
        )
    close = text.find(">", end)
    if close < 0:
        raise entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, index)}")
    stack.append(_OpenTag(name, builder.position, _html_attrs(text[end:close])))
    return close + 1


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram-style HTML into plain text and entities (raises ``ApiError``)."""
    builder = _Builder()
    stack: list[_OpenTag] = []
    index = 0
    while index < len(text):
        tag_at = text.find("<", index)
        if tag_at < 0:
            builder.add(_unescape_html(text[index:]))
            break
        builder.add(_unescape_html(text[index:tag_at]))
        if text.startswith("</", tag_at):
            index = _html_end_tag(text, tag_at, builder, stack)
        else:
            index = _html_start_tag(text, tag_at, builder, stack)
    if stack:
        raise entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return builder.result()


# --------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


@dataclass
class _MdState:
    text: str
    builder: _Builder = field(default_factory=_Builder)
    stack: list[tuple[str, str, int, int]] = field(default_factory=list)  # marker, kind, pos, at
    index: int = 0
    quote_start: int | None = None


def _mdv2_reserved(char: str) -> ApiError:
    """Build the error for an unescaped reserved MarkdownV2 character."""
    return entities_error(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _mdv2_code(state: _MdState) -> None:
    """Parse inline code or a ``` pre block starting at ``state.index``."""
    text = state.text
    fence = "```" if text.startswith("```", state.index) else "`"
    body_start = state.index + len(fence)
    chars: list[str] = []
    index = body_start
    while index < len(text) and not text.startswith(fence, index):
        if text[index] == "\\" and index + 1 < len(text):
            index += 1
        chars.append(text[index])
        index += 1
    if index >= len(text):
        at = _byte_offset(text, state.index)
        raise entities_error(f"Can't find end of the entity starting at byte offset {at}")
    body = "".join(chars)
    start = state.builder.position
    if fence == "```":
        language, newline, rest = body.partition("\n")
        if newline and language and not any(c.isspace() for c in language):
            state.builder.add(rest)
            state.builder.entity("pre", start, language=language)
        else:
            state.builder.add(body)
            state.builder.entity("pre", start)
    else:
        state.builder.add(body)
        state.builder.entity("code", start)
    state.index = index + len(fence)


def _mdv2_link_end(state: _MdState) -> None:
    """Handle ``](url)`` closing a text link."""
    text = state.text
    _marker, _kind, start, _at = state.stack.pop()
    index = state.index + 1
    if not text.startswith("(", index):
        state.index = index
        return
    close = index + 1
    url: list[str] = []
    while close < len(text) and text[close] != ")":
        if text[close] == "\\" and close + 1 < len(text):
            close += 1
        url.append(text[close])
        close += 1
    if close >= len(text):
        raise _mdv2_reserved("(")
    state.builder.entity("text_link", start, url="".join(url))
    state.index = close + 1


def _mdv2_marker(state: _MdState) -> bool:
    """Open or close a formatting marker at ``state.index``; return whether one matched."""
    for marker, kind in _MDV2_MARKERS:
        if not state.text.startswith(marker, state.index):
            continue
        if state.stack and state.stack[-1][0] == marker:
            _m, _k, start, _at = state.stack.pop()
            state.builder.entity(kind, start)
        else:
            state.stack.append((marker, kind, state.builder.position, state.index))
        state.index += len(marker)
        return True
    return False


def _mdv2_line_start(state: _MdState) -> None:
    """Track ``>`` blockquotes, which Telegram recognises at the start of a line."""
    at_line_start = state.index == 0 or state.text[state.index - 1] == "\n"
    if not at_line_start:
        return
    if state.text.startswith(">", state.index):
        if state.quote_start is None:
            state.quote_start = state.builder.position
        state.index += 1
    elif state.quote_start is not None:
        _close_quote(state)


def _close_quote(state: _MdState) -> None:
    """Emit the pending blockquote entity (without its trailing newline)."""
    if state.quote_start is None:
        return
    end = state.builder.position
    if state.builder.parts and state.builder.parts[-1].endswith("\n"):
        end -= 1
    if end > state.quote_start:
        state.builder.entities.append(
            {"type": "blockquote", "offset": state.quote_start, "length": end - state.quote_start}
        )
    state.quote_start = None


def _mdv2_step(state: _MdState) -> None:
    """Consume one token of MarkdownV2 at ``state.index``."""
    text = state.text
    char = text[state.index]
    if char == "\\" and state.index + 1 < len(text) and 0 < ord(text[state.index + 1]) < 127:
        state.builder.add(text[state.index + 1])
        state.index += 2
    elif char == "`":
        _mdv2_code(state)
    elif char == "[":
        state.stack.append(("[", "text_link", state.builder.position, state.index))
        state.index += 1
    elif char == "]" and state.stack and state.stack[-1][0] == "[":
        _mdv2_link_end(state)
    elif not _mdv2_marker(state):
        if char in _MDV2_RESERVED:
            raise _mdv2_reserved(char)
        state.builder.add(char)
        state.index += 1


def parse_markdown_v2(text: str) -> tuple[str, list[JsonDict]]:
    """Parse MarkdownV2 into plain text and entities (raises ``ApiError``)."""
    state = _MdState(text)
    while state.index < len(text):
        _mdv2_line_start(state)
        if state.index < len(text):
            _mdv2_step(state)
    if state.stack:
        at = _byte_offset(text, state.stack[-1][3])
        raise entities_error(f"Can't find end of the entity starting at byte offset {at}")
    _close_quote(state)
    return state.builder.result()


# ----------------------------------------------------------------- legacy Markdown

_LEGACY_MARKERS = {"*": "bold", "_": "italic"}


def _legacy_span(text: str, index: int, closer: str) -> int:
    """Return the index of ``closer`` after ``index`` or raise Telegram's error."""
    end = text.find(closer, index)
    if end < 0:
        at = _byte_offset(text, index - 1)
        raise entities_error(f"Can't find end of the entity starting at byte offset {at}")
    return end


def _legacy_step(text: str, index: int, builder: _Builder) -> int:
    """Consume one token of legacy Markdown; return the next index."""
    char = text[index]
    if char == "\\" and index + 1 < len(text) and text[index + 1] in "*_`[":
        builder.add(text[index + 1])
        return index + 2
    if text.startswith("```", index):
        end = _legacy_span(text, index + 3, "```")
        start = builder.position
        builder.add(text[index + 3 : end])
        builder.entity("pre", start)
        return end + 3
    if char in _LEGACY_MARKERS or char == "`":
        end = _legacy_span(text, index + 1, char)
        start = builder.position
        builder.add(text[index + 1 : end])
        builder.entity(_LEGACY_MARKERS.get(char, "code"), start)
        return end + 1
    if char == "[":
        close = _legacy_span(text, index + 1, "]")
        if text.startswith("(", close + 1):
            url_end = _legacy_span(text, close + 2, ")")
            start = builder.position
            builder.add(text[index + 1 : close])
            builder.entity("text_link", start, url=text[close + 2 : url_end])
            return url_end + 1
    builder.add(char)
    return index + 1


def parse_markdown(text: str) -> tuple[str, list[JsonDict]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, code, links)."""
    builder = _Builder()
    index = 0
    while index < len(text):
        index = _legacy_step(text, index, builder)
    return builder.result()


_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def apply_parse_mode(
    text: str, parse_mode: str | None, entities: list[JsonDict] | None
) -> tuple[str, list[JsonDict]]:
    """Return what the user sees for ``text`` sent with ``parse_mode`` or explicit entities."""
    if not parse_mode:
        return text, list(entities or [])
    parser = _PARSERS.get(parse_mode.lower())
    if parser is None:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    return parser(text)
