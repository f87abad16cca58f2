"""What `serve` runs: long-lived components with a health report each."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Health:
    """A component's own view of itself, shown on /healthz."""

    status: str  # ok | degraded | down | disabled
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"status": self.status, **self.detail}


class Component(Protocol):
    """A part of the service that runs until asked to stop."""

    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then finish or safely abandon in-flight work."""
        ...

    def health(self) -> Health:
        """How the component is doing right now (cheap, no I/O)."""
        ...


@dataclass
class Disabled:
    """A channel that is not configured: reported at start and on /healthz, nothing runs."""

    name: str
    reason: str

    async def run(self, stop: asyncio.Event) -> None:
        """Nothing to do but wait."""
        await stop.wait()

    def health(self) -> Health:
        """Always disabled, with the reason."""
        return Health("disabled", {"reason": self.reason})


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when stop was requested meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
