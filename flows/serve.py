"""Prefect wiring for ``accords serve``: the ``ingest`` deployment, and serving it (with ``fetch``).

Thin: the server process, the raw/ watcher and run triggering are library code in
``accords.server``; this module only builds the deployments and hands them to ``prefect.serve``.
Deployments use module entrypoints (``flows.ingest:ingest_flow``), so flow runs import them from
the installed package whatever the serve process's working directory is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from types import FrameType
from typing import Any
from uuid import UUID

import anyio
from prefect.runner._limit_manager import LimitManager

from accords.errors import ServerError, SettingsError
from accords.runner import recover_interrupted
from accords.server import (
    DEFAULT_POLL_SECONDS,
    DEPLOYMENT,
    DEPLOYMENT_NAME,
    EVENT_LOCK_WAIT_SECONDS,
    KILL_WAIT_SECONDS,
    STOP_GRACE_SECONDS,
    LocalServer,
    Log,
    api_context,
    choose_port,
    deployment_parameters,
    describe_schedule,
    flow_run_processes,
    health_ok,
    kill_processes,
    refuse_second_server,
    schedule_args,
    trigger_run,
    ui_url,
    write_server_file,
)
from accords.settings import PROJECT_ROOT, Settings, load_settings
from accords.watch import RawWatcher
from flows.fetch import fetch_deployment
from flows.ingest import ingest_flow


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM before the runner installs its own handler: unwind like Ctrl-C so the server stops.
    raise KeyboardInterrupt


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


def ingest_deployment(settings: Settings | None = None, **schedule: Any) -> Any:
    """The ``ingest/accords-ingest`` RunnerDeployment (``schedule_args`` output as keywords).

    For serving next to other deployments: ``serve(ingest_deployment(**schedule_args()), ...)``.
    """
    from prefect.types.entrypoint import EntrypointType

    settings = settings or load_settings()  # composing code: flags absent, ACCORDS_* apply
    # A module entrypoint: flow runs import flows.ingest whatever the serve process's cwd is.
    return ingest_flow.to_deployment(
        name=DEPLOYMENT_NAME, parameters=deployment_parameters(settings), tags=["accords"],
        description="Ingest new and changed files of raw/ into the Parquet warehouse.",
        entrypoint_type=EntrypointType.MODULE_PATH, **(schedule or schedule_args()),
    )


def serve_deployment(settings: Settings, schedule: Mapping[str, Any], api_url: str, watch: bool = False,
                     log: Log = print, fetch_interval: float | None = None,
                     spare_pgid: int | None = None, grace: float = STOP_GRACE_SECONDS) -> None:
    """Serve the ingest flow as ``ingest/accords-ingest`` until SIGINT or SIGTERM (blocks).

    With ``fetch_interval`` the ``fetch`` flow (feeds of feeds.toml into raw/) is served too.
    How a stop goes: ``serve_until_stopped``.
    """
    if not isinstance(settings.raw_dir, Path) and (watch or fetch_interval):
        # Watching needs file system events and fetching writes files: both need a local raw/.
        raise SettingsError(f"--watch and --fetch-interval need a local raw folder, not {settings.raw_dir}")
    deployments = [ingest_deployment(settings, **schedule)]
    if fetch_interval:
        deployments.append(fetch_deployment(interval=fetch_interval, raw_dir=str(settings.raw_dir.resolve())))
        log(f"Serving the fetch flow too: feeds of feeds.toml every {fetch_interval:g} s")
    watcher: RawWatcher | None = None
    if watch:
        def fire(paths: list[str]) -> None:
            run = trigger_run(api_url, "event", lock_wait_seconds=EVENT_LOCK_WAIT_SECONDS)
            log(f"{time.strftime('%H:%M:%S')} watch: {len(paths)} changed file(s) in {settings.raw_dir}: "
                f"flow run {run.name} ({run.id})")

        # Files must be older than settle_seconds or the run's discover() skips them as unfinished.
        watcher = RawWatcher(settings.raw_dir, fire, settle_seconds=settings.settle_seconds + 0.5, log=log)
    log(f"Serving deployment {DEPLOYMENT}: {describe_schedule(schedule)}"
        f"{', and on file arrival in ' + str(settings.raw_dir) if watch else ''}")
    log(f"  raw {settings.raw_dir} -> warehouse {settings.warehouse_dir}")
    log(f"  run now:  accords trigger   (or: prefect deployment run '{DEPLOYMENT}' -p trigger=manual)")
    log(f"  UI:       {ui_url(api_url)}/deployments")
    try:
        if watcher is not None:
            watcher.start()
            log(f"watch: watching {settings.raw_dir} for new or changed files")
        with api_context(api_url):
            asyncio.run(serve_until_stopped(deployments, settings, log, grace=grace, spare_pgid=spare_pgid))
    finally:
        if watcher is not None:
            watcher.stop()


def serve_command(settings: Settings, cron: str | None = None, interval: float | None = None,
                  watch: bool = False, port: int | None = None, log: Log = print,
                  env: MutableMapping[str, str] | None = None, fetch_interval: float | None = None,
                  grace: float = STOP_GRACE_SECONDS) -> int:
    """``accords serve``: use or start a Prefect server, then serve the deployment until stopped."""
    env = os.environ if env is None else env
    schedule = schedule_args(cron, interval)
    home = Path(env.get("PREFECT_HOME") or PROJECT_ROOT / ".prefect")
    env.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", str(DEFAULT_POLL_SECONDS))
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.ExitStack() as stack:
            server: LocalServer | None = None
            api_url = env.get("PREFECT_API_URL", "")
            if api_url:
                if not health_ok(api_url, timeout=5):
                    raise ServerError(f"the Prefect server at PREFECT_API_URL={api_url} is not healthy")
                log(f"Using the Prefect server at {api_url}")
            else:
                refuse_second_server(home)
                server = LocalServer(home, choose_port(port), env=env)
                log(f"Starting a local Prefect server on {server.api_url} "
                    f"(state in {home}, log {server.log_path})")
                api_url = stack.enter_context(server)
                log(f"Prefect server healthy after {server.startup_seconds:.1f} s")
                env["PREFECT_API_URL"] = api_url  # for the flow-run subprocesses the runner spawns
                marker = write_server_file(home, api_url)
                stack.callback(marker.unlink, missing_ok=True)
            log(f"Prefect UI: {ui_url(api_url)}")
            serve_deployment(settings, schedule, api_url, watch=watch, log=log, fetch_interval=fetch_interval,
                             spare_pgid=server.pgid if server is not None else None, grace=grace)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    log("accords serve stopped")
    return 0
