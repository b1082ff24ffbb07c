"""End-to-end fault injection with real processes: kills, a full disk, an immutable folder,
readers during commits, overlapping and repeated runs, and memory on huge input.

Crashes use real subprocesses (``python -m accords.cli ... --no-prefect``) and real signals
(``ACCORDS_CRASH_AT`` makes the process SIGKILL itself at a named point); the disk-full case runs
the CLI under ``RLIMIT_FSIZE`` with SIGXFSZ ignored, so writes fail with EFBIG as on a full disk.
Figures go to ``record_fault`` (see tests/fault_helpers.py and bench/fault_table.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accords.runner import run_ingest
from accords.settings import Settings
from accords.warehouse import LOCK_FILE, STAGING, TABLES, read_table, table_dir
from tests.conftest import ROOT, write_raw
from tests.fault_helpers import (
    DATA_TABLES,
    GOOD_IDS,
    Lines,
    assert_no_duplicates,
    cli,
    cli_env,
    duplicates,
    lost,
    proc_state,
    put,
    raw_snapshot,
    record_fault,
    rows_lost_and_extra,
    table_snapshot,
    wait_stopped,
)


def quiet(msg: str) -> None:
    pass


def ingest_args(raw: Path, wh: Path, *extra: str) -> list[str]:
    return ["ingest", "--no-prefect", "--raw", str(raw), "--warehouse", str(wh), *extra]


def full_state(wh: Path) -> dict[str, list[str]]:
    """Every row of every table (runs included), as sorted JSON, for 'unchanged' checks."""
    return {t: sorted(json.dumps(r, default=str, sort_keys=True) for r in read_table(wh, t).to_pylist())
            for t in TABLES}


def no_leftovers(wh: Path) -> None:
    """No staging folders, and nothing but committed Parquet files in the table folders."""
    assert not any((wh / STAGING).iterdir()), list((wh / STAGING).iterdir())
    for t in TABLES:
        d = table_dir(wh, t)
        if d.exists():
            assert all(p.suffix == ".parquet" and not p.name.startswith(".") for p in d.iterdir()), \
                list(d.iterdir())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Data tables of an uninterrupted run over conftest.write_raw's raw folder."""
    base = tmp_path_factory.mktemp("ref")
    raw = write_raw(base / "raw")
    run_ingest(Settings(raw_dir=raw, warehouse_dir=base / "wh", settle_seconds=0, workers=1), log=quiet)
    return table_snapshot(base / "wh")


# ---------------------------------------------------------------------------------------------
# SIGKILL during discovery and during reprocess
# ---------------------------------------------------------------------------------------------


def test_killed_during_discovery_then_rerun(tmp_path: Path, reference: dict) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    before = raw_snapshot(raw)
    crashed = cli(*ingest_args(raw, wh), env=cli_env(ACCORDS_CRASH_AT="during_discover"))
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert all(read_table(wh, t).num_rows == 0 for t in DATA_TABLES)
    assert any((wh / STAGING).iterdir())  # the killed run's staging folder is still there
    again = cli(*ingest_args(raw, wh))
    assert again.returncode == 0, again.stdout + again.stderr
    got = table_snapshot(wh)
    assert got == reference
    no_leftovers(wh)
    assert raw_snapshot(raw) == before
    runs = sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    assert [r["status"] for r in runs] == ["failed", "completed"] and "interrupted" in runs[0]["error"]
    missing, extra = rows_lost_and_extra(got, reference)
    record_fault("crash", "SIGKILL during discovery (ingest), then rerun",
                 "killed run recorded failed (interrupted); rerun equals a clean run",
                 lost_rows=missing, duplicate_rows=extra)


REPROCESS_POINTS = ["during_extract", "between_table_writes", "before_commit", "after_commit_record",
                    "between_table_moves"]


