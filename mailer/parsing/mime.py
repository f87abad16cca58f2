"""Walking the MIME tree: body text, template spreadsheets, and notes for staff.

- multipart/alternative: text/plain unless it is a stub ("Ta wiadomość jest w
  formacie HTML", case 4), blank, or has no keyed line while the HTML has (case 3);
  attachments are taken from every alternative (Apple Mail hides them in the HTML
  branch).
- multipart/signed (S/MIME, RFC 8551; PGP/MIME, RFC 3156): the signed part is read,
  the signature ignored (case 19); opaque `application/pkcs7-mime` goes to review.
- message/rfc822 and `.eml` attachments (forwards): read like the body, below it.
- winmail.dat (TNEF): its text body and attachments are unpacked (case 18).
Depth and part counts are bounded so hostile nesting cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

from mailer.parsing import attachments as kinds
from mailer.parsing.keyed import looks_keyed
from mailer.parsing.model import AttachmentInfo
from mailer.parsing.normalize import normalize_text
from mailer.parsing.parts import (
    bare_text,
    content_type,
    disposition,
    filename_of,
    has_content_id,
    message_size,
    parse_bytes,
    part_text,
    payload_bytes,
)
from mailer.parsing.spreadsheets import (
    SheetValue,
    SpreadsheetError,
    read_csv,
    read_ods,
    read_xlsx,
    template_values,
)
from mailer.parsing.tnef import TnefError, read_tnef

MAX_DEPTH = 12
MAX_PARTS = 300
_STUB = re.compile(
    r"w formacie HTML|in HTML format|nie obs[łl]uguje.{0,30}HTML|does not support HTML|"
    r"HTML version|wersj[ęi] HTML",
    re.IGNORECASE,
)
_STUB_MAX_LENGTH = 400
_FORWARDS = frozenset({"message/rfc822", "message/global"})
_READERS = {"xlsx": read_xlsx, "csv": read_csv, "ods": read_ods}


@dataclass
class Content:
    """What the walk found, in message order."""

    bodies: list[tuple[str, str]] = field(default_factory=list)  # (text, content type)
    sheets: list[tuple[str, list[SheetValue]]] = field(default_factory=list)  # (name, rows)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All body texts joined, top to bottom."""
        return "\n".join(text for text, _ in self.bodies)

    def merge(self, other: Content, *, bodies: bool = True) -> None:
        """Append another walk's findings (bodies optional: unchosen alternatives)."""
        if bodies:
            self.bodies.extend(other.bodies)
        for name, values in other.sheets:
            if (name, values) not in self.sheets:
                self.sheets.append((name, values))
        self.attachments.extend(a for a in other.attachments if a not in self.attachments)
        self.needs_review.extend(n for n in other.needs_review if n not in self.needs_review)
        self.notes.extend(other.notes)


def is_stub(text: str) -> bool:
    """A text/plain alternative that only says the message is in HTML."""
    stripped = text.strip()
    return not stripped or (len(stripped) < _STUB_MAX_LENGTH and bool(_STUB.search(stripped)))


def choose_alternative(options: list[Content]) -> Content | None:
    """The alternative to read: plain text unless stub/blank or keyless next to HTML."""
    plain = next((c for c in options if c.bodies and _only(c, "text/plain")), None)
    rich = next((c for c in options if any(t == "text/html" for _, t in c.bodies)), None)
    if plain is not None and not is_stub(plain.text):
        keyless = rich is not None and not looks_keyed(plain.text) and looks_keyed(rich.text)
        if not keyless:
            return plain
    return rich or plain or next((c for c in options if c.bodies), None)


def _only(content: Content, ctype: str) -> bool:
    return all(t == ctype for _, t in content.bodies)


