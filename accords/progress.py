"""Progress of a long run: files done of total, articles per second, time left.

The bookkeeping is plain code: a ``Tracker`` counts what the runner reports after each batch and
hands a ``Snapshot`` to its sinks; ``format_line`` and friends turn a snapshot into text. Sinks
only display: ``LineSink`` writes one line per batch (to stderr, or to a Prefect run logger),
``RichSink`` draws a live bar with rich on a terminal. ``accords.runner`` calls the tracker;
the CLI and the flows choose the sinks (``make_tracker``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from accords.errors import SettingsError

Clock = Callable[[], float]
Write = Callable[[str], None]

# What the terminal shows (the Prefect run's logs get the lines whatever the mode).
BAR = "bar"  # a live rich bar: a terminal
LINES = "lines"  # one line per batch: not a terminal (a pipe, a log file)
QUIET = "quiet"  # nothing: cron
MODES = (BAR, LINES, QUIET)


@dataclass(frozen=True)
class Snapshot:
    """Where a run stands: counts so far and the time spent."""

    command: str
    unit: str  # what ``done`` and ``total`` count: "files" (ingest) or "articles" (reprocess)
    total: int
    done: int
    articles: int
    batches_total: int
    batches_done: int
    elapsed_s: float  # since the work on batches began (the rates and time left use this)
    first_batch_s: float | None = None  # elapsed_s when the first batch was done


def articles_per_second(s: Snapshot) -> float | None:
    """Articles written per second of batch work so far; None before the first batch is done."""
    return s.articles / s.elapsed_s if s.batches_done and s.elapsed_s > 0 else None


def seconds_left(s: Snapshot) -> float | None:
    """Estimated seconds until the last batch is done; None before the first batch is.

    Estimated from batches rather than files: batches are cut to similar sizes (files and
    bytes), while one file may be a 2,000-article piece of a .jsonl and the next a short page.
    From the second batch on, the pace is that of the batches after the first: the first also
    paid for starting the worker processes (seconds), which would inflate every estimate.
    """
    if s.batches_done >= s.batches_total:
        return 0.0
    if s.batches_done == 0 or s.elapsed_s <= 0:
        return None
    left = s.batches_total - s.batches_done
    if s.batches_done >= 2 and s.first_batch_s is not None and s.elapsed_s > s.first_batch_s:
        return (s.elapsed_s - s.first_batch_s) / (s.batches_done - 1) * left
    return s.elapsed_s / s.batches_done * left


def format_duration(seconds: float | None) -> str:
    """``42 s``, ``3 min 05 s`` or ``1 h 02 min``; ``?`` when unknown."""
    if seconds is None:
        return "?"
    n = int(round(seconds))
    if n < 60:
        return f"{n} s"
    if n < 3600:
        return f"{n // 60} min {n % 60:02d} s"
    return f"{n // 3600} h {n % 3600 // 60:02d} min"


def format_rate(rate: float | None) -> str:
    """``480 articles/s``; ``? articles/s`` when unknown."""
    return "? articles/s" if rate is None else f"{rate:,.0f} articles/s"


def format_line(s: Snapshot) -> str:
    """One log line, e.g.

    ``ingest: 1,500/19,043 files (7.9%), batch 3/39, 1,480 articles, 480 articles/s, 36 s left``.
    """
    pct = 100.0 * s.done / s.total if s.total else 100.0
    return (f"{s.command}: {s.done:,}/{s.total:,} {s.unit} ({pct:.1f}%), "
            f"batch {s.batches_done}/{s.batches_total}, {s.articles:,} articles, "
            f"{format_rate(articles_per_second(s))}, {format_duration(seconds_left(s))} left")


def bar_text(s: Snapshot) -> str:
    """What the bar shows after ``done/total``: ``files, 1,480 articles, 480 articles/s, 36 s left``."""
    return (f"{s.unit}, {s.articles:,} articles, {format_rate(articles_per_second(s))}, "
            f"{format_duration(seconds_left(s))} left")


def terminal_mode(quiet: bool, isatty: bool) -> str:
    """What the CLI shows: nothing with ``--quiet``, a bar on a terminal, else lines."""
    if quiet:
        return QUIET
    return BAR if isatty else LINES


class Sink(Protocol):
    """Displays a run's progress."""

    def start(self, s: Snapshot) -> None:
        """The batches are planned: ``s`` has the totals."""

    def update(self, s: Snapshot) -> None:
        """A batch is done."""

    def finish(self, s: Snapshot) -> None:
        """The run is over (committed, failed or interrupted)."""