@pytest.mark.parametrize("point", REPROCESS_POINTS)
def test_killed_reprocess_then_rerun(tmp_path: Path, reference: dict, point: str) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    ingest_run = read_table(wh, "runs").column("run_id").to_pylist()[0]
    crashed = cli("reprocess", "--no-prefect", "--warehouse", str(wh), env=cli_env(ACCORDS_CRASH_AT=point))
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    # Readers meanwhile see whole tables: the old rows or the new ones, never both, never none.
    assert table_snapshot(wh) == reference and not any(duplicates(wh).values())
    child_runs = {r for t in ("entities", "mentions", "agreements", "meetings")
                  for r in read_table(wh, t, ["run_id"]).column("run_id").to_pylist()}
    assert len(child_runs) == 1  # all rows of one generation
    if point in ("during_extract", "between_table_writes", "before_commit"):
        assert child_runs == {ingest_run}
    again = cli("reprocess", "--no-prefect", "--warehouse", str(wh))
    assert again.returncode == 0, again.stdout + again.stderr
    got = table_snapshot(wh)
    assert got == reference
    assert_no_duplicates(wh)
    no_leftovers(wh)
    runs = sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    statuses = [r["status"] for r in runs]
    committed = point in ("after_commit_record", "between_table_moves")
    assert statuses == ["completed", "completed" if committed else "failed", "completed"], statuses
    missing, extra = rows_lost_and_extra(got, reference)
    record_fault("crash", f"SIGKILL during reprocess at {point}, then rerun",
                 ("commit record written: finished by recovery" if committed else
                  "undone, recorded failed (interrupted)") + "; readers saw whole old or new tables",
                 lost_rows=missing, duplicate_rows=extra)


# ---------------------------------------------------------------------------------------------
# A full disk and a folder that refuses writes
# ---------------------------------------------------------------------------------------------

