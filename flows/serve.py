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

from accords.errors import ServerError, SettingsError
from accords.server import (
    DEFAULT_POLL_SECONDS,
    DEPLOYMENT,
    DEPLOYMENT_NAME,
    EVENT_LOCK_WAIT_SECONDS,
    STOP_GRACE_SECONDS,
    LocalServer,
    Log,
    api_context,
    choose_port,
    deployment_parameters,
    describe_schedule,
    health_ok,
    refuse_second_server,
    schedule_args,
    trigger_run,
    ui_url,
    write_server_file,
)
from accords.serving import serve_until_stopped
from accords.settings import PROJECT_ROOT, Settings, load_settings
from accords.watch import RawWatcher
from flows.fetch import fetch_deployment
from flows.ingest import ingest_flow


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM before the runner installs its own handler: unwind like Ctrl-C so the server stops.
    raise KeyboardInterrupt


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
