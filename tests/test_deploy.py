"""prefect.yaml (issue 13, point 5): its contents, and deploying it for real with a process worker.

The integration test starts a real `prefect server start`, creates a process work pool, runs
`prefect deploy --all` from the project root, starts `prefect worker start`, runs the ingest
deployment with `prefect deployment run`, finds its rows in the warehouse and its progress lines in
the run's logs, then stops everything: every process runs in its own group, killed in a finally.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from accords.server import LocalServer, free_port
from accords.warehouse import read_table
from tests.conftest import ROOT, write_raw
from tests.fault_helpers import alive, descendants

PREFECT_YAML = ROOT / "prefect.yaml"
PREFECT = [sys.executable, "-m", "prefect"]
POOL = "accords"


def _config() -> dict:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


def test_prefect_yaml_deploys_ingest_and_fetch_to_a_pool_from_this_checkout() -> None:
    from prefect.flows import load_flow_from_entrypoint

    from accords.server import DEPLOYMENT
    from flows.fetch import DEPLOYMENT_NAME as FETCH_DEPLOYMENT

    cfg = _config()
    deps = {d["name"]: d for d in cfg["deployments"]}
    assert set(deps) == {"accords-ingest", FETCH_DEPLOYMENT}
    flows = {name: load_flow_from_entrypoint(d["entrypoint"]) for name, d in deps.items()}
    # The same names as `accords serve`'s deployments, so `accords trigger` finds them.
    assert f"{flows['accords-ingest'].name}/accords-ingest" == DEPLOYMENT
    assert flows[FETCH_DEPLOYMENT].name == "fetch"
    assert all(d["work_pool"]["name"] == POOL for d in deps.values())
    assert deps["accords-ingest"]["parameters"] == {"trigger": "schedule"}
    assert [s["interval"] for s in deps["accords-ingest"]["schedules"]] == [900]
    # No git, no remote storage: the flow runs start in the folder `prefect deploy` ran in.
    text = PREFECT_YAML.read_text(encoding="utf-8")
    assert "git_clone" not in text and cfg["push"] is None
    (step,) = cfg["pull"]
    (build,) = cfg["build"]
    assert build["prefect.deployments.steps.run_shell_script"]["id"] == "project-dir"
    assert step == {"prefect.deployments.steps.set_working_directory":
                    {"directory": "{{ project-dir.stdout }}"}}


# ---------------------------------------------------------------------------------------------
# Integration: server, pool, deploy, worker, run, rows, stop
# ---------------------------------------------------------------------------------------------

def _env(home: Path, api_url: str) -> dict[str, str]:
    """A clean environment for the Prefect commands (conftest's in-process tweaks not inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORDS_", "PREFECT_"))}
    env.update({
        "PREFECT_HOME": str(home), "PREFECT_API_URL": api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        # Only the run this test asks for: no scheduled ingest (or fetch) run may compete for the lock.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # the worker looks for runs every second (default 10)
    })
    return env


def _api(api_url: str, path: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{api_url}{path}", data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - a loopback test server
        return json.loads(resp.read())


def _prefect(args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> str:
    res = subprocess.run([*PREFECT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"prefect {' '.join(args)}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res.stdout


@contextlib.contextmanager
def _worker(env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`prefect worker start --pool accords` in its own group; it and its flow runs killed on exit."""
    with open(log, "wb") as fh:
        proc = subprocess.Popen([*PREFECT, "worker", "start", "--pool", POOL], env=env, cwd=cwd, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        tree = [proc.pid, *descendants(proc.pid)]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in tree if alive(p)], "a worker process outlived the test"


@pytest.mark.integration
def test_prefect_deploy_all_and_a_process_worker_ingest_into_the_warehouse(tmp_path: Path) -> None:
    t0 = time.monotonic()
    raw, wh, home = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "home"
    server = LocalServer(home, free_port(), env=_env(home, ""), start_timeout=120)
    api_url = server.api_url
    env = _env(home, api_url)
    with server:
        started = time.monotonic() - t0
        _prefect(["work-pool", "create", POOL, "--type", "process"], env, tmp_path, 60)
        # The worker runs flows wherever it was started (here tmp_path, not the project): the
        # deployment's pull step moves each run into the checkout. It reads ACCORDS_* like any run.
        worker_env = {**env, "ACCORDS_RAW_DIR": str(raw), "ACCORDS_WAREHOUSE_DIR": str(wh),
                      "ACCORDS_SETTLE_SECONDS": "0", "ACCORDS_WORKERS": "1"}
        with _worker(worker_env, tmp_path, tmp_path / "worker.log") as worker:
            # Deploying while the worker starts (both take seconds to import Prefect).
            out = _prefect(["--no-prompt", "deploy", "--all"], env, ROOT, 120)
            assert "ingest/accords-ingest" in out and "fetch/accords-fetch" in out
            deployed = time.monotonic() - t0
            ran = subprocess.run(
                [*PREFECT, "deployment", "run", "ingest/accords-ingest", "-p", "trigger=manual", "--watch",
                 "--watch-interval", "1", "--watch-timeout", "120"],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=150)
            log = (tmp_path / "worker.log").read_text(errors="replace")
            assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}\nworker:\n{log[-3000:]}"
            assert worker.poll() is None
            finished = time.monotonic() - t0

            (row,) = read_table(wh, "runs").to_pylist()
            assert row["status"] == "completed" and row["trigger"] == "manual", row
            assert row["files_new"] == 3 and row["articles_written"] == 4
            assert read_table(wh, "articles").num_rows == 4
            fr = _api(api_url, f"/flow_runs/{row['flow_run_id']}")
            dep = _api(api_url, "/deployments/name/ingest/accords-ingest")
            assert isinstance(fr, dict) and isinstance(dep, dict)
            assert fr["deployment_id"] == dep["id"] and fr["work_pool_name"] == POOL
            assert fr["state_type"] == "COMPLETED" and fr["parameters"]["trigger"] == "manual"
            assert dep["pull_steps"] == [{"prefect.deployments.steps.set_working_directory":
                                          {"directory": str(ROOT)}}]
            fetch = _api(api_url, "/deployments/name/fetch/accords-fetch")
            assert isinstance(fetch, dict) and fetch["work_pool_name"] == POOL

            # The progress counts are in the run's logs (sent by the flow-run process as it ends).
            def progress_lines() -> list[str]:
                logs = _api(api_url, "/logs/filter", {"logs": {"flow_run_id": {"any_": [row["flow_run_id"]]}},
                                                       "limit": 200})
                assert isinstance(logs, list)
                return [entry["message"] for entry in logs if entry["message"].startswith("ingest: ")]

            deadline = time.monotonic() + 20
            while len(progress_lines()) < 2 and time.monotonic() < deadline:
                time.sleep(0.5)
            lines = progress_lines()
            assert lines[0] == "ingest: 3 of 3 files to process in 1 batch"
            assert lines[1].startswith("ingest: 3/3 files (100.0%), batch 1/1, 4 articles, ")
        assert worker.poll() is not None
    assert server.proc is None
    print(f"\nserver healthy {started:.1f} s, deployed {deployed:.1f} s, run done {finished:.1f} s, "
          f"all stopped {time.monotonic() - t0:.1f} s after the start")