_FSIZE = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
"""


def _big_article(n_words: int, seed: int) -> str:
    rng = random.Random(seed)
    words = ["Chile", "Peru", "minister", "accord", "signed", "trade", "border", "talks", "Lima"]
    return " ".join(f"{rng.choice(words)}{rng.randrange(10**6)}" for _ in range(n_words)) + "."


@pytest.mark.parametrize("limit", [60_000, 3_000], ids=["data-write-fails", "nothing-can-be-written"])
def test_disk_full_fails_cleanly_and_changes_nothing(tmp_path: Path, limit: int) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    put(raw, "big.json", json.dumps({"text": _big_article(40_000, 1)}).encode())  # ~0.5 MB of text
    before, raw_before = full_state(wh), raw_snapshot(raw)
    done = cli(*ingest_args(raw, wh), preexec=_FSIZE.format(limit=limit),
               env=cli_env(ACCORDS_MAX_EXTRACT_CHARS="20000"))
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "failed" in out and "File too large" in out, out
    after = full_state(wh)
    assert {t: after[t] for t in TABLES if t != "runs"} == {t: before[t] for t in TABLES if t != "runs"}
    new_runs = [json.loads(r) for r in after["runs"] if r not in before["runs"]]
    if limit > 10_000:  # room for the small failed-run record
        assert len(new_runs) == 1 and new_runs[0]["status"] == "failed", new_runs
        assert "File too large" in new_runs[0]["error"], new_runs[0]["error"]
    else:
        assert new_runs == [] and after["runs"] == before["runs"]
    no_leftovers(wh)
    assert raw_snapshot(raw) == raw_before
    # Space again: the next run takes the file, nothing lost, nothing duplicated.
    again = cli(*ingest_args(raw, wh), env=cli_env(ACCORDS_MAX_EXTRACT_CHARS="20000"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert_no_duplicates(wh)
    n_lost = lost(wh, GOOD_IDS) + (read_table(wh, "articles").num_rows != 5)
    record_fault("disk", f"disk full while writing (RLIMIT_FSIZE {limit} bytes, EFBIG)",
                 "run failed: " + ("recorded with 'File too large'" if new_runs else
                                   "not even the failure could be recorded; message on stdout") +
                 "; tables unchanged; next run ingests the file",
                 lost_rows=n_lost, duplicate_rows=sum(duplicates(wh).values()))


def _chattr(flag: str, path: Path) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("table", ["articles", "ingestions", "runs"])
def test_table_folder_refusing_writes_fails_cleanly(tmp_path: Path, table: str) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    put(raw, "extra.txt", b"Peru and Chile signed a new water accord in Lima on Monday.")
    folder = table_dir(wh, table).resolve()
    if shutil.which("chattr") is None or not _chattr("+i", folder):
        pytest.skip("chattr +i is not permitted here (root without CAP_LINUX_IMMUTABLE)")
    try:
        before = full_state(wh)
        res = run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
        assert res.failed and "refuses writes" in res.row["error"], res.row
        after = full_state(wh)
    finally:
        _chattr("-i", folder)
    unchanged = {t for t in TABLES if after[t] == before[t]}
    assert unchanged >= set(TABLES) - {"runs"}, set(TABLES) - unchanged
    no_leftovers(wh)
    again = run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    assert again.row["status"] == "completed" and again.row["articles_written"] == 1
    assert_no_duplicates(wh)
    record_fault("disk", f"'{table}' table folder refuses writes (chattr +i, EPERM)",
                 "run failed before its commit point with the OS error; tables unchanged; next run "
                 "writes everything", lost_rows=lost(wh, GOOD_IDS),
                 duplicate_rows=sum(duplicates(wh).values()))


def test_failure_after_the_commit_point_is_finished_by_the_next_run(
        tmp_path: Path, reference: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder turning read-only after the pre-commit check: the commit is kept, not half undone."""
    from accords import localstore as warehouse

    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    warehouse.init_warehouse(wh)
    folder = table_dir(wh, "ingestions").resolve()
    if shutil.which("chattr") is None or not _chattr("+i", folder):
        pytest.skip("chattr +i is not permitted here (root without CAP_LINUX_IMMUTABLE)")
    monkeypatch.setattr(warehouse, "_check_writable", lambda wh, tables: None)  # the race
    try:
        res = run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    finally:
        _chattr("-i", folder)
    assert res.failed and "committed" in res.row["error"] and "next run finishes it" in res.row["error"]
    assert any((wh / STAGING).iterdir())  # the commit record and unmoved files are kept
    again = run_ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1), log=quiet)
    assert again.row["status"] == "completed" and again.row["articles_written"] == 0
    got = table_snapshot(wh)
    assert got == reference
    assert_no_duplicates(wh)
    no_leftovers(wh)
    runs = {r["run_id"]: r["status"] for r in read_table(wh, "runs").to_pylist()}
    assert runs == {res.row["run_id"]: "completed", again.row["run_id"]: "completed"}
    assert read_table(wh, "ingestions").num_rows == 6
    missing, extra = rows_lost_and_extra(got, reference)
    record_fault("disk", "table folder becomes immutable after the commit record is written",
                 "run reported failed ('committed ... the next run finishes it'); staging kept; next run "
                 "applies the commit", lost_rows=missing, duplicate_rows=extra)


# ---------------------------------------------------------------------------------------------
# Readers during commits; many runs in a row
# ---------------------------------------------------------------------------------------------

READ_TABLES = ("articles", "entities", "ingestions", "runs")


def _reader(wh: str, stop_file: str, out_file: str, started_file: str) -> None:
    """Read tables with plain pyarrow.dataset in a loop until ``stop_file`` exists.

    ``started_file`` is created once every table has been read once.
    """
    import pyarrow.dataset as ds

    seen: list[tuple[str, int]] = []
    errors: list[str] = []
    reads = 0
    while not os.path.exists(stop_file):
        if reads >= len(READ_TABLES) and not os.path.exists(started_file):
            open(started_file, "w").close()
        for t in READ_TABLES:
            path = os.path.join(wh, t)
            if not os.path.exists(path):
                continue
            try:
                seen.append((t, ds.dataset(path, format="parquet").to_table().num_rows))
                reads += 1
            except Exception as exc:  # every failure counts against the warehouse
                errors.append(f"{t}: {type(exc).__name__}: {exc}")
    with open(out_file, "w") as fh:
        json.dump({"seen": sorted(set(seen)), "errors": errors, "reads": reads}, fh)


