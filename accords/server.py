"""Scheduling and triggering without Prefect flows: a local Prefect server, ports, run triggers.

Prefect's embedded (temporary) API runs no scheduler, so ``accords serve`` needs a real server.
It uses the one at ``PREFECT_API_URL`` or starts ``prefect server start`` as a child process
(SQLite in ``PREFECT_HOME``, bound to 127.0.0.1) in its own process group, waits for
``/api/health``, and stops the whole group on exit. ``flows/serve.py`` then serves the ``ingest``
flow as the deployment ``ingest/accords-ingest`` on a cron or interval schedule; with ``--watch``
a watchdog observer on ``raw/`` (``accords.watch``) asks the server for a run when files arrive
(``trigger_run``). Overlapping runs are prevented by the warehouse flock (``accords/runner.py``), not here.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from accords.errors import ServerError, SettingsError
from accords.processes import stop_process_group
from accords.settings import Settings
from accords.storage import Location

HOST = "127.0.0.1"
DEFAULT_PORT = 4200  # Prefect's usual port; a free one is used when it is taken
FLOW_NAME = "ingest"
DEPLOYMENT_NAME = "accords-ingest"
DEPLOYMENT = f"{FLOW_NAME}/{DEPLOYMENT_NAME}"
DEFAULT_INTERVAL_SECONDS = 900.0
# An event run waits this long for a running ingestion instead of being skipped: the files that
# triggered it may have arrived after that run listed raw/.
EVENT_LOCK_WAIT_SECONDS = 600.0
# How often the serve process asks the server for due runs, unless PREFECT_RUNNER_POLL_FREQUENCY
# says otherwise (Prefect's default, 10 s, makes file-arrival runs feel slow).
DEFAULT_POLL_SECONDS = 5
SERVER_FILE = "accords-server.json"  # in PREFECT_HOME: where `accords trigger` and `ingest` find it
SERVER_LOG = "accords-server.log"
# On SIGINT/SIGTERM `accords serve` lets a flow run in flight finish for this long, then kills it;
# with the kill's own wait and the server's stop, the whole tree is gone well within 10 s.
STOP_GRACE_SECONDS = 2.0

Log = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------

def schedule_args(cron: str | None = None, interval: float | None = None) -> dict[str, Any]:
    """Keyword arguments for ``Flow.to_deployment``: one cron or one interval (default 15 min)."""
    if cron is not None and interval is not None:
        raise SettingsError("give either a cron expression or an interval, not both")
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError as exc:
            raise SettingsError(f"not a valid cron expression: {cron!r}") from exc
        return {"cron": cron}
    seconds = DEFAULT_INTERVAL_SECONDS if interval is None else interval
    if seconds <= 0:
        raise SettingsError(f"the interval must be a positive number of seconds, not {seconds}")
    return {"interval": timedelta(seconds=seconds)}


def describe_schedule(schedule: Mapping[str, Any]) -> str:
    """A short human description of ``schedule_args`` output."""
    if "cron" in schedule:
        return f"cron '{schedule['cron']}' (UTC)"
    return f"every {schedule['interval'].total_seconds():g} s"


def deployment_parameters(settings: Settings) -> dict[str, Any]:
    """Default parameters of the deployment: scheduled runs record trigger=schedule."""
    def absolute(loc: Location) -> str:
        return str(loc.resolve()) if isinstance(loc, Path) else loc

    return {"raw_dir": absolute(settings.raw_dir), "warehouse_dir": absolute(settings.warehouse_dir),
            "trigger": "schedule"}


def run_parameters(trigger: str, lock_wait_seconds: float | None = None) -> dict[str, Any]:
    """Parameters for one triggered run (merged over the deployment's defaults by the server)."""
    params: dict[str, Any] = {"trigger": trigger}
    if lock_wait_seconds:
        params["options"] = {"lock_wait_seconds": lock_wait_seconds}
    return params


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when ``host:port`` can be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port the kernel reports free on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def choose_port(port: int | None = None, host: str = HOST) -> int:
    """The port for a local server: the one asked for, else 4200 if free, else any free port."""
    if port is not None:
        if not port_is_free(port, host):
            raise ServerError(f"port {port} on {host} is already in use")
        return port
    return DEFAULT_PORT if port_is_free(DEFAULT_PORT, host) else free_port(host)


def api_url_for(port: int, host: str = HOST) -> str:
    """The Prefect API address of a server on ``host:port``."""
    return f"http://{host}:{port}/api"


def ui_url(api_url: str) -> str:
    """The Prefect UI address that goes with an API address."""
    url = api_url.rstrip("/")
    return url[: -len("/api")] if url.endswith("/api") else url


def flow_run_url(api_url: str, flow_run_id: object) -> str:
    """Link to one flow run in the UI."""
    return f"{ui_url(api_url)}/runs/flow-run/{flow_run_id}"


# ---------------------------------------------------------------------------------------------
# Local Prefect server
# ---------------------------------------------------------------------------------------------

def health_ok(api_url: str, timeout: float = 2.0) -> bool:
    """True when ``GET <api>/health`` answers 200 true."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:  # noqa: S310
            return resp.status == 200 and resp.read().strip() == b"true"
    except (OSError, urllib.error.URLError, ValueError):
        return False


def server_env(base: Mapping[str, str], home: Path, port: int, host: str = HOST) -> dict[str, str]:
    """Environment for ``prefect server start``: our PREFECT_HOME, loopback only, no telemetry."""
    env = {k: v for k, v in base.items() if k != "PREFECT_API_URL"}
    env.update({
        "PREFECT_HOME": str(home), "PREFECT_SERVER_API_HOST": host, "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    })
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    return env


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the server if we die without cleaning up (SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl  # loaded before fork: preexec stays tiny
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


class LocalServer:
    """``prefect server start`` as a child process group; a context manager yielding the API URL."""

    def __init__(self, home: Path, port: int, host: str = HOST, start_timeout: float = 120.0,
                 env: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self.api_url = api_url_for(port, host)
        self.log_path = home / SERVER_LOG
        self._env = dict(os.environ if env is None else env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None

    def start(self) -> str:
        """Start the server and wait until it is healthy; return its API URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", self.host,
               "--port", str(self.port), "--no-background"]
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log_fh:
            self.proc = subprocess.Popen(
                cmd, env=server_env(self._env, self.home, self.port, self.host), stdin=subprocess.DEVNULL,
                stdout=log_fh, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_parent_death_signal(),  # noqa: PLW1509 - no threads run yet
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self.api_url

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"prefect server exited with code {self.proc.returncode} while starting; "
                                  f"last lines of {self.log_path}:\n{self.log_tail()}")
            if health_ok(self.api_url, timeout=1.0):
                return
            time.sleep(0.25)
        raise ServerError(f"prefect server not healthy after {self.start_timeout:.0f} s; "
                          f"last lines of {self.log_path}:\n{self.log_tail()}")

    @property
    def pgid(self) -> int | None:
        """The server's process group (it leads its own), while it runs."""
        return self.proc.pid if self.proc is not None else None

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log file."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the server's whole process group (idempotent)."""
        if self.proc is not None:
            stop_process_group(self.proc)
            self.proc = None

    def __enter__(self) -> str:
        """Start; yields the API URL."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop."""
        self.stop()


