"""Property-based fuzzing: random MIME trees, charsets, headers and bytes.

The property is stronger than "no exception escapes" (parse_message catches
everything): the last line of defence must never be needed, i.e. every generated
message gets a real kind with no error note, and its JSON serialises.
"""

from __future__ import annotations

import base64
import io
import json
import quopri
from datetime import date
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from domain.cards.catalog import CardCatalog
from mailer.parsing import KINDS, MailParseResult, parse_message

OURS = {"monitoring@obserwatorium-mp.example.org"}
TOKEN = "q7Xv2LmN9pRtY4wZ8bKc1dFgH3jS5uVa"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHARSETS = [
    "utf-8",
    "iso-8859-2",
    "windows-1250",
    "us-ascii",
    "utf-7",
    "x-unknown-8",
    "iso-8859-8-i",
    "utf-8*pl",
    "",
    '"',
    "bogus label",
    "\x7f",
]
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus"]
LEAF_TYPES = [
    "text/plain",
    "text/plain; format=flowed; delsp=yes",
    "text/html",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    "application/vnd.oasis.opendocument.spreadsheet",
    "message/rfc822",
    "message/delivery-status",
    "message/disposition-notification",
    "text/rfc822-headers",
    "application/ms-tnef",
    "image/png",
    "application/pkcs7-signature",
    "application/pkcs7-mime",
    "application/pdf",
    "text",
]
SUBTYPES = [
    "mixed",
    "alternative",
    "related",
    "signed",
    "report; report-type=delivery-status",
    "report; report-type=disposition-notification",
    "x-unknown",
]
HEADER_NAMES = [
    "Subject",
    "From",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "Delivered-To",
    "Return-Path",
    "Content-Disposition",
    "Reply-To",
    "X-Auto-Response-Suppress",
]
KEYED = [
    "[II.0.1] Liczba: 25",
    "II.0.2 = 1 200",
    "> [I.6a] Program: tak",
    "I.6b: 31.02.2024",
    "W dniu 16.11.2026 o 09:15, X pisze:",
    "Od: Centrum Monitoringu MP",
    "Data: 1.1.2026",
    "--- Prosimy odpowiadać nad tą linią ---",
    "| [II.0.3] | x | 7 |",
    "POTWIERDZAM",
    "Final-Recipient: rfc822; jan@x.pl",
    "Status: 5.1.1",
    "<p>II.0.1: 3<br>",
    "<blockquote>",
]


@cache
def catalog() -> CardCatalog:
    """The built-in cards, loaded once."""
    return CardCatalog.builtin()


@cache
def small_xlsx() -> bytes:
    """A valid template workbook, to fuzz the paths behind a successful open."""
    book = Workbook()
    assert book.active is not None
    book.active.append(["Kod", "Pytanie", "Odpowiedź"])
    book.active.append(["[II.0.1]", "Liczba", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


header_value = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from(
        [
            f"<monitoring+{TOKEN}@obserwatorium-mp.example.org>",
            '"',
            "<[x@y]>",
            "=?utf-8?B?T2Rw!!?=",
            "=?x-bogus?Q?=FF=FE?=",
            "auto-replied",
            "bulk",
            "Undelivered Mail",
            "=?utf-8?q?",
            "[Karta IZUS · 2026-H2 · #q7Xv2LmN]",
            "attachment; filename*=x''%FF",
            "MAILER-DAEMON@x.pl",
        ]
    ).map(lambda s: s.encode()),
)
headers = st.lists(
    st.tuples(
        st.sampled_from(HEADER_NAMES) | st.text("ABCXYZ-", min_size=1, max_size=8), header_value
    ),
    max_size=6,
)


@st.composite
def body_text(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(KEYED) | st.text(max_size=40), max_size=8))
    charset = draw(st.sampled_from(["utf-8", "cp1250", "iso-8859-2", "utf-16"]))
    return "\n".join(lines).encode(charset, errors="replace")


payloads = st.one_of(
    st.binary(max_size=300),
    body_text(),
    st.just(b"x").map(lambda _: small_xlsx()),
    st.binary(max_size=40).map(lambda b: b"\x78\x9f\x3e\x22\x01\x00" + b),  # TNEF signature
    st.binary(max_size=40).map(lambda b: b"PK\x03\x04" + b),
)


def encode(payload: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(payload)
    if cte == "quoted-printable":
        return quopri.encodestring(payload)
    return payload


@st.composite
def leaves(draw: st.DrawFn) -> bytes:
    ctype, charset, cte = (
        draw(st.sampled_from(LEAF_TYPES)),
        draw(st.sampled_from(CHARSETS)),
        draw(st.sampled_from(ENCODINGS)),
    )
    name = draw(
        st.sampled_from(
            ["", '; name="karta.xlsx"', "; name=winmail.dat", "; name*=utf-8''%C5%BC.csv"]
        )
    )
    head = (
        f'Content-Type: {ctype}; charset="{charset}"{name}\r\nContent-Transfer-Encoding: {cte}\r\n'
    )
    extra = b"".join(n.encode() + b": " + v + b"\r\n" for n, v in draw(headers))
    return head.encode("utf-8", "surrogateescape") + extra + b"\r\n" + encode(draw(payloads), cte)


def multipart(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        subtype = draw(st.sampled_from(SUBTYPES))
        boundary = draw(st.text("abcXYZ0189_-=.", min_size=1, max_size=12))
        parts = draw(st.lists(children, max_size=4))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
        closing = draw(
            st.sampled_from([b"--" + boundary.encode() + b"--\r\n", b""])
        )  # truncated too
        head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
        return head + b"preamble\r\n" + body + closing

    return build()


trees = st.recursive(leaves(), multipart, max_leaves=8)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    top = b"".join(n.encode() + b": " + v + b"\r\n" for n, v in draw(headers))
    return top + b"MIME-Version: 1.0\r\n" + draw(trees)


def check(result: MailParseResult) -> None:
    assert result.kind in KINDS
    assert result.kind != "unknown", result.errors
    assert result.errors == []
    json.dumps(result.to_json())
    if result.kind != "reply":
        assert result.answers == {}


@FUZZ
@given(messages(), st.sampled_from([None, "izus", "ngo"]))
def test_random_mime_trees(raw: bytes, card: str | None) -> None:
    definition = catalog().get(card) if card else None
    check(
        parse_message(
            raw, card=definition, catalog=catalog(), our_addresses=OURS, today=date(2026, 11, 22)
        )
    )


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(raw: bytes) -> None:
    check(
        parse_message(
            raw, card=None, catalog=catalog(), our_addresses=OURS, today=date(2026, 11, 22)
        )
    )


@FUZZ
@given(headers, body_text())
def test_random_headers_over_a_plain_body(head: list[tuple[str, bytes]], body: bytes) -> None:
    raw = b"".join(n.encode() + b": " + v + b"\r\n" for n, v in head) + b"\r\n" + body
    check(
        parse_message(
            raw, card=None, catalog=catalog(), our_addresses=OURS, today=date(2026, 11, 22)
        )
    )