def test_readers_see_whole_states_across_twenty_runs(tmp_path: Path) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    settings = Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1)
    run_ingest(settings, log=quiet)
    states = {t: {read_table(wh, t).num_rows} for t in READ_TABLES}
    raw_before = raw_snapshot(raw)
    stop, out, started = tmp_path / "stop", tmp_path / "reader.json", tmp_path / "reading"
    ctx = multiprocessing.get_context("spawn")
    reader = ctx.Process(target=_reader, args=(str(wh), str(stop), str(out), str(started)))
    reader.start()
    deadline = time.monotonic() + 60  # the reader reads every table before the first commit
    while not started.exists():
        assert reader.is_alive() and time.monotonic() < deadline, "the reader never read every table"
        time.sleep(0.01)
    n_runs = 20
    texts = [f"Delegates of Peru and Chile met for round {i} of the water talks in Arica."
             for i in range(n_runs)]
    try:
        for i, text in enumerate(texts):
            put(raw, f"round/{i:02d}.txt", text.encode())
            raw_before = raw_snapshot(raw)
            res = run_ingest(settings, log=quiet)
            assert res.row["status"] == "completed" and res.row["articles_written"] == 1, res.row
            assert raw_snapshot(raw) == raw_before
            for t in READ_TABLES:
                states[t].add(read_table(wh, t).num_rows)
    finally:
        stop.touch()
        reader.join(60)
    obs = json.loads(out.read_text())
    assert obs["errors"] == []
    assert obs["reads"] > 4 * n_runs
    partial = [(t, n) for t, n in obs["seen"] if n not in states[t]]
    assert partial == []
    assert_no_duplicates(wh)
    assert read_table(wh, "articles").num_rows == 4 + n_runs
    assert lost(wh, GOOD_IDS) == 0 and read_table(wh, "runs").num_rows == n_runs + 1
    distinct = len(obs["seen"])
    record_fault("concurrency", f"{n_runs} runs in a row, one new file each, while a reader process reads "
                 f"{len(READ_TABLES)} tables with pyarrow.dataset",
                 f"{obs['reads']} reads, {distinct} distinct (table, rows) states, all of them committed "
                 f"states; {len(obs['errors'])} read errors",
                 lost_rows=lost(wh, GOOD_IDS) + (4 + n_runs - read_table(wh, "articles").num_rows),
                 duplicate_rows=sum(duplicates(wh).values()), reads=obs["reads"],
                 read_errors=len(obs["errors"]), partial_states=len(partial))


# ---------------------------------------------------------------------------------------------
# Overlapping runs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wait", [False, True], ids=["no-wait", "wait"])
def test_overlapping_runs_never_duplicate(tmp_path: Path, wait: bool) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    for i in range(6):
        put(raw, f"more/{i}.txt", f"Officials of Peru and Chile met in Arica for session {i}.".encode())
    raw_before = raw_snapshot(raw)
    n = 3 if wait else 2
    extra = ["--wait", "60"] if wait else []

    def start(**env: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "accords.cli", *ingest_args(raw, wh, *extra)],
                                env=cli_env(**env), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    # The first run stops itself holding the lock; the others start while it is held for certain.
    first = start(ACCORDS_CRASH_AT="pause:during_discover")
    procs = [first]
    try:
        wait_stopped(first.pid)
        assert (wh / LOCK_FILE).read_text(encoding="utf-8").startswith(f"pid {first.pid} ")
        others = [start() for _ in range(n - 1)]
        procs += others
        errs = [Lines(p.stderr) for p in others]
        if wait:
            for err in errs:  # each one waits for the stopped holder
                line = err.wait_for("waiting up to 60 s for the warehouse lock", timeout=60)
                assert f"pid {first.pid} " in line
            assert all(p.poll() is None for p in others)
        else:  # each one gives up at once, with the holder still stopped
            for p in others:
                p.wait(timeout=120)
            assert proc_state(first.pid) in ("T", "t")
        os.kill(first.pid, signal.SIGCONT)
        outs = [first.communicate(timeout=120)]
        for p, err in zip(others, errs, strict=True):
            p.wait(timeout=120)
            outs.append((p.stdout.read(), err.text()))
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
    assert all(p.returncode == 0 for p in procs), outs
    runs = read_table(wh, "runs").to_pylist()
    statuses = sorted(r["status"] for r in runs)
    writer = [r for r in runs if r["articles_written"]]
    assert len(runs) == n and len(writer) == 1 and writer[0]["articles_written"] == 10
    if wait:
        assert statuses == ["completed"] * n
    else:
        assert statuses == ["completed", "skipped"]
        (skipped,) = [r for r in runs if r["status"] == "skipped"]
        assert f"pid {first.pid} " in skipped["error"]
    assert sum(r["articles_written"] for r in runs) == 10
    assert_no_duplicates(wh)
    assert read_table(wh, "articles").num_rows == 10 and lost(wh, GOOD_IDS) == 0
    assert raw_snapshot(raw) == raw_before
    no_leftovers(wh)
    record_fault("concurrency",
                 f"{n - 1} ingest process(es) started while another holds the lock"
                 + (" with --wait 60" if wait else ""),
                 "statuses: " + ", ".join(statuses) + "; one writer at a time",
                 lost_rows=lost(wh, GOOD_IDS) + (10 - read_table(wh, "articles").num_rows),
                 duplicate_rows=sum(duplicates(wh).values()))


