"""Progress of long runs (issue 13, point 3): the counts, their text, the sinks, the runner's calls.

Time is a fake clock passed in: no test sleeps or measures.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from accords.errors import SettingsError
from accords.progress import (
    BAR,
    LINES,
    QUIET,
    LineSink,
    RichSink,
    Snapshot,
    Tracker,
    articles_per_second,
    bar_text,
    format_duration,
    format_line,
    make_tracker,
    seconds_left,
    terminal_mode,
)
from accords.runner import run_ingest, run_reprocess
from tests.conftest import ROOT, STATE_VISIT


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A sink keeping every snapshot it was given, by event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Snapshot]] = []

    def start(self, s: Snapshot) -> None:
        self.events.append(("start", s))

    def update(self, s: Snapshot) -> None:
        self.events.append(("update", s))

    def finish(self, s: Snapshot) -> None:
        self.events.append(("finish", s))


def snap(**kw: object) -> Snapshot:
    base = {"command": "ingest", "unit": "files", "total": 1000, "done": 0, "articles": 0,
            "batches_total": 4, "batches_done": 0, "elapsed_s": 0.0}
    return Snapshot(**{**base, **kw})  # type: ignore[arg-type]


def test_rate_and_time_left_are_unknown_before_the_first_batch() -> None:
    s = snap(elapsed_s=3.0)
    assert articles_per_second(s) is None and seconds_left(s) is None
    assert format_line(s) == ("ingest: 0/1,000 files (0.0%), batch 0/4, 0 articles, ? articles/s, ? left")


def test_time_left_is_estimated_from_batches() -> None:
    # One batch of four in 10 s: 30 s left, whatever share of the files it held.
    s = snap(done=400, articles=2_500, batches_done=1, elapsed_s=10.0)
    assert articles_per_second(s) == 250.0 and seconds_left(s) == 30.0
    assert format_line(s) == ("ingest: 400/1,000 files (40.0%), batch 1/4, 2,500 articles, "
                              "250 articles/s, 30 s left")
    assert bar_text(s) == "files, 2,500 articles, 250 articles/s, 30 s left"
    assert seconds_left(snap(done=1000, batches_done=4, elapsed_s=40.0)) == 0.0
    # From the second batch on, the first one's start-up (worker processes) no longer counts:
    # the first took 10 s, the second 4 s more, so two more batches take about 8 s.
    assert seconds_left(snap(done=500, batches_done=2, elapsed_s=14.0, first_batch_s=10.0)) == 8.0
    # Nothing to do (a rerun where every file is unchanged): no batches, nothing left.
    assert seconds_left(snap(total=5, done=5, batches_total=0)) == 0.0
    assert format_line(snap(total=0, batches_total=0)).startswith("ingest: 0/0 files (100.0%)")


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "?"), (0.4, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (125, "2 min 05 s"), (3600, "1 h 00 min"),
    (7384, "2 h 03 min")])
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_terminal_mode() -> None:
    assert terminal_mode(quiet=False, isatty=True) == BAR
    assert terminal_mode(quiet=False, isatty=False) == LINES
    assert terminal_mode(quiet=True, isatty=True) == QUIET == terminal_mode(quiet=True, isatty=False)


def test_tracker_counts_and_times_the_batches() -> None:
    clock, rec = Clock(), Recorder()
    t = Tracker("ingest", "files", [rec], clock=clock)
    t.advance(5, 5)  # before start: ignored (nothing planned yet)
    t.finish()  # never started: nothing to close
    assert rec.events == []
    clock.now = 200.0
    t.start(total=1000, done=200, batches_total=2)
    clock.now = 210.0
    t.advance(400, 900)
    clock.now = 220.0
    t.advance(400, 1100)
    t.finish()
    t.finish()  # twice: still one finish
    kinds = [k for k, _ in rec.events]
    assert kinds == ["start", "update", "update", "finish"]
    first, last = rec.events[1][1], rec.events[-1][1]
    assert (first.done, first.articles, first.batches_done, first.elapsed_s) == (600, 900, 1, 10.0)
    assert first.first_batch_s == 10.0 and seconds_left(first) == 10.0
    assert (last.done, last.total, last.articles, last.elapsed_s) == (1000, 1000, 2000, 20.0)
    assert articles_per_second(last) == 100.0


def test_line_sink_writes_one_line_per_batch() -> None:
    lines: list[str] = []
    clock = Clock()
    t = Tracker("ingest", "files", [LineSink(lines.append)], clock=clock)
    t.start(total=10, done=4, batches_total=2)
    clock.now += 2
    t.advance(3, 30)
    clock.now += 2
    t.advance(3, 10)
    t.finish()
    assert lines == [
        "ingest: 6 of 10 files to process in 2 batches (4 unchanged or skipped)",
        "ingest: 7/10 files (70.0%), batch 1/2, 30 articles, 15 articles/s, 2 s left",
        "ingest: 10/10 files (100.0%), batch 2/2, 40 articles, 10 articles/s, 0 s left",
    ]


def test_rich_sink_draws_the_bar_on_a_terminal() -> None:
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140, color_system=None)
    clock = Clock()
    t = Tracker("ingest", "files", [RichSink(console)], clock=clock)
    t.start(total=19_043, done=43, batches_total=38)
    clock.now += 10
    t.advance(9_500, 9_400)
    t.finish()
    text = out.getvalue()
    assert "ingest" in text and "9543/19043" in text
    assert "9,400 articles, 940 articles/s, 6 min 10 s left" in text  # 37 batches of 10 s to go


def test_make_tracker_sinks(capsys) -> None:
    logged: list[str] = []
    for mode, want in [(BAR, RichSink), (LINES, LineSink)]:
        t = make_tracker("ingest", "files", mode, log=logged.append)
        assert [type(s) for s in t.sinks] == [LineSink, want]
    assert [type(s) for s in make_tracker("ingest", "files", QUIET, log=logged.append).sinks] == [LineSink]
    assert make_tracker("ingest", "files", None).sinks == []
    with pytest.raises(SettingsError, match="progress must be one of"):
        make_tracker("ingest", "files", "loud")
    t = make_tracker("ingest", "files", LINES, log=logged.append)
    t.start(total=2, done=0, batches_total=1)
    t.advance(2, 3)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == logged[0] == "ingest: 2 of 2 files to process in 1 batch"
    assert err[1] == logged[1] and err[1].startswith("ingest: 2/2 files (100.0%), batch 1/1, 3 articles")


# ---------------------------------------------------------------------------------------------
# The runner reports every batch
# ---------------------------------------------------------------------------------------------

def test_ingest_reports_files_of_total_per_batch(settings, tmp_path: Path) -> None:
    raw = settings.raw_dir
    for i in range(7):
        (raw / f"extra{i}.txt").write_text(STATE_VISIT.replace("Monday", f"day {i}"), encoding="utf-8")
        os.utime(raw / f"extra{i}.txt", (1_600_000_000, 1_600_000_000))
    (raw / ".hidden.txt").write_text("x", encoding="utf-8")  # skipped: counted done at the start
    s = settings.with_overrides(batch_size=3, workers=1)
    rec = Recorder()
    result = run_ingest(s, log=lambda m: None, progress=Tracker("ingest", "files", [rec]))
    assert result.row["status"] == "completed"
    start, updates = rec.events[0][1], [e for k, e in rec.events if k == "update"]
    assert start.total == result.row["files_seen"] == 11 and start.done == 1
    assert start.batches_total == len(updates) == 4  # 10 files to read in batches of 3
    assert [u.done for u in updates] == [4, 7, 10, 11]
    assert updates[-1].articles == result.row["articles_written"] == 11
    assert rec.events[-1][0] == "finish"

    # A rerun with nothing new: every file is done before any batch, and nothing is left.
    rec2 = Recorder()
    again = run_ingest(s, log=lambda m: None, progress=Tracker("ingest", "files", [rec2]))
    assert again.row["files_unchanged"] == 10
    assert [k for k, _ in rec2.events] == ["start", "finish"]
    assert rec2.events[0][1].done == rec2.events[0][1].total == 11 and seconds_left(rec2.events[0][1]) == 0

    rec3 = Recorder()
    run_reprocess(s, log=lambda m: None, progress=Tracker("reprocess", "articles", [rec3]))
    starts = [e for k, e in rec3.events if k == "start"]
    assert starts[0].total == 11 and starts[0].batches_total == 4
    assert [e.done for k, e in rec3.events if k == "update"] == [3, 6, 9, 11]


def test_a_failed_run_closes_the_display(settings, tmp_path: Path) -> None:
    rec = Recorder()
    s = settings.with_overrides(raw_dir=tmp_path / "missing")
    assert run_ingest(s, log=lambda m: None, progress=Tracker("ingest", "files", [rec])).failed
    assert rec.events == []  # failed before planning: never started, nothing to close


# ---------------------------------------------------------------------------------------------
# The command line: lines when not a terminal, --quiet, a bar on a real terminal
# ---------------------------------------------------------------------------------------------

def test_cli_prints_a_line_per_batch_when_not_a_terminal(settings, capsys, monkeypatch) -> None:
    from accords.cli import main

    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ACCORDS_WORKERS", "1")
    args = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--no-prefect", *args]) == 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0] == "ingest: 3 of 3 files to process in 1 batch"
    assert lines[1].startswith("ingest: 3/3 files (100.0%), batch 1/1, 4 articles, ")
    assert "4 articles" in out  # the summary, on stdout


def test_cli_quiet_prints_nothing_unless_the_run_failed(settings, tmp_path, capsys, monkeypatch) -> None:
    from accords.cli import main

    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ACCORDS_WORKERS", "1")
    wh = ["--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--no-prefect", "--quiet", "--raw", str(settings.raw_dir), *wh]) == 0
    assert main(["reprocess", "--no-prefect", "-q", *wh]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["ingest", "--no-prefect", "-q", "--raw", str(tmp_path / "missing"), *wh]) == 1
    out, err = capsys.readouterr()
    assert "failed" in out and "does not exist" in out and err == ""


@pytest.mark.usefixtures("prefect_harness")
def test_cli_through_prefect_prints_lines_and_logs_them_to_the_run(settings, capsys, monkeypatch) -> None:
    import flows.ingest
    from accords.cli import main

    logged: list[str] = []

    class Logger:
        def info(self, msg: str, *args: object) -> None:
            logged.append(msg % args if args else msg)

    monkeypatch.setattr(flows.ingest, "get_run_logger", lambda: Logger())
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ACCORDS_WORKERS", "1")
    args = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", *args]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ingest: ")]
    assert len(err) == 2 and err[1].startswith("ingest: 3/3 files (100.0%), batch 1/1, 4 articles")
    assert [m for m in logged if m.startswith("ingest: ")] == err  # the same counts in the run's log
    assert main(["ingest", "--quiet", *args]) == 0
    assert capsys.readouterr().out == ""
    assert sum(m.startswith("ingest: ") for m in logged) == 3  # quiet terminal, the run's log still hears


def test_cli_draws_a_bar_on_a_real_terminal(tmp_path: Path) -> None:
    """`accords ingest` in a pseudo-terminal: rich draws (cursor control, the bar's counts)."""
    from tests.conftest import write_raw

    raw = write_raw(tmp_path / "raw")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env.update({"ACCORDS_SETTLE_SECONDS": "0", "ACCORDS_WORKERS": "1", "COLUMNS": "160", "TERM": "xterm"})
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "accords.cli", "ingest", "--no-prefect", "--raw", str(raw),
                             "--warehouse", str(tmp_path / "wh")], cwd=ROOT, env=env, stdin=child_fd,
                            stdout=child_fd, stderr=child_fd, start_new_session=True)
    os.close(child_fd)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([main_fd], [], [], 120)
            if not ready:
                break
            try:
                data = os.read(main_fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        os.close(main_fd)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    assert "\x1b[" in text and "━" in text  # rich's escape codes and bar
    assert "3/3" in text and "4 articles" in text and "articles/s" in text
    assert "ingest: 3/3 files" not in text  # a bar, not log lines
