"""Never two writers: real `accords ingest --no-prefect` processes racing for one warehouse.

The single-writer guarantee is the flock in accords/warehouse.py (taken by accords/runner.py); every
trigger (schedule, event, manual CLI) ends in the same run_ingest, so separate processes are
the general case. test_serve.py checks the same over Prefect-served runs.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accords.warehouse import COMMIT_FILE, LOCK_FILE, RUN_FILE, read_table
from tests.conftest import write_raw
from tests.fault_helpers import Lines, wait_stopped

ROOT = Path(__file__).resolve().parent.parent
N_EXTRA = 150  # enough files that a run holds the lock for a while


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env["ACCORDS_SETTLE_SECONDS"] = "0"
    return env


def _ingest_cmd(raw: Path, wh: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "accords.cli", "ingest", "--no-prefect", "--raw", str(raw),
            "--warehouse", str(wh), *extra]


def _popen(cmd: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, env={**_env(), **env}, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; whatever is still alive at the end is killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            _kill_group(p)


def _kill_group(p: subprocess.Popen[str]) -> None:
    try:
        os.killpg(p.pid, signal.SIGCONT)
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait(timeout=10)


def big_raw(raw: Path) -> Path:
    write_raw(raw)
    many = raw / "many"
    many.mkdir()
    for i in range(N_EXTRA):
        (many / f"note-{i:03d}.txt").write_text(
            f"Bulletin {i}\n\nFinnish and Estonian ministers met in Tallinn on day {i} and signed "
            f"a memorandum of understanding on ferry link number {i}.\n", encoding="utf-8")
    return raw


def lock_is_held(wh: Path) -> bool:
    """True when another process holds the warehouse flock right now."""
    fd = os.open(wh / LOCK_FILE, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        assert exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def wait_for_holder(wh: Path, pid: int, timeout: float = 60.0) -> None:
    """Wait until ``pid`` has written itself into the lock file (it holds the lock then)."""
    deadline = time.monotonic() + timeout
    lock = wh / LOCK_FILE
    while time.monotonic() < deadline:
        try:
            if lock.read_text(encoding="utf-8").startswith(f"pid {pid} "):
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never took the lock")


# A helper process that takes the warehouse lock and says so; what follows decides when it lets go.
_TAKE_LOCK = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from accords.warehouse import WarehouseLock, init_warehouse\n"
    "wh = Path(sys.argv[1]); init_warehouse(wh)\n"
    "lock = WarehouseLock(wh); lock.acquire(owner='helper')\n"
    "print('locked', flush=True)\n"
)
HOLD_LOCK = _TAKE_LOCK + (
    "time.sleep(float(sys.argv[2]))\n"
    "lock.release()\n"
)


def hold_lock(wh: Path, seconds: float) -> subprocess.Popen[str]:
    """A helper process that holds the warehouse lock for ``seconds`` (prints 'locked' first)."""
    p = _popen([sys.executable, "-c", HOLD_LOCK, str(wh), str(seconds)])
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "locked", p.stderr.read() if p.stderr else ""
    return p


def runs(wh: Path) -> list[dict]:
    return sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])


def assert_no_duplicates(wh: Path) -> None:
    ids = read_table(wh, "articles", ["article_id"]).column("article_id").to_pylist()
    assert len(ids) == len(set(ids))
    paths = read_table(wh, "ingestions", ["run_id", "path"]).to_pylist()
    assert len({(r["run_id"], r["path"]) for r in paths}) == len(paths)
    # the visit in write_raw gives one meeting: present once, whichever run wrote it
    meets = read_table(wh, "meetings", ["article_id", "meeting_id"]).to_pylist()
    assert len(meets) == 1, meets


@pytest.mark.integration
def test_two_concurrent_ingests_one_writes_one_skipped(tmp_path: Path, procs: list) -> None:
    raw, wh = big_raw(tmp_path / "raw"), tmp_path / "wh"
    first = _popen(_ingest_cmd(raw, wh))
    procs.append(first)
    wait_for_holder(wh, first.pid)
    # Freeze the writer while it holds the lock, so the overlap is certain rather than a race.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        assert lock_is_held(wh)
        second = subprocess.run(_ingest_cmd(raw, wh), env=_env(), cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out, err = first.communicate(timeout=180)
    assert first.returncode == 0, out + err
    assert second.returncode == 0, second.stdout + second.stderr
    assert "skipped" in second.stdout

    rows = runs(wh)
    assert [r["status"].replace("_with_errors", "") for r in rows] == ["completed", "skipped"]
    writer, skipped = rows
    assert f"pid {first.pid}" in skipped["error"] and "another ingestion" in skipped["error"]
    assert skipped["articles_written"] == 0
    assert writer["articles_written"] == 4 + N_EXTRA
    assert read_table(wh, "articles").num_rows == 4 + N_EXTRA
    assert_no_duplicates(wh)
    # The skipped run left no staged files behind.
    assert not any((wh / "_staging").iterdir())


HOLD_UNTIL_TOLD = _TAKE_LOCK + (
    "sys.stdin.readline()\n"
    "released = time.time()\n"
    "lock.release()\n"
    "print('released', released, flush=True)\n"
)


@pytest.mark.integration
def test_wait_lets_the_second_run_write_after_the_first(tmp_path: Path, procs: list) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
    helper = subprocess.Popen([sys.executable, "-c", HOLD_UNTIL_TOLD, str(wh)], env=_env(), cwd=ROOT,
                              text=True, start_new_session=True, **pipes)
    procs.append(helper)
    assert helper.stdout is not None and helper.stdin is not None
    assert helper.stdout.readline().strip() == "locked"
    waiter = _popen(_ingest_cmd(raw, wh, "--wait", "60"))
    procs.append(waiter)
    err = Lines(waiter.stderr)
    # The run says it waits, and for whom, while the helper holds the lock ...
    notice = err.wait_for("waiting up to 60 s for the warehouse lock", timeout=60)
    assert f"pid {helper.pid} helper" in notice
    assert waiter.poll() is None and lock_is_held(wh)
    # ... and keeps waiting while it is held (a run that did not wait would be done by now).
    time.sleep(1.0)
    assert waiter.poll() is None, err.text()
    assert (wh / LOCK_FILE).read_text(encoding="utf-8").startswith(f"pid {helper.pid} ")
    helper.stdin.write("go\n")
    helper.stdin.flush()
    released = float(helper.stdout.readline().split()[1])
    out, _ = waiter.communicate(timeout=120)
    assert waiter.returncode == 0, out + err.text()
    (row,) = runs(wh)
    assert row["status"].startswith("completed") and row["articles_written"] == 4
    # The waiting run took the lock (it rewrites the lock file then) only after the release; the
    # margin covers the file system's coarse clock, far below the second the helper held on.
    lock = wh / LOCK_FILE
    assert lock.read_text(encoding="utf-8").startswith(f"pid {waiter.pid} run {row['run_id']}")
    assert lock.stat().st_mtime >= released - 0.05, (lock.stat().st_mtime, released)
    part = wh / "articles" / f"part-{row['run_id']}.parquet"
    assert part.stat().st_mtime >= released - 0.05


@pytest.mark.integration
def test_lock_of_a_sigkilled_holder_is_released(tmp_path: Path, procs: list) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    helper = hold_lock(wh, 600)
    procs.append(helper)
    assert lock_is_held(wh)
    os.kill(helper.pid, signal.SIGKILL)
    helper.wait(timeout=10)
    # The lock file still names the dead holder, but the kernel dropped its flock.
    assert f"pid {helper.pid}" in (wh / LOCK_FILE).read_text(encoding="utf-8")
    assert not lock_is_held(wh)
    res = subprocess.run(_ingest_cmd(raw, wh), env=_env(), cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    (row,) = runs(wh)
    assert row["status"].startswith("completed") and row["articles_written"] == 4


@pytest.mark.integration
def test_writer_sigkilled_mid_run_does_not_block_the_next(tmp_path: Path, procs: list) -> None:
    raw, wh = big_raw(tmp_path / "raw"), tmp_path / "wh"
    # The writer stops itself with its first batch staged (well before its commit) and is killed there.
    first = _popen(_ingest_cmd(raw, wh), ACCORDS_CRASH_AT="pause:between_table_writes")
    procs.append(first)
    wait_stopped(first.pid)
    assert lock_is_held(wh)
    (stage,) = (wh / "_staging").iterdir()
    assert (stage / RUN_FILE).exists() and (stage / "articles").is_dir()
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    # Where it died: rows staged, no commit record, nothing visible to readers.
    assert not (stage / COMMIT_FILE).exists()
    assert read_table(wh, "articles").num_rows == 0 and read_table(wh, "runs").num_rows == 0
    assert not lock_is_held(wh)
    res = subprocess.run(_ingest_cmd(raw, wh), env=_env(), cwd=ROOT, capture_output=True, text=True,
                         timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = runs(wh)
    # The killed run is recorded as interrupted (its staged rows undone); the next one wrote everything.
    assert sorted(r["status"].replace("_with_errors", "") for r in rows) == ["completed", "failed"]
    (killed,) = [r for r in rows if r["status"] == "failed"]
    assert killed["error"].startswith(f"interrupted: process {first.pid} died")
    assert read_table(wh, "articles").num_rows == 4 + N_EXTRA
    assert_no_duplicates(wh)
    assert not stage.exists()
