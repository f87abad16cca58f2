"""A small threaded HTTP/1.1 server that hands every request to one callback.

It tracks open connections so :meth:`HttpServer.stop` can close keep-alive sockets and
join every handler thread: nothing is left running or unclosed after a test.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class HttpRequest:
    """An incoming request, body fully read."""

    method: str
    path: str
    query: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class HttpResponse:
    """A response to write back."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[HttpRequest], HttpResponse]


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads the request, calls the server's handler, writes the response.

    The response leaves in one write on a socket without Nagle's algorithm: headers and
    body written separately would wait for the client's delayed ACK (~40 ms a call on
    Linux), which real Bot API servers do not add.
    """

    protocol_version = "HTTP/1.1"
    server: _Server
    wbufsize = 1 << 16  # buffered: headers and body are flushed together
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        """Serve a GET request."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST request."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def handle_expect_100(self) -> bool:
        """Send "100 Continue" now (the write buffer would otherwise hold it back)."""
        accepted = super().handle_expect_100()
        self.wfile.flush()
        return accepted

    def _serve(self) -> None:
        with self.server.busy:
            self.server.active += 1
        try:
            self._respond()
        finally:
            with self.server.busy:
                self.server.active -= 1
                self.server.busy.notify_all()

    def _respond(self) -> None:
        path, _, query = self.path.partition("?")
        request = HttpRequest(
            self.command,
            unquote(path),
            query,
            self.headers.get("Content-Type", ""),
            self._read_body(),
        )
        response = self.server.handler(request)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers its connections and handler threads."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 overflows when a bot opens dozens of keep-alive
    # connections at once (PTB's pool is 256): connections were reset, replies lost.
    request_queue_size = 128

    def __init__(self, handler: Handler, on_error: Callable[[str], None]) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.handler = handler
        self.on_error = on_error
        self.lock = threading.Lock()
        self.busy = threading.Condition()
        self.active = 0
        self.connections: set[socket.socket] = set()
        self.threads: set[threading.Thread] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a tracked handler thread for a new connection."""
        thread = threading.Thread(
            target=self._run_connection,
            args=(request, client_address),
            name="telegram-standin-connection",
            daemon=True,
        )
        with self.lock:
            self.connections.add(request)
            self.threads.add(thread)
        thread.start()

    def _run_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self.lock:
                self.connections.discard(request)
                self.threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away; report anything else to the stand-in."""
        del request, client_address
        if isinstance(sys.exc_info()[1], OSError):
            return
        self.on_error(traceback.format_exc())

    def close_connections(self, timeout: float) -> None:
        """Let in-flight responses finish, then shut down connections and join threads."""
        with self.busy:
            self.busy.wait_for(lambda: self.active == 0, timeout)
        with self.lock:
            connections = list(self.connections)
            threads = list(self.threads)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)


class HttpServer:
    """Runs :class:`_Server` on 127.0.0.1 (free port) in a background thread."""

    def __init__(self, handler: Handler, on_error: Callable[[str], None]) -> None:
        self._handler = handler
        self._on_error = on_error
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Bind and start serving."""
        self._server = _Server(self._handler, self._on_error)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="telegram-standin-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self, before_close: Callable[[], None] | None = None) -> None:
        """Stop accepting, run ``before_close`` (wake waiters), close everything, join."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        if before_close is not None:
            before_close()
        server.close_connections(timeout=5.0)
        server.server_close()
        self._server = self._thread = None