class LineSink:
    """One line per batch through ``write`` (stderr, or a Prefect run logger's ``info``)."""

    def __init__(self, write: Write) -> None:
        self.write = write

    def start(self, s: Snapshot) -> None:
        """Say how much there is to do."""
        todo = s.total - s.done
        self.write(f"{s.command}: {todo:,} of {s.total:,} {s.unit} to process in {s.batches_total} "
                   f"batch{'' if s.batches_total == 1 else 'es'}"
                   f"{f' ({s.done:,} unchanged or skipped)' if s.done else ''}")

    def update(self, s: Snapshot) -> None:
        """One line for the batch just done."""
        self.write(format_line(s))

    def finish(self, s: Snapshot) -> None:
        """Nothing: the run's summary follows."""


class RichSink:
    """A live bar on a terminal (rich): files done of total, articles/s, time left."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self.console = console if console is not None else Console(file=sys.stderr)
        self._progress: Any = None
        self._task: Any = None

    def _fields(self, s: Snapshot) -> dict[str, Any]:
        return {"text": bar_text(s)}

    def start(self, s: Snapshot) -> None:
        """Draw the bar."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[text]}"), TimeElapsedColumn(),
            console=self.console, redirect_stdout=False, redirect_stderr=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(s.command, total=s.total, completed=s.done, **self._fields(s))

    def update(self, s: Snapshot) -> None:
        """Move the bar."""
        if self._progress is not None:
            self._progress.update(self._task, completed=s.done, **self._fields(s))

    def finish(self, s: Snapshot) -> None:
        """Draw the last state and stop (the bar stays on screen above the summary)."""
        if self._progress is not None:
            self._progress.update(self._task, completed=s.done, **self._fields(s))
            self._progress.stop()
            self._progress = None


class Tracker:
    """Counts a run's progress and hands snapshots to its sinks.

    ``start`` once the batches are planned (files already accounted for count as done), ``advance``
    after each batch, ``finish`` at the end (safe to call when never started, and more than once).
    """

    def __init__(self, command: str, unit: str, sinks: Sequence[Sink], clock: Clock = time.monotonic) -> None:
        self.command = command
        self.unit = unit
        self.sinks = list(sinks)
        self.clock = clock
        self.total = self.done = self.articles = self.batches_total = self.batches_done = 0
        self._t0: float | None = None
        self._first: float | None = None
        self._finished = False

    def snapshot(self) -> Snapshot:
        """The counts now."""
        elapsed = 0.0 if self._t0 is None else max(0.0, self.clock() - self._t0)
        return Snapshot(self.command, self.unit, self.total, self.done, self.articles,
                        self.batches_total, self.batches_done, elapsed, self._first)

    def start(self, total: int, done: int, batches_total: int) -> None:
        """``total`` items, ``done`` of them already accounted for, the rest in ``batches_total`` batches."""
        self.total, self.done, self.batches_total = total, done, batches_total
        self._t0 = self.clock()
        snap = self.snapshot()
        for sink in self.sinks:
            sink.start(snap)

    def advance(self, done: int, articles: int) -> None:
        """A batch is done: ``done`` more items finished, ``articles`` more articles written."""
        if self._t0 is None:
            return
        self.done += done
        self.articles += articles
        self.batches_done += 1
        snap = self.snapshot()
        if self.batches_done == 1:
            self._first = snap.elapsed_s
            snap = self.snapshot()
        for sink in self.sinks:
            sink.update(snap)

    def finish(self) -> None:
        """The run is over: let the sinks close their display."""
        if self._t0 is None or self._finished:
            return
        self._finished = True
        snap = self.snapshot()
        for sink in self.sinks:
            sink.finish(snap)


def make_tracker(command: str, unit: str, mode: str | None, log: Write | None = None,
                 stream: TextIO | None = None) -> Tracker:
    """A tracker showing ``mode`` (bar, lines, quiet; None = quiet) on ``stream`` (default stderr).

    ``log`` (a Prefect run logger's ``info``) also gets one line per batch, whatever the mode.
    """
    if mode is not None and mode not in MODES:
        raise SettingsError(f"progress must be one of {', '.join(MODES)}, not {mode!r}")
    out = stream if stream is not None else sys.stderr
    sinks: list[Sink] = []
    if log is not None:
        sinks.append(LineSink(log))
    if mode == BAR:
        from rich.console import Console

        sinks.append(RichSink(Console(file=out)))
    elif mode == LINES:
        sinks.append(LineSink(lambda line: print(line, file=out, flush=True)))
    return Tracker(command, unit, sinks)
