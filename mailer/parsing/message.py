"""`parse_message`: one raw incoming message in, a `MailParseResult` out, never raising.

Two layers: the message layer (headers, kind, MIME walk, keyed lines, attachment
rows: raw values per code, no card knowledge) and the typing layer (`answers.py`:
the card's codes only, each value parsed by the domain). Anything unexpected ends
as `kind="unknown"` with an error note (email-cases.md: never drop a message, one bad
message never stops the batch).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import date
from email.message import Message

from domain.cards.model import CardDefinition
from mailer.parsing.answers import CardSource, guess_card, type_answers
from mailer.parsing.classify import auto_reply_reason, bounce_info, first_text, receipt_reason
from mailer.parsing.headers import ADDRESS_RE, HeaderView
from mailer.parsing.keyed import best_per_code, extract_keyed
from mailer.parsing.mime import Content, Walker
from mailer.parsing.model import BODY, MailParseResult, RawAnswer
from mailer.parsing.quotes import reply_lines
from mailer.parsing.reports import mdn_original_id, returned_headers
from mailer.parsing.tokens import (
    RECIPIENT_HEADERS,
    is_our_address,
    subject_tag,
    token_from_addresses,
)

DEFAULT_SENDER_NAME = "Centrum Monitoringu MP"
# channels.md: warnings are confirmed by replying POTWIERDZAM. Upper case anywhere in
# the new text, or any case alone on a line; "nie potwierdzam" never confirms.
_CONFIRM_UPPER = re.compile(r"(?<!\w)POTWIERDZAM(?!\w)")
_CONFIRM_LINE = re.compile(r"^\W*potwierdzam\W*$", re.IGNORECASE | re.MULTILINE)
_NEGATED = re.compile(r"\bnie\s+potwierdzam\b", re.IGNORECASE)
_RETURNED_ID = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


def parse_message(
    raw: bytes,
    *,
    card: CardDefinition | None,
    catalog: CardSource | None,
    our_addresses: Iterable[str],
    today: date,
    our_name: str = DEFAULT_SENDER_NAME,
) -> MailParseResult:
    """Parse one raw message (RFC 5322 bytes); see the module docstring."""
    data = bytes(raw) if isinstance(raw, bytes | bytearray | memoryview) else str(raw).encode()
    digest = hashlib.sha256(data).hexdigest()
    try:
        ours = sorted({a.strip().lower() for a in our_addresses if a and "@" in a})
        return _parse(data, digest, card, catalog, ours, today, our_name)
    except Exception as exc:  # the last line of defence: the message is kept as unknown
        return MailParseResult(
            kind="unknown", size=len(data), sha256=digest, errors=[f"{type(exc).__name__}: {exc}"]
        )


def _parse(
    data: bytes,
    digest: str,
    card: CardDefinition | None,
    catalog: CardSource | None,
    ours: Sequence[str],
    today: date,
    our_name: str,
) -> MailParseResult:
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
    headers = HeaderView(message)
    result = MailParseResult(kind="reply", size=len(data), sha256=digest)
    _read_envelope(result, headers, ours)
    _classify(result, message, headers, ours)
    result.card = card.card.value if card is not None else result.subject_card
    if card is not None and result.subject_card not in (None, result.card):
        result.notes.append(f"temat wskazuje kartę {result.subject_card}, użyto {result.card}")
    if result.kind != "reply":
        return result
    content = Walker().walk(message)
    _read_content(result, content, ours, our_name)
    definition = card or _card_for(catalog, result)
    if definition is not None:
        _type(result, definition, today)
    elif result.raw_answers:
        result.notes.append("nie rozpoznano karty: odpowiedzi nieotypowane (raw_answers)")
    return result


def _read_envelope(result: MailParseResult, headers: HeaderView, ours: Sequence[str]) -> None:
    """Threading, sender, recipients, subject tag and the recipient token."""
    ids = headers.message_ids("Message-ID")
    result.message_id = ids[0] if ids else None
    reply_to = headers.message_ids("In-Reply-To")
    result.in_reply_to = reply_to[0] if reply_to else None
    result.references = headers.message_ids("References")
    senders = headers.addresses("From")
    if senders:
        result.from_name, result.from_address = senders[0][0] or None, senders[0][1]
    result.to_addresses = [address for _, address in headers.addresses("To", "Cc")]
    result.subject = headers.get("Subject") or ""
    result.sent_at = headers.date()
    recipients = [address for _, address in headers.addresses(*RECIPIENT_HEADERS)]
    result.token = token_from_addresses(recipients, ours)
    tag = subject_tag(result.subject)
    if tag is not None:
        result.subject_card, result.subject_session = tag.card, tag.session
        result.subject_short_token = tag.short_token
        if result.token and not result.token.startswith(tag.short_token):
            result.notes.append("token w adresie i w temacie się różnią")


def _classify(
    result: MailParseResult, message: Message, headers: HeaderView, ours: Sequence[str]
) -> None:
    """Set the kind: own, bounce, receipt, auto_reply, else reply (classify.py order)."""
    if result.from_address and is_our_address(result.from_address, ours):
        result.kind = "own"
        return
    bounce = bounce_info(
        message, headers, (result.from_address, result.from_name), result.subject, ours
    )
    if bounce is not None:
        result.kind, result.bounce = "bounce", bounce
        _read_returned(result, message, ours)
        return
    result.receipt_reason = receipt_reason(message, result.subject)
    if result.receipt_reason:
        result.kind = "receipt"
        result.original_message_id = mdn_original_id(message)
        _read_returned(result, message, ours)
        return
    result.auto_reply_reason = auto_reply_reason(headers, result.subject)
    if result.auto_reply_reason:
        result.kind = "auto_reply"


def _read_returned(result: MailParseResult, message: Message, ours: Sequence[str]) -> None:
    """Our original's Message-ID and tokenised Reply-To, returned inside a report
    (or, for qmail-style text bounces, pasted below "copy of the message")."""
    returned = returned_headers(message)
    if returned is not None:
        ids = returned.message_ids("Message-ID")
        addresses = [a for _, a in returned.addresses("Reply-To", "From")]
    else:
        text = first_text(message)
        ids = _RETURNED_ID.findall(text)
        addresses = ADDRESS_RE.findall(text)
    result.original_message_id = result.original_message_id or (ids[0] if ids else None)
    if result.token is None:
        result.token = token_from_addresses(addresses, ours)


def _read_content(
    result: MailParseResult, content: Content, ours: Sequence[str], our_name: str
) -> None:
    """Body keyed lines and attachment rows as raw answers; the new text; review notes."""
    lines = content.text.split("\n")
    best = best_per_code(extract_keyed(lines))
    raws = [
        RawAnswer(k.code, k.value, BODY, k.line, k.depth, k.card)
        for k in sorted(best.values(), key=lambda k: k.line)
    ]
    for name, rows in content.sheets:
        seen: set[str] = set()
        for row in rows:
            if row.raw.strip() and row.code not in seen:
                seen.add(row.code)
                raws.append(
                    RawAnswer(row.code, row.raw.strip(), f"attachment:{name}", row.row, 0, row.card)
                )
    result.raw_answers = raws
    new_text, _ = reply_lines(lines, [our_name], ours)
    result.reply_text = "\n".join(new_text).strip()
    result.confirm = is_confirmation(result.reply_text)
    result.body_source = "+".join(dict.fromkeys(t for _, t in content.bodies)) or "none"
    result.attachments = content.attachments
    result.needs_review = content.needs_review
    result.notes.extend(content.notes)


def is_confirmation(text: str) -> bool:
    """Whether the new text confirms the warnings with POTWIERDZAM."""
    if _NEGATED.search(text):
        return False
    return bool(_CONFIRM_UPPER.search(text) or _CONFIRM_LINE.search(text))


def _card_for(catalog: CardSource | None, result: MailParseResult) -> CardDefinition | None:
    """The card named by the subject tag, else the one whose codes the reply uses."""
    if catalog is None:
        return None
    kind = result.subject_card or guess_card(catalog, result.raw_answers)
    if kind is None:
        return None
    try:
        return catalog.get(kind)
    except KeyError:
        return None


def _type(result: MailParseResult, definition: CardDefinition, today: date) -> None:
    typed = type_answers(definition, result.raw_answers, today=today)
    result.card = definition.card.value
    result.answers, result.values = typed.answers, typed.values
    result.other_texts, result.answer_sources = typed.other_texts, typed.sources
    result.rejected, result.conflicts = typed.rejected, typed.conflicts
    result.ignored_codes = typed.ignored
    result.notes.extend(typed.notes)
