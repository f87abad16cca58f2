"""A small HTTP endpoint on localhost: GET /healthz → JSON (200 when nothing is down)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

Report = Callable[[], dict[str, Any]]


class HealthServer:
    """Serves /healthz with a report computed in a worker thread (it touches the database)."""

    def __init__(self, report: Report, host: str = "127.0.0.1", port: int = 8089) -> None:
        self.report = report
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen (port 0 picks a free one; see `.port` afterwards)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (b"\r\n", b""):
                pass
            path = request.split(b" ")[1] if request.count(b" ") >= 2 else b"/"
            if path.split(b"?")[0] != b"/healthz":
                await _respond(writer, 404, {"error": "not found"})
                return
            report = await asyncio.to_thread(self.report)
            await _respond(writer, 503 if report.get("status") == "down" else 200, report)
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()


async def _respond(writer: asyncio.StreamWriter, code: int, body: dict[str, Any]) -> None:
    data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[code]
    head = (
        f"HTTP/1.1 {code} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode("ascii") + data)
    await writer.drain()
