"""Real mail servers on loopback for the integration tests: Dovecot IMAP, aiosmtpd, a proxy.

Dovecot runs from its own config in a temp dir (plaintext auth on loopback, a
passwd-file, Maildir storage, no TLS) as the current user; the system service stays
off. The proxy forwards TCP to Dovecot and can cut the connection after a number of
bytes from the server, to drop a FETCH half way.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

USER, PASSWORD = "monitoring", "haslo-testowe"
CAPABILITIES_WITHOUT_MOVE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE UIDPLUS CHILDREN "
    "UNSELECT LIST-EXTENDED SPECIAL-USE"
)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mail_owner() -> tuple[int, int]:
    """Who owns the mail: the current user, or Debian's `dovecot` user when we are root
    (Dovecot never accesses mail as uid 0)."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam("dovecot")
    return entry.pw_uid, entry.pw_gid


def _config(root: Path, port: int, capabilities: str | None) -> str:
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    # As root (CI) Dovecot refuses to run its login and internal processes as root: the
    # Debian package's own users take those; mail processes still run as root.
    login, internal = ("dovenull", "dovecot") if os.getuid() == 0 else (user, user)
    uid, gid = mail_owner()
    lines = [
        f"base_dir = {root}/run",
        f"state_dir = {root}/state",
        "protocols = imap",
        "listen = 127.0.0.1",
        f"log_path = {root}/dovecot.log",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        f"default_internal_user = {internal}",
        f"default_login_user = {login}",
        f"default_internal_group = {group}",
        "first_valid_uid = 0",
        "first_valid_gid = 0",
        "mail_location = maildir:~/Maildir",
        "mail_fsync = never",
        "service imap-login {",
        f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}",
        "  inet_listener imaps {\n    port = 0\n  }",
        "}",
        "service anvil {\n  chroot =\n}",
        "service imap-login {\n  chroot =\n}",
        "namespace inbox {\n  inbox = yes\n  separator = /\n}",
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {root}/passwd\n}}",
        f"userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={root}/home/%u\n}}",
        "protocol imap {\n  mail_max_userip_connections = 100\n}",
    ]
    if capabilities is not None:
        lines.append(f"imap_capability = {capabilities}")
    return "\n".join(lines) + "\n"


@dataclass
class Dovecot:
    """A running Dovecot instance (see `start`)."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def doveadm(self, *args: str) -> str:
        result = subprocess.run(
            ["doveadm", "-c", str(self.config), *args], capture_output=True, text=True, check=True
        )
        return result.stdout


def start_dovecot(root: Path, capabilities: str | None = None) -> Dovecot:
    """Start `dovecot -F -c CONF` on a free port and wait until it answers."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # the mail user (not us, when we are root) must reach home/
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chown(root / "home", *mail_owner())
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    (root / "dovecot.conf").write_text(_config(root, port, capabilities))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Dovecot(root, port, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"dovecot exited: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not start")


@dataclass
class SmtpSink:
    """aiosmtpd handler: keeps every message it accepts."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((envelope.mail_from or "", list(envelope.rcpt_tos), content))
        return "250 OK"


def start_smtp(port: int) -> tuple[Controller, SmtpSink]:
    """An SMTP server on 127.0.0.1:port (plain, no auth)."""
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, sink


class CuttingProxy:
    """TCP proxy to `upstream`; `arm(n)` cuts every connection after n more server bytes."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.budget: int | None = None
        self.cuts = 0
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, after_bytes: int) -> None:
        self.budget = after_bytes

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_server: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_server and self.budget is not None:
                    if len(data) > self.budget:  # the connection drops mid-response
                        target.sendall(data[: self.budget])
                        self.budget, self.cuts = None, self.cuts + 1
                        break
                    self.budget -= len(data)
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