# ---------------------------------------------------------------------------------------------
# Huge input: peak memory measured with getrusage in a subprocess
# ---------------------------------------------------------------------------------------------

_MEASURE = """
import json, resource, sys
from accords.runner import run_ingest
from accords.settings import load_settings
from accords.warehouse import read_table
res = run_ingest(load_settings(), log=lambda m: None)
arts = read_table(load_settings().warehouse_dir, "articles", ["source_path", "text_chars"]).to_pylist()
print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "status": res.row["status"], "articles": arts}))
"""


def _measure(raw: Path, wh: Path) -> dict:
    env = cli_env(ACCORDS_RAW_DIR=str(raw), ACCORDS_WAREHOUSE_DIR=str(wh), ACCORDS_MAX_EXTRACT_CHARS="50000")
    done = subprocess.run([sys.executable, "-c", _MEASURE], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_huge_article_and_oversized_file_stay_within_memory(tmp_path: Path) -> None:
    small = _measure(write_raw(tmp_path / "small"), tmp_path / "wh_small")
    raw = write_raw(tmp_path / "raw")
    para = "Peru and Chile held another round of talks on water rights in Arica on Monday. "
    n_chars = 8_000_000
    put(raw, "huge.txt", (para * (n_chars // len(para) + 1))[:n_chars].encode())
    sparse = raw / "over_cap.txt"
    with open(sparse, "wb") as fh:
        fh.truncate(200_000_000)  # 200 MB, sparse: over the 50 MB default cap
    os.utime(sparse, (1_600_000_000, 1_600_000_000))
    raw_before = raw_snapshot(raw)
    big = _measure(raw, tmp_path / "wh")
    assert big["status"] == "completed"
    chars = {a["source_path"]: a["text_chars"] for a in big["articles"]}
    assert chars["huge.txt"] == len((para * (n_chars // len(para) + 1))[:n_chars].strip())  # stored whole
    rows = {r["path"]: r for r in read_table(tmp_path / "wh", "ingestions").to_pylist()}
    assert rows["over_cap.txt"]["status"] == "skipped" and "too large" in rows["over_cap.txt"]["error"]
    extra_mb = (big["maxrss_kb"] - small["maxrss_kb"]) / 1024
    # Generous sanity bound: a few copies of an 8 MB text, far from reading the 200 MB file.
    assert extra_mb < 40 * n_chars / 1e6, (small, big["maxrss_kb"])
    assert raw_snapshot(raw) == raw_before
    record_fault("huge input", "8 M-character article (8 MB .txt) plus a 200 MB file over the cap",
                 f"article stored whole, extraction capped at 50,000 chars; 200 MB file skipped unread; "
                 f"peak RSS {big['maxrss_kb'] / 1024:.0f} MB vs {small['maxrss_kb'] / 1024:.0f} MB for a "
                 f"small raw/ (+{extra_mb:.0f} MB)", lost_rows=lost(tmp_path / "wh", GOOD_IDS),
                 peak_rss_mb=round(big["maxrss_kb"] / 1024), baseline_rss_mb=round(small["maxrss_kb"] / 1024))
