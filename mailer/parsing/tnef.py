"""A minimal reader for `winmail.dat` (Outlook's TNEF, [MS-OXTNEF]).

Outlook with "Rich Text" format wraps the body and the attachments of a message in
one `application/ms-tnef` part (email-cases.md case 18). This reader takes what the
legacy TNEF attributes carry: the plain-text body (`attBody`), each attachment's
title (`attAttachTitle`) and data (`attAttachData`). Bodies kept only as compressed
RTF inside MAPI properties are not decoded: the caller sends those to staff review.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from mailer.parsing.charsets import decode_bytes

TNEF_SIGNATURE = 0x223E9F78
_LEVEL_MESSAGE = 0x01
_LEVEL_ATTACHMENT = 0x02
# Attribute ids ([MS-OXTNEF] 2.1.3.3): the low 16 bits of the AttributeID field.
_ATT_BODY = 0x800C
_ATT_ATTACH_DATA = 0x800F
_ATT_ATTACH_TITLE = 0x8010
_ATT_ATTACH_REND_DATA = 0x9002
_ATT_OEM_CODEPAGE = 0x9007
_MAX_ATTRIBUTES = 10_000
_HEADER = struct.Struct("<BII")  # level, attribute id, length


class TnefError(Exception):
    """Not a TNEF stream, or a truncated one."""


@dataclass
class TnefAttachment:
    """One attachment carried inside winmail.dat."""

    title: str = ""
    data: bytes = b""


@dataclass
class TnefContent:
    """What could be taken out of a winmail.dat."""

    body: str | None = None
    attachments: list[TnefAttachment] = field(default_factory=list)


def is_tnef(data: bytes) -> bool:
    """Whether `data` starts with the TNEF signature."""
    return len(data) >= 4 and struct.unpack_from("<I", data)[0] == TNEF_SIGNATURE


def _attributes(data: bytes) -> list[tuple[int, int, bytes]]:
    """(level, attribute id, payload) of every attribute, checked for truncation."""
    if not is_tnef(data) or len(data) < 6:
        raise TnefError("brak sygnatury TNEF")
    found: list[tuple[int, int, bytes]] = []
    position = 6  # signature (4 bytes) + legacy key (2 bytes)
    while position + _HEADER.size <= len(data) and len(found) < _MAX_ATTRIBUTES:
        level, attribute, length = _HEADER.unpack_from(data, position)
        start = position + _HEADER.size
        end = start + length
        if end + 2 > len(data):  # payload and its 2-byte checksum
            raise TnefError("ucięty strumień TNEF")
        found.append((level, attribute & 0xFFFF, data[start:end]))
        position = end + 2
    if position < len(data) and len(found) < _MAX_ATTRIBUTES:
        raise TnefError("ucięty strumień TNEF")
    return found


def _text(payload: bytes, codepage: str | None) -> str:
    return decode_bytes(payload.rstrip(b"\x00"), codepage)


def read_tnef(data: bytes) -> TnefContent:
    """Body text and attachments of a TNEF stream (raises TnefError when unreadable)."""
    content = TnefContent()
    codepage: str | None = None
    current: TnefAttachment | None = None
    for level, attribute, payload in _attributes(data):
        if attribute == _ATT_OEM_CODEPAGE and len(payload) >= 4:
            codepage = f"cp{struct.unpack_from('<I', payload)[0]}"
        elif level == _LEVEL_MESSAGE and attribute == _ATT_BODY:
            content.body = _text(payload, codepage)
        elif level == _LEVEL_ATTACHMENT and attribute == _ATT_ATTACH_REND_DATA:
            current = TnefAttachment()
            content.attachments.append(current)
        elif level == _LEVEL_ATTACHMENT and current is not None:
            if attribute == _ATT_ATTACH_TITLE:
                current.title = _text(payload, codepage)
            elif attribute == _ATT_ATTACH_DATA:
                current.data = payload
    return content
