"""Stopping process trees (accords.processes) on real child processes."""

from __future__ import annotations

import subprocess
import time

import psutil

from accords.processes import flow_run_processes, kill_processes, wait_gone


def test_kill_processes_stops_a_child_that_ignores_sigterm() -> None:
    proc = subprocess.Popen(["sh", "-c", "trap '' TERM; while :; do sleep 1; done"])
    try:
        child = psutil.Process(proc.pid)
        assert child.pid in [p.pid for p in flow_run_processes()]
        t0 = time.monotonic()
        kill_processes([child], wait_seconds=0.5)
        assert time.monotonic() - t0 < 10
        assert wait_gone([child], 5.0) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