class Walker:
    """Collects a message's content; one instance per message."""

    def __init__(self) -> None:
        self.parts = 0

    def walk(self, part: Message, depth: int = 0, parent: str = "") -> Content:
        """Collect the content of `part` and everything below it."""
        content = Content()
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            content.notes.append("zbyt głęboko zagnieżdżona wiadomość: część pominięta")
            return content
        ctype = content_type(part)
        if ctype in _FORWARDS:
            return self._forwarded(part, depth)
        if ctype.startswith("message/"):  # delivery-status, disposition-notification: classify.py
            content.attachments.append(AttachmentInfo(None, ctype, 0, "ignored", "report"))
            return content
        if part.is_multipart():
            return self._multipart(part, ctype, depth)
        self._leaf(part, ctype, depth, parent, content)
        return content

    def _multipart(self, part: Message, ctype: str, depth: int) -> Content:
        payload = part.get_payload()
        children = (
            [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
        )
        walked = [self.walk(child, depth + 1, ctype) for child in children]
        content = Content()
        if ctype == "multipart/alternative" and walked:
            chosen = choose_alternative(walked)
            for option in walked:
                content.merge(option, bodies=option is chosen)
            return content
        for option in walked:
            content.merge(option)
        return content

    def _forwarded(self, part: Message, depth: int) -> Content:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            inner = parse_bytes(
                payload_bytes(part) or str(payload or "").encode("utf-8", "replace")
            )
        content = self.walk(inner, depth + 1) if inner is not None else Content()
        content.notes.append("załączona wiadomość (message/rfc822) odczytana pod treścią")
        size = message_size(inner) if inner is not None else 0
        content.attachments.append(
            AttachmentInfo(filename_of(part), "message/rfc822", size, "read", "message")
        )
        return content

    def _leaf(self, part: Message, ctype: str, depth: int, parent: str, out: Content) -> None:
        name = filename_of(part)
        data = payload_bytes(part)
        how = disposition(part)
        attached = how == "attachment" or (name is not None and how != "inline")
        inline_ref = parent == "multipart/related" or has_content_id(part)
        kind = kinds.leaf_kind(ctype, name, data, attached=attached, inline_ref=inline_ref)
        self.dispatch(kind, name, ctype, data, depth, out, part)

    def dispatch(
        self,
        kind: str,
        name: str | None,
        ctype: str,
        data: bytes,
        depth: int,
        out: Content,
        part: Message | None = None,
    ) -> None:
        """Handle one leaf (or one file unpacked from winmail.dat) by its kind."""
        if kind in ("plain", "html"):
            text_type = "text/html" if kind == "html" else "text/plain"
            text = part_text(part, text_type, data) if part is not None else bare_text(data)
            out.bodies.append((text, text_type))
        elif kind in kinds.SHEETS:
            self._sheet(kind, name, ctype, data, out)
        elif kind == "tnef":
            self._tnef(name, ctype, data, depth, out)
        elif kind == "message":
            out.merge(self._forwarded_bytes(data, depth))
            out.attachments.append(AttachmentInfo(name, ctype, len(data), "read", "message"))
        elif kind in ("signature", "report", "ignore", "inline_image"):
            out.attachments.append(AttachmentInfo(name, ctype, len(data), "ignored", kind))
        else:
            reason = kinds.review_reason(kind, name, ctype)
            out.needs_review.append(reason)
            out.attachments.append(AttachmentInfo(name, ctype, len(data), "needs_review", reason))

    def _forwarded_bytes(self, data: bytes, depth: int) -> Content:
        inner = parse_bytes(data)
        return self.walk(inner, depth + 1) if inner is not None else Content()

    def _sheet(self, kind: str, name: str | None, ctype: str, data: bytes, out: Content) -> None:
        label = name or f"bez nazwy ({ctype})"
        try:
            values = template_values(_READERS[kind](data))
        except SpreadsheetError as exc:
            values, problem = [], f"Nie udało się odczytać arkusza „{label}”: {exc}."
        else:
            problem = f"Arkusz „{label}” nie ma układu szablonu (Kod | Pytanie | Odpowiedź)."
        if not values:
            out.needs_review.append(problem)
            out.attachments.append(AttachmentInfo(name, ctype, len(data), "needs_review", problem))
            return
        out.sheets.append((label, values))
        out.attachments.append(AttachmentInfo(name, ctype, len(data), "read", kind))

    def _tnef(self, name: str | None, ctype: str, data: bytes, depth: int, out: Content) -> None:
        label = name or "winmail.dat"
        problem = f"Załącznik „{label}” (Outlook TNEF) nie zawiera treści do odczytania."
        try:
            tnef = read_tnef(data)
        except TnefError as exc:
            tnef, problem = (
                None,
                f"Załącznik „{label}” (Outlook TNEF) nie dał się rozpakować: {exc}.",
            )
        if tnef is not None and (tnef.body or tnef.attachments):
            if tnef.body:
                out.bodies.append((normalize_text(tnef.body), "text/plain"))
            octet = "application/octet-stream"
            for item in tnef.attachments:
                title = item.title or None
                kind = kinds.leaf_kind(octet, title, item.data, attached=True, inline_ref=False)
                self.dispatch(kind, title, octet, item.data, depth + 1, out)
            out.attachments.append(AttachmentInfo(name, ctype, len(data), "read", "tnef"))
            return
        out.needs_review.append(problem)
        out.attachments.append(AttachmentInfo(name, ctype, len(data), "needs_review", problem))
