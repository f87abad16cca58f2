"""Never-raising header reading (cases 10-11) and the token in addresses and subjects."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailer.parsing.headers import (
    _SIMPLE_ADDRESS,
    HeaderView,
    decode_header_value,
    decode_rfc2047,
    parse_addresses,
)
from mailer.parsing.tokens import (
    is_our_address,
    subject_tag,
    token_from_addresses,
    token_in_address,
)

OURS = ["monitoring@obserwatorium-mp.example.org"]
FAST = settings(max_examples=2000, deadline=None)
TOKEN = "q7Xv2LmN9pRtY4wZ8bKc1dFgH3jS5uVa"


def view(raw: bytes) -> HeaderView:
    parser = email.parser.BytesParser(policy=email.policy.compat32)
    return HeaderView(parser.parsebytes(raw, headersonly=True))


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?UTF-8?Q?Wi=C5=9Bniewski?=", "Wiśniewski"),
        ("=?utf-8?q?Karta_?= =?utf-8?q?IZUS?=", "Karta IZUS"),  # adjacent words join
        ("Re: =?ISO-8859-2?Q?Gra=BFyna?= W", "Re: Grażyna W"),
        ("=?x-unknown?Q?Gra=BFyna?=", "Grażyna"),  # unknown charset: fallback
        ("=?utf-8?B?T2Rw!!?=", "Odp"),  # junk in base64 is skipped
        ("=?utf-8?B?T2R?=", "Od"),  # missing padding
        ("no words here", "no words here"),
    ],
)
def test_rfc2047(raw: str, decoded: str) -> None:
    assert decode_rfc2047(raw) == decoded


def test_raw_8bit_headers_are_recovered() -> None:
    headers = view(
        "Subject: Odp: wypełnienie\r\n".encode("cp1250") + "From: Bożena <b@x.pl>\r\n\r\n".encode()
    )
    assert headers.get("Subject") == "Odp: wypełnienie"
    assert headers.addresses("From") == [("Bożena", "b@x.pl")]


def test_folded_values_are_unfolded() -> None:
    assert decode_header_value("=?utf-8?q?Karta?=\r\n =?utf-8?q?_IZUS?=") == "Karta IZUS"


def test_exchange_message_id_and_broken_to_degrade_to_raw() -> None:
    headers = view(b'Message-ID: <[ABC@x.outlook.com]>\r\nTo: "\r\nIn-Reply-To: garbage\r\n\r\n')
    assert headers.message_ids("Message-ID") == ["<[ABC@x.outlook.com]>"]
    assert headers.message_ids("In-Reply-To") == ["garbage"]
    assert headers.addresses("To") == []
    assert headers.get("X-Missing") is None
    assert headers.date() is None


def test_address_fallback_finds_addresses_in_garbage() -> None:
    assert parse_addresses('"Kowalski, Jan" <jan@x.pl>') == [("Kowalski, Jan", "jan@x.pl")]
    assert parse_addresses("<<jan@x.pl") == [("", "jan@x.pl")]


@pytest.mark.parametrize(
    ("address", "token"),
    [
        (f"monitoring+{TOKEN}@obserwatorium-mp.example.org", TOKEN),
        (f"monitoring.{TOKEN}@obserwatorium-mp.example.org", TOKEN),  # relay dropped "+"
        (f"Monitoring+{TOKEN}@Obserwatorium-MP.example.org", TOKEN),
        (f"monitoring+{TOKEN}@elsewhere.example.org", None),  # not our domain
        ("monitoring+short@obserwatorium-mp.example.org", None),  # too short for a token
        (f"jan.{TOKEN}@obserwatorium-mp.example.org", None),  # not our mailbox
        ("monitoring@obserwatorium-mp.example.org", None),
    ],
)
def test_token_in_address(address: str, token: str | None) -> None:
    assert token_in_address(address, OURS) == token


def test_token_without_configured_addresses_accepts_plus_tags() -> None:
    assert token_from_addresses(["x@y.pl", f"a+{TOKEN}@b.pl"], []) == TOKEN


@pytest.mark.parametrize(
    ("subject", "card", "session", "short"),
    [
        ("Re: [Karta IZUS · 2026-H2 · #q7Xv2LmN] Karta", "izus", "2026-H2", "q7Xv2LmN"),
        ("ODP: [Karta NGO · 2026-H1 · #Nw4Gq8Rt]", "ngo", "2026-H1", "Nw4Gq8Rt"),
        ("Re: [Karta IZUS ? 2026-H2 ? #Hs3kP0a_] x", "izus", "2026-H2", "Hs3kP0a_"),  # mangled dots
        ("Re: [karta izus Â· 2026-H2 Â· #q7Xv2LmN9pRt]", "izus", "2026-H2", "q7Xv2LmN"),
    ],
)
def test_subject_tag(subject: str, card: str, session: str, short: str) -> None:
    tag = subject_tag(subject)
    assert tag is not None
    assert (tag.card, tag.session, tag.short_token) == (card, session, short)


def test_subject_without_tag() -> None:
    assert subject_tag("Re: karta") is None


def test_our_address_ignores_case_and_plus_tags() -> None:
    assert is_our_address(f"Monitoring+{TOKEN}@obserwatorium-mp.example.org", OURS)
    assert not is_our_address("monitoring@elsewhere.example.org", OURS)


# The fast path of parse_addresses must give what email.utils.getaddresses gives.
_NAME_CHARS = "AaZzżółćĘŚ019 \t'!#$%&*+/=?^_`{|}~-.,\";:()<>[]@\\"
_LOCAL_CHARS = "abcXYZ019.!#$%&'*+/=?^_`{|}~-\" @(),"
_DOMAIN_CHARS = "abc.XYZ019-_[]@ "


def _slow(value: str) -> list[tuple[str, str]]:
    pairs = email.utils.getaddresses([value])
    return [(n.strip(), a.strip()) for n, a in pairs if "@" in a]


@FAST
@given(
    st.text(_NAME_CHARS, max_size=20),
    st.text(_LOCAL_CHARS, min_size=1, max_size=12),
    st.text(_DOMAIN_CHARS, min_size=1, max_size=12),
    st.sampled_from(["{n} <{l}@{d}>", "{n}<{l}@{d}>", "<{l}@{d}>", "{l}@{d}", " {l}@{d} "]),
)
def test_simple_address_fast_path_agrees_with_getaddresses(
    name: str, local: str, domain: str, form: str
) -> None:
    value = form.format(n=name, l=local, d=domain)
    if _SIMPLE_ADDRESS.fullmatch(value) is not None:
        assert parse_addresses(value) == _slow(value)


@pytest.mark.parametrize(
    "value",
    [
        "Osoba 1 <ops1@gmina.example>",
        "Zażółć  Gęślą <z@x.pl>",
        "monitoring+q7Xv2LmN9pRtY4wZ8bKc1dFgH3jS5uVa@cm.example",
        "<a@b.pl>",
        "Name<a@b.pl>",
    ],
)
def test_common_addresses_take_the_fast_path(value: str) -> None:
    assert _SIMPLE_ADDRESS.fullmatch(value) is not None
    assert parse_addresses(value) == _slow(value)