def write_server_file(home: Path, api_url: str) -> Path:
    """Record the running local server so ``accords trigger`` can find it."""
    path = home / SERVER_FILE
    path.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}), encoding="utf-8")
    return path


def running_server(home: Path, timeout: float = 2.0) -> str | None:
    """The API URL of the server a running ``accords serve`` wrote to ``home``, if it answers.

    A file left behind by a serve that died (nothing answers ``/api/health``) gives None.
    """
    try:
        url = str(json.loads((home / SERVER_FILE).read_text(encoding="utf-8"))["api_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if url and health_ok(url, timeout=timeout) else None


def resolve_api_url(env: Mapping[str, str], home: Path) -> str:
    """The server to talk to: PREFECT_API_URL, else the one a running ``accords serve`` started."""
    if env.get("PREFECT_API_URL"):
        return env["PREFECT_API_URL"]
    url = running_server(home)
    if url:
        return url
    raise ServerError("no Prefect server found: start `accords serve` (or `make serve`) first, "
                      "or set PREFECT_API_URL")


# ---------------------------------------------------------------------------------------------
# Triggering runs
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def api_context(api_url: str | None) -> Iterator[None]:
    """Point Prefect at ``api_url`` for this thread (the global settings may predate it)."""
    if not api_url:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield


def trigger_run(api_url: str, trigger: str = "manual", lock_wait_seconds: float | None = None,
                wait: bool = False, poll_seconds: float = 2.0) -> Any:
    """Ask the server to run the deployment now; return the FlowRun (finished if ``wait``).

    Uses Prefect's synchronous client (plain HTTP, no event loop): the watcher calls this from
    its own thread while ``serve`` runs an asyncio loop in the main thread.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with api_context(api_url), get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(DEPLOYMENT)
            run = client.create_flow_run_from_deployment(
                deployment.id, parameters=run_parameters(trigger, lock_wait_seconds),
                tags=[f"trigger:{trigger}"])
            while wait and not (run.state is not None and run.state.is_final()):
                time.sleep(poll_seconds)
                run = client.read_flow_run(run.id)
            return run
    except ObjectNotFound as exc:
        raise ServerError(f"deployment {DEPLOYMENT} not found on {api_url}: "
                          "is `accords serve` running?") from exc
    except OSError as exc:  # httpx transport errors are OSErrors underneath
        raise ServerError(f"cannot reach the Prefect server at {api_url}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# `accords serve`
# ---------------------------------------------------------------------------------------------

def refuse_second_server(home: Path) -> None:
    """Two servers on one SQLite file would contend for it: point the second serve at the first."""
    url = running_server(home)
    if url:
        raise ServerError(f"another `accords serve` already runs a server on {url} with PREFECT_HOME={home}; "
                          f"stop it, or set PREFECT_API_URL={url} to use that server")
