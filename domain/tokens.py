"""Invitation tokens: derived from a server secret, so a database dump alone is useless.

The database keeps a random nonce per assignment and the SHA-256 of the token (for
look-up). The token itself is HMAC-SHA256(secret, nonce), 160 bits, URL-safe base64
without padding: valid as a Telegram deep-link parameter ([A-Za-z0-9_-], ≤ 64 chars)
and as an email plus-address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 20  # 160 bits ≥ the 128 the spec asks for
SHORT_TOKEN_LENGTH = 8


def new_nonce() -> str:
    """A fresh random nonce; replacing it revokes the old token."""
    return secrets.token_hex(16)


def derive_token(secret: bytes, nonce: str) -> str:
    """The token for a nonce under the server secret."""
    mac = hmac.new(secret, nonce.encode("ascii"), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def hash_token(token: str) -> str:
    """The stored look-up hash of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def short_token(token: str) -> str:
    """The short form shown in email subject tags (#abcd1234)."""
    return token[:SHORT_TOKEN_LENGTH]


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database look-up."""
    return 20 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)
