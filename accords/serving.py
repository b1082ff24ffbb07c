"""Serving deployments with a Prefect Runner, and stopping it cleanly on SIGINT/SIGTERM.

``flows/serve.py`` builds the deployments and hands them to ``serve_until_stopped``. After a stop
is asked no flow run starts (``StopGate``); a run in flight gets a grace period, then its
processes (found with psutil under this process, the local server's group spared) are killed and
the warehouse records it as failed, "interrupted" (``accords.runner.recover_interrupted``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from typing import Any
from uuid import UUID

import anyio
from prefect.runner._limit_manager import LimitManager

from accords.processes import KILL_WAIT_SECONDS, flow_run_processes, kill_processes
from accords.runner import recover_interrupted
from accords.server import STOP_GRACE_SECONDS, Log
from accords.settings import Settings


class StopGate(LimitManager):
    """The runner's run slots, closed once a stop is asked: no flow run is submitted after it.

    Prefect's poller takes a slot before it submits a flow run and gives it back when the run's
    process has exited, so the slots held are the runs in flight (starting or running).
    """

    def __init__(self) -> None:
        super().__init__(limit=None)
        self.closed = False
        self.held: set[UUID] = set()

    def acquire(self) -> UUID:
        """A slot for one flow run; ``anyio.WouldBlock`` (the poller submits nothing) once closed."""
        if self.closed:
            raise anyio.WouldBlock
        token = super().acquire()
        self.held.add(token)
        return token

    def release(self, token: UUID) -> None:
        """Give a slot back (its run's process has exited)."""
        self.held.discard(token)
        super().release(token)

    def acquire_for_flow_run(self, flow_run_id: UUID) -> bool:
        """As ``acquire``, for runs started by id (never once closed)."""
        return not self.closed and super().acquire_for_flow_run(flow_run_id)


async def _stop(runner: Any, gate: StopGate, settings: Settings, hurry: asyncio.Event, grace: float,
                spare_pgid: int | None, log: Log) -> None:
    """No new runs; runs in flight get ``grace`` seconds, then are killed and recorded; stop."""
    gate.closed = True
    runner.stopping = True
    in_flight = bool(gate.held) or bool(flow_run_processes(spare_pgid))
    deadline = time.monotonic() + grace
    while gate.held and time.monotonic() < deadline and not hurry.is_set():
        await asyncio.sleep(0.05)
    if gate.held or flow_run_processes(spare_pgid):
        log(f"stopping: {len(gate.held)} flow run(s) still in flight after {grace:g} s: cancelling")
        # A run still being submitted may start its process after a first kill: kill until none is left.
        # Bounded: a submission stuck in an API call is cancelled with the runner below.
        until = time.monotonic() + 2 * KILL_WAIT_SECONDS + 1
        while time.monotonic() < until:
            procs = flow_run_processes(spare_pgid)
            if procs:
                await asyncio.to_thread(kill_processes, procs)
            if not gate.held and not flow_run_processes(spare_pgid):
                break
            await asyncio.sleep(0.05)
    if in_flight:
        # A run killed here, or one that died of the terminal's own SIGINT (Ctrl-C reaches the
        # whole foreground group), is recorded now rather than by the next run.
        await asyncio.to_thread(recover_interrupted, settings, log)
    with contextlib.suppress(RuntimeError):  # not started yet
        await runner.astop()


async def serve_until_stopped(deployments: list[Any], settings: Settings, log: Log = print,
                              grace: float = STOP_GRACE_SECONDS, spare_pgid: int | None = None) -> None:
    """Serve ``deployments`` with a Prefect Runner until SIGINT or SIGTERM, then stop cleanly.

    After the signal no flow run starts; a run in flight may finish within ``grace`` seconds,
    else its processes are killed and the warehouse records it as failed ("interrupted"). A
    second signal skips the grace. Processes of the group ``spare_pgid`` (the local server) are
    left to the caller.
    """
    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=True)
    gate = StopGate()
    runner._limit_manager = gate  # noqa: SLF001 - the one hook between a poll and a submission
    for deployment in deployments:
        await runner.aadd_deployment(deployment)
    loop = asyncio.get_running_loop()
    asked, hurry = asyncio.Event(), asyncio.Event()

    def on_signal(signum: int) -> None:
        if asked.is_set():
            hurry.set()
            return
        log(f"{signal.Signals(signum).name} received: no new flow runs; stopping")
        asked.set()

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    started = asyncio.create_task(runner.start())
    await asyncio.sleep(0)  # start() installs Prefect's SIGTERM handler first thing: replace it
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        waiter = asyncio.create_task(asked.wait())
        await asyncio.wait({started, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if started.done():
            waiter.cancel()
            started.result()  # the runner ended by itself: raise what it raised
            return
        await _stop(runner, gate, settings, hurry, grace, spare_pgid, log)
        try:
            await asyncio.wait_for(started, timeout=3.0)
        except TimeoutError:
            log("stopping: the runner did not stop within 3 s; leaving it")
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, handler)
