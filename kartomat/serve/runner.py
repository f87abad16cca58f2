"""Runs the components until SIGTERM/SIGINT, with /healthz beside them."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from sqlalchemy import text

from kartomat.bootstrap import App
from kartomat.serve.component import Component, wait_or_stop
from kartomat.serve.health import HealthServer
from services.outbox import OutboxService

log = logging.getLogger("kartomat.serve")
SHUTDOWN_GRACE_S = 20.0
RESTART_DELAY_S = 5.0


def health_report(app: App, components: list[Component]) -> dict[str, Any]:
    """Database reachability, outbox backlog and every component's own health."""
    report: dict[str, Any] = {"status": "ok", "components": {}}
    try:
        assert app.engine is not None
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        report["database"] = {"status": "ok"}
        report["outbox_backlog"] = OutboxService(app.uow, app.clock).backlog()
    except Exception as error:  # a health check reports, it never raises
        report["database"] = {"status": "down", "error": type(error).__name__}
        report["status"] = "down"
    for component in components:
        health = component.health().as_dict()
        report["components"][component.name] = health
        if health["status"] in ("down", "degraded") and report["status"] == "ok":
            report["status"] = "degraded"
    return report


async def supervise(component: Component, stop: asyncio.Event) -> None:
    """Run a component; if it crashes, log it and start it again after a pause."""
    while not stop.is_set():
        try:
            await component.run(stop)
            return
        except Exception as error:  # one failing channel must not take the others down
            log.error("component crashed", extra={"component": component.name,
                                                  "error": type(error).__name__})  # fmt: skip
            if await wait_or_stop(stop, RESTART_DELAY_S):
                return


async def serve(app: App, components: list[Component], *, health_port: int = 8089) -> None:
    """Run until a signal; then let every component finish or safely abandon its work."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    health = HealthServer(lambda: health_report(app, components), port=health_port)
    await health.start()
    for component in components:
        state = component.health()
        if state.status == "disabled":
            reason = state.detail.get("reason")
            log.warning("channel disabled", extra={"component": component.name, "disabled": reason})
    log.info("kartomat serve started", extra={"components": [c.name for c in components],
                                              "port": health.port})  # fmt: skip
    tasks = [asyncio.create_task(supervise(c, stop), name=c.name) for c in components]
    await stop.wait()
    log.info("stopping")
    done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await health.stop()
    log.info("stopped", extra={"count": len(done)})
