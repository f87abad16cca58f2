"""Structured logs: one JSON object per line, with no secrets and no personal data.

Only whitelisted fields are written (ids, counts, channel names, error classes), so a
token, password or an answer can never reach the log by accident.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

ALLOWED = frozenset(
    {"component", "components", "channel", "kind", "count", "error", "assignment_id",
     "message_id", "status", "disabled", "port", "sent", "enqueued", "uid", "folder",
     "unreachable", "remaining"}
)  # fmt: skip


class JsonFormatter(logging.Formatter):
    """time, level, logger, message and the whitelisted extras."""

    def format(self, record: logging.LogRecord) -> str:
        """One JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k in ALLOWED})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the class only: no message text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send kartomat's logs to stderr as JSON; quieten chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "apscheduler", "telegram", "aiosmtpd", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
