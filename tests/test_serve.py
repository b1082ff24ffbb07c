"""`accords serve` / `accords trigger`: pure helpers, the watcher, and real servers end to end.

Integration tests start real processes (a Prefect server, `accords serve`, `accords trigger`) and
always stop them: every process runs in its own group, killed in a finally block.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psutil
import pytest

from accords.cli import build_parser, main
from accords.errors import ServerError, SettingsError
from accords.processes import stop_process_group
from accords.server import (
    DEFAULT_PORT,
    DEPLOYMENT,
    SERVER_FILE,
    LocalServer,
    choose_port,
    deployment_parameters,
    flow_run_url,
    free_port,
    health_ok,
    port_is_free,
    resolve_api_url,
    run_parameters,
    running_server,
    schedule_args,
    server_env,
    ui_url,
)
from accords.settings import Settings
from accords.warehouse import LOCK_FILE, read_table
from accords.watch import Debouncer, RawWatcher, watched
from flows.serve import ingest_deployment
from tests.conftest import STATE_VISIT, write_raw
from tests.fault_helpers import alive, descendants, proc_state

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------

def test_schedule_defaults_to_every_15_minutes() -> None:
    assert schedule_args() == {"interval": timedelta(minutes=15)}
    assert schedule_args(interval=5) == {"interval": timedelta(seconds=5)}
    assert schedule_args(cron="*/10 * * * *") == {"cron": "*/10 * * * *"}


@pytest.mark.parametrize("kwargs", [{"cron": "every monday"}, {"interval": 0}, {"interval": -3},
                                    {"cron": "* * * * *", "interval": 60}])
def test_bad_schedules_are_settings_errors(kwargs: dict) -> None:
    with pytest.raises(SettingsError):
        schedule_args(**kwargs)


def test_serve_parser_rejects_cron_with_interval(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--cron", "* * * * *", "--interval", "5"])
    args = build_parser().parse_args(["serve", "--interval", "5", "--watch"])
    assert args.interval == 5 and args.watch and args.cron is None


def test_scheduled_runs_default_to_trigger_schedule(tmp_path: Path) -> None:
    params = deployment_parameters(Settings(raw_dir=tmp_path / "r", warehouse_dir=tmp_path / "w"))
    assert params == {"raw_dir": str(tmp_path / "r"), "warehouse_dir": str(tmp_path / "w"),
                      "trigger": "schedule"}
    assert run_parameters("manual") == {"trigger": "manual"}
    assert run_parameters("event", 600) == {"trigger": "event", "options": {"lock_wait_seconds": 600}}


def test_ingest_deployment(tmp_path: Path) -> None:
    settings = Settings(raw_dir=tmp_path / "r", warehouse_dir=tmp_path / "w")
    dep = ingest_deployment(settings, **schedule_args(interval=30))
    assert f"{dep.flow_name}/{dep.name}" == DEPLOYMENT == "ingest/accords-ingest"
    assert dep.parameters["trigger"] == "schedule" and dep.entrypoint == "flows.ingest.ingest_flow"
    (sched,) = dep.schedules
    assert sched.schedule.interval == timedelta(seconds=30)
    cron = ingest_deployment(settings, **schedule_args(cron="*/5 * * * *"))
    assert cron.schedules[0].schedule.cron == "*/5 * * * *"


def test_urls() -> None:
    assert ui_url("http://127.0.0.1:4200/api") == "http://127.0.0.1:4200"
    assert ui_url("http://127.0.0.1:4200/api/") == "http://127.0.0.1:4200"
    assert flow_run_url("http://h:1/api", "abc") == "http://h:1/runs/flow-run/abc"


def test_ports() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert not port_is_free(busy)
        with pytest.raises(ServerError, match="in use"):
            choose_port(busy)
    port = free_port()
    assert port_is_free(port) and choose_port(port) == port
    if port_is_free(DEFAULT_PORT):
        assert choose_port() == DEFAULT_PORT


def test_watched_skips_hidden_and_partial_files(tmp_path: Path) -> None:
    root = tmp_path
    assert watched(root / "a.txt", root)
    assert watched(root / "sub" / "b.json", root)
    for name in [".hidden.txt", "x.part", "x.TMP", "draft.txt~", "#auto#", ".git/config"]:
        assert not watched(root / name, root), name
    assert not watched(tmp_path.parent / "elsewhere.txt", root)
    assert not watched(root, root)


def test_server_env_binds_loopback_and_drops_api_url(tmp_path: Path) -> None:
    env = server_env({"PREFECT_API_URL": "http://x/api", "PATH": "/bin"}, tmp_path, 4321)
    assert "PREFECT_API_URL" not in env and env["PATH"] == "/bin"
    assert env["PREFECT_SERVER_API_HOST"] == "127.0.0.1" and env["PREFECT_SERVER_API_PORT"] == "4321"
    assert env["PREFECT_HOME"] == str(tmp_path) and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_resolve_api_url(tmp_path: Path) -> None:
    assert resolve_api_url({"PREFECT_API_URL": "http://h:1/api"}, tmp_path) == "http://h:1/api"
    with pytest.raises(ServerError, match="no Prefect server"):
        resolve_api_url({}, tmp_path)
    # A server file left by a serve that is gone (nothing answers) is not trusted.
    (tmp_path / SERVER_FILE).write_text(json.dumps({"api_url": f"http://127.0.0.1:{free_port()}/api"}))
    with pytest.raises(ServerError):
        resolve_api_url({}, tmp_path)


def test_ingest_falls_back_to_a_temporary_server_without_a_live_serve(tmp_path: Path, monkeypatch) -> None:
    from accords.cli import _use_running_serve

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert running_server(tmp_path) is None and _use_running_serve() is None  # no server file
    # A file left by a serve that is gone (nothing answers there) is ignored.
    (tmp_path / SERVER_FILE).write_text(json.dumps({"api_url": f"http://127.0.0.1:{free_port()}/api"}))
    assert running_server(tmp_path) is None and _use_running_serve() is None
    assert "PREFECT_API_URL" not in os.environ
    # An explicit PREFECT_API_URL always wins.
    monkeypatch.setenv("PREFECT_API_URL", "http://h:1/api")
    assert _use_running_serve() is None and os.environ["PREFECT_API_URL"] == "http://h:1/api"


def test_trigger_without_a_server_fails_clearly(capsys) -> None:
    assert main(["trigger"]) == 2
    assert "no Prefect server found" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Debounce (time passed in; no sleeping)
# ---------------------------------------------------------------------------------------------

class FakeFiles:
    """stat() stand-in: path -> (size, mtime_ns)."""

    def __init__(self) -> None:
        self.sig: dict[str, tuple[int, int]] = {}

    def write(self, path: str, size: int, mtime: float) -> None:
        self.sig[path] = (size, int(mtime * 1e9))

    def __call__(self, path: str) -> tuple[int, int] | None:
        return self.sig.get(path)


def test_a_burst_of_files_gives_one_batch() -> None:
    files, d = FakeFiles(), Debouncer(quiet_seconds=1.0, settle_seconds=2.0)
    for i in range(20):
        files.write(f"f{i}", 10, mtime=100.0)
        d.note(f"f{i}", now=0.01 * i)
    assert d.poll(now=0.5, wall=200.0, stat=files) is None  # still inside the burst
    assert d.poll(now=1.5, wall=200.0, stat=files) is None  # first look at sizes
    batch = d.poll(now=2.0, wall=200.0, stat=files)
    assert batch == sorted(f"f{i}" for i in range(20))
    assert d.poll(now=3.0, wall=200.0, stat=files) is None and d.pending == []


def test_waits_while_a_file_is_still_growing() -> None:
    files, d = FakeFiles(), Debouncer(quiet_seconds=1.0, settle_seconds=0.0)
    files.write("big", 100, mtime=100.0)
    d.note("big", now=0.0)
    assert d.poll(now=2.0, wall=200.0, stat=files) is None
    files.write("big", 200, mtime=100.5)  # written to without a new event reaching us yet
    assert d.poll(now=2.5, wall=200.0, stat=files) is None
    assert d.poll(now=3.0, wall=200.0, stat=files) == ["big"]


def test_waits_until_the_file_is_older_than_the_settle_time() -> None:
    # discover() skips files modified in the last settle_seconds: triggering earlier would be a no-op run.
    files, d = FakeFiles(), Debouncer(quiet_seconds=0.5, settle_seconds=2.0)
    files.write("new", 5, mtime=100.0)
    d.note("new", now=0.0)
    assert d.poll(now=1.0, wall=100.5, stat=files) is None
    assert d.poll(now=1.5, wall=101.0, stat=files) is None
    assert d.poll(now=2.5, wall=102.1, stat=files) == ["new"]


def test_new_events_restart_the_quiet_period_and_vanished_files_are_dropped() -> None:
    files, d = FakeFiles(), Debouncer(quiet_seconds=1.0, settle_seconds=0.0)
    files.write("a", 1, mtime=1.0)
    d.note("a", now=0.0)
    d.note("gone.txt", now=0.9)
    assert d.poll(now=1.5, wall=50.0, stat=files) is None  # quiet period restarted at 0.9
    assert d.poll(now=2.0, wall=50.0, stat=files) is None
    assert d.poll(now=2.5, wall=50.0, stat=files) == ["a"]
    d.note("gone.txt", now=3.0)
    assert d.poll(now=5.0, wall=50.0, stat=files) is None and d.pending == []
    d.requeue(["a"], now=6.0)
    assert d.pending == ["a"]


# ---------------------------------------------------------------------------------------------
# Real watchdog and real processes (fast)
# ---------------------------------------------------------------------------------------------

def test_watcher_fires_once_for_a_burst_and_ignores_partial_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    fired: list[list[str]] = []
    got = [threading.Event(), threading.Event()]

    def fire(paths: list[str]) -> None:
        fired.append(paths)
        got[min(len(fired), 2) - 1].set()

    w = RawWatcher(raw, fire, quiet_seconds=0.5, settle_seconds=0.0, poll_seconds=0.1, log=lambda m: None)
    w.start()
    try:
        (raw / "ignored.part").write_text("x")
        for i in range(5):
            (raw / f"a{i}.txt").write_text(STATE_VISIT)
        (raw / "sub").mkdir()
        (raw / "sub" / "b.json").write_text("{}")
        assert got[0].wait(10)
        # A file written after the trigger fires the next one. Events arrive in order, so a late
        # event of the burst would be in that trigger or an earlier one: it holds the new file only.
        (raw / "later.txt").write_text(STATE_VISIT)
        assert got[1].wait(10)
    finally:
        w.stop()
    assert len(fired) == 2 and [Path(p).name for p in fired[1]] == ["later.txt"], fired
    names = {Path(p).name for p in fired[0]}
    assert {f"a{i}.txt" for i in range(5)} | {"b.json"} <= names
    assert "ignored.part" not in names


def test_watcher_retries_when_the_trigger_fails(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    calls: list[list[str]] = []
    done = threading.Event()

    def fire(paths: list[str]) -> None:
        calls.append(paths)
        if len(calls) == 1:
            raise ConnectionError("server restarting")
        done.set()

    w = RawWatcher(raw, fire, quiet_seconds=0.2, settle_seconds=0.0, poll_seconds=0.05, log=lambda m: None)
    w.start()
    try:
        (raw / "a.txt").write_text("hello")
        assert done.wait(10)
    finally:
        w.stop()
    assert len(calls) == 2 and calls[0] == calls[1]


def test_stop_process_group_leaves_no_orphans() -> None:
    # A leader that ignores nothing and a grandchild that ignores SIGTERM: both must go.
    script = "trap '' TERM; sleep 300 & sleep 300"
    proc = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    # Under load the shell may take a while to fork its background child: wait for both.
    deadline = time.monotonic() + 10
    while len(_group_members(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_group_members(proc.pid)) >= 2
    t0 = time.monotonic()
    stop_process_group(proc, grace_seconds=1.0)
    assert time.monotonic() - t0 < 10
    # A killed process can take a moment to leave /proc (or turn zombie) after the signal.
    deadline = time.monotonic() + 5
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_members(proc.pid) == []


def _group_members(pgid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    out.append(int(d.name))
    return out


# ---------------------------------------------------------------------------------------------
# Integration: a real Prefect server, `accords serve`, scheduled / event / manual runs
# ---------------------------------------------------------------------------------------------

def _base_env(home: Path) -> dict[str, str]:
    """A clean environment for child processes (conftest's in-process tweaks are not inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORDS_", "PREFECT_"))}
    env.update({
        "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # the serve process looks for due runs every second
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    })
    return env


def _accords_env(home: Path, raw: Path, wh: Path, api_url: str | None) -> dict[str, str]:
    env = _base_env(home)
    env.update({"ACCORDS_RAW_DIR": str(raw), "ACCORDS_WAREHOUSE_DIR": str(wh), "ACCORDS_SETTLE_SECONDS": "0"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@pytest.fixture(scope="module")
def server_home(tmp_path_factory) -> Path:
    """PREFECT_HOME of the shared test server."""
    return tmp_path_factory.mktemp("prefect-server")


@pytest.fixture(scope="module")
def prefect_server(server_home: Path) -> Iterator[str]:
    """One real `prefect server start` on a free loopback port, shared by the serve tests."""
    server = LocalServer(server_home, free_port(), env=_base_env(server_home), start_timeout=150)
    with server as api_url:
        print(f"\nprefect server (fresh database) healthy after {server.startup_seconds:.1f} s")
        yield api_url
    assert server.proc is None


def copy_migrated_db(server_home: Path, home: Path) -> None:
    """Seed ``home`` with a consistent copy of the shared server's database (sqlite backup API).

    A fresh database costs ~20-40 s of migrations here; a migrated one starts in ~10 s, which is
    also what a restarted `accords serve` sees.
    """
    home.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(server_home / "prefect.db")
    dst = sqlite3.connect(home / "prefect.db")
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@contextlib.contextmanager
def served(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`accords serve ARGS` in its own process group; stopped (SIGTERM, then SIGKILL) on exit."""
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "accords.cli", "serve", *args], env=env, cwd=ROOT,
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # flow runs the runner started share its group
        proc.wait(timeout=10)


def wait_for(what: str, check: Callable[[], object], timeout: float, proc: subprocess.Popen | None = None,
             log: Path | None = None) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def run_rows(wh: Path) -> list[dict]:
    try:
        return read_table(wh, "runs").to_pylist()
    except Exception:  # noqa: BLE001 - a table being committed right now; look again
        return []


def completed_with(wh: Path, trigger: str, min_articles: int = 1) -> dict | None:
    for r in run_rows(wh):
        done = r["status"].startswith("completed")
        if r["trigger"] == trigger and done and r["articles_written"] >= min_articles:
            return r
    return None


def deployment_ready(api_url: str, since: float) -> bool:
    """The deployment exists and was (re)applied by the serve process started at ``since``."""
    try:
        with urllib.request.urlopen(f"{api_url}/deployments/name/{DEPLOYMENT}", timeout=2) as resp:
            dep = json.loads(resp.read())
    except OSError:
        return False
    from datetime import datetime

    return datetime.fromisoformat(dep["updated"].replace("Z", "+00:00")).timestamp() >= since - 1


def api_flow_run(api_url: str, flow_run_id: str) -> dict:
    with urllib.request.urlopen(f"{api_url}/flow_runs/{flow_run_id}", timeout=5) as resp:
        return json.loads(resp.read())


def assert_no_duplicate_articles(wh: Path) -> None:
    ids = read_table(wh, "articles", ["article_id"]).column("article_id").to_pylist()
    assert len(ids) == len(set(ids))


def paused_writer(wh: Path) -> int | None:
    """The pid of the process holding the warehouse lock while stopped at its pause point, if any."""
    try:
        words = (wh / LOCK_FILE).read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(words) < 3 or words[0] != "pid" or words[2] != "run":
        return None
    pid = int(words[1])
    return pid if proc_state(pid) in ("T", "t") else None


@pytest.mark.integration
def test_scheduled_runs_record_trigger_schedule(prefect_server: str, tmp_path: Path) -> None:
    raw, wh, log = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "serve.log"
    env = _accords_env(tmp_path / "home", raw, wh, prefect_server)
    # The first run with files to write stops itself with the lock held and its first batch staged
    # (later runs find nothing new and never reach that point), so a manual run surely overlaps it.
    env["ACCORDS_CRASH_AT"] = "pause:between_table_writes"
    t0 = time.monotonic()
    # A yearly fetch schedule: the fetch deployment is served next to ingest but not run here.
    with served(["--interval", "10", "--fetch-interval", str(365 * 86400)], env, log) as proc:
        pid = wait_for("a scheduled run holding the lock, paused", lambda: paused_writer(wh), 120, proc, log)
        assert isinstance(pid, int)
        try:
            (stage,) = (wh / "_staging").iterdir()
            assert json.loads((stage / "_RUN.json").read_text())["trigger"] == "schedule"
            trig = subprocess.run([sys.executable, "-m", "accords.cli", "trigger"], env=env,
                                  cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert trig.returncode == 0, trig.stdout + trig.stderr

            def manual_done_or_second_writer() -> object:
                manual = [r for r in run_rows(wh) if r["trigger"] == "manual"]
                return manual or len(list((wh / "_staging").iterdir())) > 1

            wait_for("the manual run", manual_done_or_second_writer, 120, proc, log)
            assert [p.name for p in (wh / "_staging").iterdir()] == [stage.name], "a second writer"
            (manual,) = [r for r in run_rows(wh) if r["trigger"] == "manual"]
            # The manual run found the lock taken by the paused scheduled run and recorded a skip.
            assert manual["status"] == "skipped" and f"pid {pid} run " in manual["error"], manual
            assert manual["articles_written"] == 0 and paused_writer(wh) == pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        row = wait_for("a completed scheduled run", lambda: completed_with(wh, "schedule"), 120, proc, log)
        with urllib.request.urlopen(f"{prefect_server}/deployments/name/fetch/accords-fetch", timeout=5) as r:
            assert json.loads(r.read())["name"] == "accords-fetch"
        print(f"\nfirst scheduled run committed {time.monotonic() - t0:.1f} s after `accords serve` started")
        assert row["articles_written"] == 4 and row["flow_run_id"]
        fr = api_flow_run(prefect_server, row["flow_run_id"])
        assert fr["parameters"]["trigger"] == "schedule" and fr["state_type"] in ("RUNNING", "COMPLETED")
    rows = run_rows(wh)
    # Runs every 10 s overlap the paused one: the flock lets one write; others are skipped, never
    # duplicated.
    assert {r["status"] for r in rows} <= {"completed", "completed_with_errors", "skipped", "failed"}
    # A run cancelled mid-write when serve stopped is undone and recorded by the next one.
    assert all(r["error"].startswith("interrupted") for r in rows if r["status"] == "failed")
    assert [r["articles_written"] for r in rows if r["articles_written"]] == [4]
    assert_no_duplicate_articles(wh)


@pytest.mark.integration
def test_watch_runs_on_file_arrival(prefect_server: str, tmp_path: Path) -> None:
    raw, wh, log = tmp_path / "raw", tmp_path / "wh", tmp_path / "serve.log"
    raw.mkdir()
    env = _accords_env(tmp_path / "home", raw, wh, prefect_server)
    since = time.time()
    # A schedule that will not fire during the test: every run seen here comes from the watcher.
    with served(["--cron", "0 0 1 1 *", "--watch"], env, log) as proc:
        wait_for("the deployment", lambda: deployment_ready(prefect_server, since), 60, proc, log)
        # The deployment's `updated` can move for other reasons (the server marks deployments
        # ready or not): wait for the watcher's own word that it is watching.
        wait_for("the watcher", lambda: "watch: watching" in log.read_text(errors="replace"), 60, proc, log)
        t0 = time.monotonic()
        # Written the way careful producers do: to a .part name, then renamed into place.
        (raw / "arrival.txt.part").write_text(STATE_VISIT, encoding="utf-8")
        (raw / "arrival.txt.part").rename(raw / "arrival.txt")
        row = wait_for("an event run", lambda: completed_with(wh, "event"), 180, proc, log)
        print(f"\nfile drop -> committed event run: {time.monotonic() - t0:.1f} s")
    assert row["files_new"] == 1 and row["articles_written"] == 1 and row["flow_run_id"]
    assert api_flow_run(prefect_server, row["flow_run_id"])["parameters"]["trigger"] == "event"
    arts = read_table(wh, "articles").to_pylist()
    assert [a["source_path"] for a in arts] == ["arrival.txt"]
    assert all(r["trigger"] == "event" for r in run_rows(wh))


@pytest.mark.integration
def test_serve_starts_and_stops_its_own_server(prefect_server: str, server_home: Path,
                                               tmp_path: Path) -> None:
    raw, wh, log = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "serve.log"
    home = tmp_path / "home"
    copy_migrated_db(server_home, home)
    env = _accords_env(home, raw, wh, api_url=None)
    port = free_port()
    since = time.time()
    with served(["--cron", "0 0 1 1 *", "--port", str(port)], env, log) as proc:
        api_url = f"http://127.0.0.1:{port}/api"
        wait_for("the server file", lambda: (home / SERVER_FILE).exists(), 150, proc, log)
        assert json.loads((home / SERVER_FILE).read_text())["api_url"] == api_url
        assert health_ok(api_url)
        wait_for("the deployment", lambda: deployment_ready(api_url, since), 60, proc, log)
        assert f"Prefect UI: http://127.0.0.1:{port}" in log.read_text()
        # `accords trigger` finds the server through PREFECT_HOME, without PREFECT_API_URL.
        trig = subprocess.run([sys.executable, "-m", "accords.cli", "trigger", "--follow"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert trig.returncode == 0, trig.stdout + trig.stderr
        row = wait_for("the manual run", lambda: completed_with(wh, "manual"), 30)
        assert row["articles_written"] == 4
        # `accords ingest` on the same PREFECT_HOME runs on serve's server, not a temporary one.
        ing = subprocess.run([sys.executable, "-m", "accords.cli", "ingest"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert ing.returncode == 0, ing.stdout + ing.stderr
        assert f"running `accords serve`: http://127.0.0.1:{port}\n" in ing.stderr
        (noop,) = [r for r in run_rows(wh) if r["run_id"] != row["run_id"]]
        assert noop["files_unchanged"] == 3 and noop["articles_written"] == 0
        assert api_flow_run(api_url, noop["flow_run_id"])["state_type"] == "COMPLETED"
        tree = descendants(proc.pid)
        assert tree, "the server should be a child of `accords serve`"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=45)
        print(f"\n`accords serve` stopped {time.monotonic() - t0:.1f} s after SIGTERM")
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert [p for p in tree if alive(p)] == []
    assert port_is_free(port) and not health_ok(api_url)
    assert not (home / SERVER_FILE).exists()
    assert "accords serve stopped" in log.read_text()


# ---------------------------------------------------------------------------------------------
# Integration: stopping `accords serve` (SIGINT / SIGTERM) while idle, starting a run, extracting
# ---------------------------------------------------------------------------------------------

def _tree(pid: int) -> list[psutil.Process]:
    """``pid``'s descendants right now (the server, flow runs, their workers)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def flow_run_members(serve_pid: int) -> list[psutil.Process]:
    """Descendants of `accords serve` in its own process group: flow runs and their workers.

    (The local server it starts leads a group of its own.)
    """
    out = []
    for p in _tree(serve_pid):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getpgid(p.pid) == serve_pid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
    return out


def assert_tree_gone(proc: subprocess.Popen[bytes], tree: list[psutil.Process], within: float = 10.0) -> None:
    """`accords serve` and every process it had started exit within ``within`` seconds."""
    deadline = time.monotonic() + within
    proc.wait(timeout=within)
    _, alive = psutil.wait_procs(tree, timeout=max(0.0, deadline - time.monotonic()))
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [(p.pid, p.cmdline()) for p in alive]
    assert time.monotonic() <= deadline + 0.5
    print(f"\n`accords serve` and its {len(tree)} descendants gone "
          f"{time.monotonic() - deadline + within:.1f} s after the signal")


def api_json(url: str, body: dict | None = None) -> dict:
    """GET (or POST ``body`` to) the API; retried on 503, as Prefect's client does (SQLite busy)."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(5):
        req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"},
                                     method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback test server
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 4:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def create_run(api_url: str) -> str:
    """A manual flow run of the deployment, due now (what `accords trigger` asks for); its id."""
    dep = api_json(f"{api_url}/deployments/name/{DEPLOYMENT}")
    run = api_json(f"{api_url}/deployments/{dep['id']}/create_flow_run",
                   {"parameters": {"trigger": "manual"}})
    return str(run["id"])


def assert_history_clean(wh: Path) -> list[dict]:
    """Nothing staged is left; every run either completed or is recorded failed 'interrupted'."""
    assert not (wh / "_staging").exists() or list((wh / "_staging").iterdir()) == []
    rows = run_rows(wh)
    for r in rows:
        assert r["status"].startswith("completed") or (
            r["status"] == "failed" and r["error"].startswith("interrupted")), r
    return rows


@pytest.mark.integration
def test_sigint_while_idle_stops_serve_and_its_server(server_home: Path, tmp_path: Path) -> None:
    raw, wh, log = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "serve.log"
    home = tmp_path / "home"
    copy_migrated_db(server_home, home)
    env = _accords_env(home, raw, wh, api_url=None)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    since = time.time()
    with served(["--cron", "0 0 1 1 *", "--port", str(port)], env, log) as proc:
        wait_for("the deployment", lambda: health_ok(api_url) and deployment_ready(api_url, since), 150,
                 proc, log)
        flow_run_id = create_run(api_url)
        wait_for("the manual run", lambda: completed_with(wh, "manual"), 180, proc, log)
        def ended() -> bool:
            return (api_flow_run(api_url, flow_run_id)["state_type"] == "COMPLETED"
                    and not flow_run_members(proc.pid))

        assert wait_for("the run's end", ended, 60, proc, log)
        time.sleep(1.0)  # the runner gives the run's slot back just after reaping its process
        tree = _tree(proc.pid)
        assert tree, "the server should be a child of `accords serve`"
        proc.send_signal(signal.SIGINT)
        assert_tree_gone(proc, tree)
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert port_is_free(port) and not (home / SERVER_FILE).exists()
    text = log.read_text()
    assert "SIGINT received: no new flow runs" in text and "cancelling" not in text
    assert len(assert_history_clean(wh)) == 1


@pytest.mark.integration
def test_sigterm_while_a_run_is_starting(prefect_server: str, tmp_path: Path) -> None:
    raw, wh, log = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "serve.log"
    env = _accords_env(tmp_path / "home", raw, wh, prefect_server)
    since = time.time()
    with served(["--cron", "0 0 1 1 *"], env, log) as proc:
        wait_for("the deployment", lambda: deployment_ready(prefect_server, since), 60, proc, log)
        first = create_run(prefect_server)

        def pending() -> bool:
            return api_flow_run(prefect_server, first)["state_type"] in ("PENDING", "RUNNING")

        wait_for("the run to be submitted", pending, 60, proc, log)
        tree = _tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
        # Due now, created after the stop was asked: it must never start.
        late = create_run(prefect_server)
        assert_tree_gone(proc, tree + _tree(proc.pid))
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert "SIGTERM received: no new flow runs" in log.read_text()
    late_run = api_flow_run(prefect_server, late)
    # The next serve of this (shared) server would run it: gone before the assertion can fail.
    urllib.request.urlopen(urllib.request.Request(f"{prefect_server}/flow_runs/{late}", method="DELETE"),
                           timeout=10).close()
    assert late_run["state_type"] == "SCHEDULED" and late_run["start_time"] is None, late_run
    # The run that was starting either finished within the grace or was stopped; never left running.
    final = ("COMPLETED", "CRASHED", "CANCELLED", "FAILED")
    assert api_flow_run(prefect_server, first)["state_type"] in final
    rows = assert_history_clean(wh)
    assert all(r["flow_run_id"] == first for r in rows)


@pytest.mark.integration
def test_ctrl_c_during_extraction_cancels_and_records_the_run(server_home: Path, tmp_path: Path) -> None:
    # Under load Prefect's flow-run process sometimes never gets past its engine start (seen in
    # about one full-suite run in two on the 2-core machine; the run is then stopped unseen by the
    # warehouse). That is Prefect's start-up, not the shutdown under test: try a fresh serve once
    # more before failing; every assertion below holds on the attempt that ran.
    for attempt in range(2):
        trial = tmp_path / f"try{attempt}"
        raw, wh, log = write_raw(trial / "raw"), trial / "wh", trial / "serve.log"
        home = trial / "home"
        copy_migrated_db(server_home, home)
        env = _accords_env(home, raw, wh, api_url=None)
        # The run stops itself with the lock held and its first batch staged: mid-extraction, and it
        # will not finish within any grace.
        env["ACCORDS_CRASH_AT"] = "pause:between_table_writes"
        port = free_port()
        api_url = f"http://127.0.0.1:{port}/api"
        since = time.time()
        with served(["--cron", "0 0 1 1 *", "--port", str(port)], env, log) as proc:
            wait_for("the deployment", lambda u=api_url, t=since: health_ok(u) and deployment_ready(u, t),
                     150, proc, log)
            flow_run_id = create_run(api_url)
            try:
                writer = wait_for("the run paused mid-extraction", lambda w=wh: paused_writer(w), 120, proc,
                                  log)
            except AssertionError:
                if attempt:
                    raise
                continue  # the served() exit stops this serve and its run
            tree = _tree(proc.pid)
            assert writer in [p.pid for p in tree]
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does: the whole group
            assert_tree_gone(proc, tree)
        break
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert port_is_free(port) and not (home / SERVER_FILE).exists()
    assert "cancelling" in log.read_text()
    # Recorded by `accords serve` itself on the way out, not left for the next run.
    (row,) = assert_history_clean(wh)
    assert row["status"] == "failed" and row["error"].startswith(f"interrupted: process {writer} ")
    assert row["flow_run_id"] == flow_run_id


@pytest.mark.integration
def test_a_run_in_flight_finishes_within_the_grace(prefect_server: str, tmp_path: Path) -> None:
    raw, wh, log = write_raw(tmp_path / "raw"), tmp_path / "wh", tmp_path / "serve.log"
    env = _accords_env(tmp_path / "home", raw, wh, prefect_server)
    env["ACCORDS_CRASH_AT"] = "pause:between_table_writes"
    since = time.time()
    with served(["--cron", "0 0 1 1 *", "--grace", "30"], env, log) as proc:
        wait_for("the deployment", lambda: deployment_ready(prefect_server, since), 60, proc, log)
        flow_run_id = create_run(prefect_server)
        writer = wait_for("the run paused mid-extraction", lambda: paused_writer(wh), 180, proc, log)
        assert isinstance(writer, int)
        tree = _tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
        wait_for("the stop notice", lambda: "SIGTERM received" in log.read_text(), 10, proc, log)
        os.kill(writer, signal.SIGCONT)
        assert_tree_gone(proc, tree, within=40)
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert "cancelling" not in log.read_text()
    (row,) = assert_history_clean(wh)
    assert row["status"] == "completed" and row["articles_written"] == 4 and row["flow_run_id"] == flow_run_id
    assert api_flow_run(prefect_server, flow_run_id)["state_type"] == "COMPLETED"
