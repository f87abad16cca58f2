"""Bot API methods about the bot itself, updates, callbacks, chats and files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ._errors import QUERY_TOO_OLD, ApiError, bad_request
from ._models import CallbackAnswer
from ._objects import chat_full_info_json, file_json
from ._params import Params
from ._state import StandInState

JsonDict = dict[str, Any]
Method = Callable[[StandInState, Params], Any]

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
MAX_POLL_TIMEOUT = 50.0


def get_me(state: StandInState, params: Params) -> JsonDict:
    """``getMe``: the bot's ``User`` object."""
    del params
    return dict(state.bot_user)


def get_updates(state: StandInState, params: Params) -> list[JsonDict]:
    """``getUpdates``: confirm by ``offset``, return up to ``limit``, long-poll ``timeout``."""
    limit = params.get_int("limit") or 100
    timeout = min(max(params.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        with state.cond:
            state.allowed_updates = [str(kind) for kind in allowed] or None
    return state.poll(params.get_int("offset"), min(max(limit, 1), 100), timeout)


def _drop_pending(state: StandInState, params: Params) -> None:
    if params.get_bool("drop_pending_updates"):
        state.pending.clear()


def set_webhook(state: StandInState, params: Params) -> bool:
    """``setWebhook``: remember the URL (an empty URL removes the webhook)."""
    url = params.get_str("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    with state.cond:
        _drop_pending(state, params)
        state.webhook = {"url": url, "max_connections": params.get_int("max_connections") or 40}
        allowed = params.get_json("allowed_updates")
        if allowed:
            state.webhook["allowed_updates"] = allowed
        state.cond.notify_all()
    return True


def delete_webhook(state: StandInState, params: Params) -> bool:
    """``deleteWebhook``: remove the webhook, optionally dropping pending updates."""
    with state.cond:
        _drop_pending(state, params)
        state.webhook = {"url": ""}
    return True


def get_webhook_info(state: StandInState, params: Params) -> JsonDict:
    """``getWebhookInfo``."""
    del params
    with state.cond:
        info: JsonDict = {
            "url": state.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(state.pending),
        }
        if info["url"]:
            info.update({k: v for k, v in state.webhook.items() if k != "url"})
        return info


def _commands_key(params: Params) -> str:
    """Storage key for a (scope, language) pair."""
    scope = params.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("unsupported bot command scope type")
    language = params.get_str("language_code") or ""
    return f"commands|{json.dumps(scope, sort_keys=True)}|{language}"


def _validate_commands(commands: Any) -> list[JsonDict]:
    """Check ``setMyCommands``'s list like Telegram."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("too many commands" if isinstance(commands, list) else "commands empty")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description") or "").strip()
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def set_my_commands(state: StandInState, params: Params) -> bool:
    """``setMyCommands`` for a scope and language."""
    commands = _validate_commands(params.get_json("commands"))
    key = _commands_key(params)
    with state.cond:
        state.bot_settings[key] = commands
    return True


def get_my_commands(state: StandInState, params: Params) -> list[JsonDict]:
    """``getMyCommands`` for exactly that scope and language."""
    key = _commands_key(params)
    with state.cond:
        return list(state.bot_settings.get(key, []))


def delete_my_commands(state: StandInState, params: Params) -> bool:
    """``deleteMyCommands`` for a scope and language."""
    key = _commands_key(params)
    with state.cond:
        state.bot_settings.pop(key, None)
    return True


def _setting(field: str, limit: int) -> tuple[Method, Method]:
    """A set/get pair for a per-language bot text (description, short description, name)."""

    def setter(state: StandInState, params: Params) -> bool:
        value = params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        with state.cond:
            state.bot_settings[f"{field}|{params.get_str('language_code') or ''}"] = value
        return True

    def getter(state: StandInState, params: Params) -> JsonDict:
        with state.cond:
            key = f"{field}|{params.get_str('language_code') or ''}"
            return {field: state.bot_settings.get(key, "")}

    return setter, getter


def answer_callback_query(state: StandInState, params: Params) -> bool:
    """``answerCallbackQuery``: once per query, within ``callback_query_ttl`` seconds."""
    query_id = params.get_str("callback_query_id") or ""
    text = params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    with state.cond:
        record = state.callback_queries.get(query_id)
        expired = record is None or state.now() - record.created_at > state.callback_query_ttl
        if record is None or record.answered or expired:
            raise ApiError(400, QUERY_TOO_OLD)
        answer = CallbackAnswer(
            query_id, text, params.get_bool("show_alert"), params.get_str("url"), state.now()
        )
        state.callback_queries[query_id] = replace(record, answer=answer)
        state.cond.notify_all()
    return True


def get_chat(state: StandInState, params: Params) -> JsonDict:
    """``getChat`` for a private chat the bot knows."""
    with state.cond:
        return chat_full_info_json(state.known_chat(params.get_int("chat_id")))


def get_file(state: StandInState, params: Params) -> JsonDict:
    """``getFile``: path for downloading via ``base_file_url``."""
    with state.cond:
        stored = state.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return file_json(stored)


def _true(state: StandInState, params: Params) -> bool:
    """Methods the stand-in accepts without modelling (``close``, ``logOut``)."""
    del state, params
    return True


_set_description, _get_description = _setting("description", 512)
_set_short_description, _get_short_description = _setting("short_description", 120)
_set_name, _get_name = _setting("name", 64)

METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setmydescription": _set_description,
    "getmydescription": _get_description,
    "setmyshortdescription": _set_short_description,
    "getmyshortdescription": _get_short_description,
    "setmyname": _set_name,
    "getmyname": _get_name,
    "answercallbackquery": answer_callback_query,
    "getchat": get_chat,
    "getfile": get_file,
    "close": _true,
    "logout": _true,
}
