"""Request parameter parsing: query string, form-encoded, JSON and multipart bodies.

Telegram accepts all four. Form and multipart values arrive as strings (PTB sends strings
as-is and JSON-encodes everything else), JSON bodies arrive typed; the typed accessors of
:class:`Params` coerce either, the way the Bot API server does by declared type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from typing import Any
from urllib.parse import parse_qsl

from ._errors import ApiError, bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    content: bytes


class Params:
    """The parameters of one Bot API call with typed, Telegram-like accessors."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files

    def loggable(self) -> dict[str, Any]:
        """Return the parameters with JSON-encoded strings decoded, for the request log."""
        decoded: dict[str, Any] = {}
        for name, value in self.values.items():
            decoded[name] = _maybe_json(value)
        for name, upload in self.files.items():
            decoded[name] = f"<file {upload.filename!r}, {len(upload.content)} bytes>"
        return decoded

    def get_str(self, name: str) -> str | None:
        """Return a string parameter (numbers are converted, like Telegram does)."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f"field {name!r} must be of type String")

    def get_int(self, name: str) -> int | None:
        """Return an integer parameter or ``None``; malformed values are a 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"field {name!r} must be of type Integer")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        """Return a numeric parameter or ``None``."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """Return a boolean parameter (``true``/``false``/``1``/``0``); absent is ``False``."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def get_json(self, name: str) -> Any:
        """Return a JSON-typed parameter; strings are decoded (form bodies), objects kept."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def get_file(self, name: str) -> UploadedFile | str | None:
        """Return an uploaded file for ``name`` (direct part or ``attach://``) or its string."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        return value


def _maybe_json(value: Any) -> Any:
    """Decode a JSON array/object string (form-encoded markup); leave other values alone."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_params(content_type: str, body: bytes, query: str) -> Params:
    """Parse a request's query string and body into :class:`Params`."""
    values: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return Params(values, files)
    if media_type == "application/json":
        values.update(_parse_json_body(body))
    elif media_type == "multipart/form-data":
        form, files = _parse_multipart(content_type, body)
        values.update(form)
    else:
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return Params(values, files)


def _parse_json_body(body: bytes) -> dict[str, Any]:
    """Decode a JSON object body."""
    try:
        decoded = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON body") from None
    if not isinstance(decoded, dict):
        raise bad_request("JSON body must be an object")
    return decoded


def _header_block(raw: bytes) -> Message:
    """Parse a MIME part's header block."""
    return HeaderParser().parsestr(raw.decode("utf-8", "replace"))


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a ``multipart/form-data`` body into text fields and files, byte-exactly."""
    boundary = _header_block(f"Content-Type: {content_type}\r\n\r\n".encode()).get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ApiError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"--" + boundary.encode()
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers = _header_block(head)
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = headers.get_filename()
        if filename is None:
            fields[name] = content.decode("utf-8", "replace")
        else:
            files[name] = UploadedFile(name, filename, headers.get_content_type(), content)
    return fields, files
