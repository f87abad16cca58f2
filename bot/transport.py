"""The bot's HTTP transport to the Bot API: PTB's request interface on aiohttp.

PTB's default transport (httpx) costs about a millisecond of CPU per call in this
process, most of it httpx/httpcore machinery (request and timeout objects, and a scan
of every pooled connection on each request and each response). A card answered with
buttons makes 1.4 Bot API calls per update, so that machinery was most of the bot's
CPU (docs/benchmarks.md, "Telegram bot"). aiohttp does the same HTTP/1.1 keep-alive
work with a C parser. PTB documents `BaseRequest` as the place for another backend:
PTB still builds every request and reads every answer (errors, 429 `retry_after`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _or(value: ODVInput[float], default: float | None) -> float | None:
    """A per-call timeout, or the transport's own when the caller left it unset."""
    return default if value is BaseRequest.DEFAULT_NONE else value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded keep-alive pool; PTB's timeouts and errors.

    `pool_timeout` bounds the wait for a free connection plus connecting; aiohttp has
    no write timeout (a request body here is a few kilobytes, a report a few hundred).
    """

    __slots__ = ("_connect", "_pool", "_read", "_session", "_size")

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
    ) -> None:
        self._size = connection_pool_size
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """See `BaseRequest.read_timeout` (PTB adds the long-poll time for getUpdates)."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (again after a shutdown; a no-op while open)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._size),
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections (a no-op when already closed)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See `BaseRequest.do_request`: the status and the body, or PTB's errors."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_or(pool_timeout, self._pool),
            sock_connect=_or(connect_timeout, self._connect),
            sock_read=_or(read_timeout, self._read),
        )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        files = request_data.multipart_data if request_data is not None else None
        if request_data is not None and files:
            body = aiohttp.FormData(quote_fields=False)
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, (filename, content, *kind) in files.items():
                kind_of = next(iter(kind), None)
                body.add_field(name, content, filename=filename, content_type=kind_of)
        elif request_data is not None:
            # What httpx sends for PTB: the parameters form-encoded (given a dict, aiohttp
            # would build a multipart writer with a random boundary only to drop it).
            body, headers = request_data.url_encoded_parameters().encode(), FORM
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
