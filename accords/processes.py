"""Stopping process trees: a child's process group, and the flow runs below ``accords serve``.

Signals and waits only (os, psutil); no Prefect. ``accords.server`` stops the local Prefect server
with ``stop_process_group``; ``accords.serving`` stops flow runs in flight with ``kill_processes``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Any

# SIGTERM -> SIGKILL wait for flow-run processes being cancelled, and for the local server.
KILL_WAIT_SECONDS = 2.0
SERVER_STOP_SECONDS = 4.0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process_group(proc: subprocess.Popen[bytes], grace_seconds: float = SERVER_STOP_SECONDS) -> None:
    """SIGTERM a child's whole process group, SIGKILL whatever is left after the grace period."""
    pgid = proc.pid  # started with start_new_session: the child leads its own group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    try:
        proc.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        pass
    # The leader may be gone while workers it started still run: wait for them, then kill.
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=5)


def flow_run_processes(spare_pgid: int | None = None) -> list[Any]:
    """The descendants of this process (flow runs and their workers) as psutil Processes.

    Processes in the process group ``spare_pgid`` (the local server's) are left out.
    """
    import psutil

    out = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error, OSError):
            if spare_pgid is None or os.getpgid(child.pid) != spare_pgid:
                out.append(child)
    return out


def _gone(proc: Any) -> bool:
    import psutil

    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False


def wait_gone(procs: list[Any], timeout: float) -> list[Any]:
    """Wait until every process exited (zombies count as gone); the ones still alive.

    Never reaps: the flow runs' parent (Prefect's runner) collects their exit codes.
    """
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if not _gone(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if not _gone(p)]
    return alive


def kill_processes(procs: list[Any], wait_seconds: float = KILL_WAIT_SECONDS) -> None:
    """SIGTERM (and SIGCONT, for stopped ones) each process, SIGKILL what is left after the wait."""
    import psutil

    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGTERM)
            proc.send_signal(signal.SIGCONT)
    for proc in wait_gone(procs, wait_seconds):
        with contextlib.suppress(psutil.Error):
            proc.kill()
    wait_gone(procs, 1.0)
