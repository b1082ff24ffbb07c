"""Watching raw/: which changes count, debouncing bursts of them, and the watchdog observer.

``accords serve --watch`` (``flows/serve.py``) asks the server for a run once a burst of new or
changed files has settled; this module holds the parts that need no Prefect.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Log = Callable[[str], None]


# Names discover() skips as unfinished or editor files; watching them would only trigger no-op runs.
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".swp", ".swo", ".swx", ".crdownload", ".download")


def watched(path: str | Path, root: Path) -> bool:
    """True when a change to ``path`` below ``root`` should trigger a run."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    if not rel.parts or any(part.startswith(".") for part in rel.parts):
        return False
    name = rel.name
    return not (name.lower().endswith(_PARTIAL_SUFFIXES) or name.endswith("~")
                or (name.startswith("#") and name.endswith("#")))


Stat = Callable[[str], tuple[int, int] | None]


def stat_signature(path: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of a path, or None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass
class Debouncer:
    """Turns a burst of file events into one trigger, once every file has stopped changing.

    ``note`` records an event; ``poll`` returns the batch to trigger for when no event came for
    ``quiet_seconds``, every pending file's (size, mtime) is unchanged since the previous poll and
    its mtime is at least ``settle_seconds`` old (so discover() will not skip it as unfinished).
    Time is passed in, so the logic is testable without sleeping.
    """

    quiet_seconds: float = 1.0
    settle_seconds: float = 2.0
    _pending: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    _last_event: float = 0.0

    def note(self, path: str, now: float) -> None:
        """Record an event on ``path`` at monotonic time ``now``."""
        self._pending.setdefault(path, None)
        self._last_event = now

    def requeue(self, paths: list[str], now: float) -> None:
        """Put back a batch whose trigger failed, to be retried after the quiet period."""
        for p in paths:
            self.note(p, now)

    @property
    def pending(self) -> list[str]:
        """Paths waiting for a trigger."""
        return sorted(self._pending)

    def poll(self, now: float, wall: float, stat: Stat = stat_signature) -> list[str] | None:
        """The batch to trigger now, or None (``now`` monotonic, ``wall`` epoch seconds)."""
        if not self._pending or now - self._last_event < self.quiet_seconds:
            return None
        stable = True
        for path, seen in list(self._pending.items()):
            cur = stat(path)
            if cur is None:  # gone again (e.g. a temp file renamed away): nothing to ingest
                del self._pending[path]
                continue
            if cur != seen or wall - cur[1] / 1e9 < self.settle_seconds:
                self._pending[path] = cur
                stable = False
        if not stable or not self._pending:
            return None
        batch = sorted(self._pending)
        self._pending.clear()
        return batch


class RawWatcher:
    """Watches ``raw/`` with watchdog and calls ``fire(paths)`` once per settled burst of changes."""

    def __init__(self, raw_dir: Path, fire: Callable[[list[str]], None], quiet_seconds: float = 1.0,
                 settle_seconds: float = 2.0, poll_seconds: float = 0.5, log: Log = print) -> None:
        self.raw_dir = raw_dir.resolve()
        self.fire = fire
        self.poll_seconds = poll_seconds
        self.log = log
        self.debouncer = Debouncer(quiet_seconds=quiet_seconds, settle_seconds=settle_seconds)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer: Any = None
        self._thread: threading.Thread | None = None

    def on_event(self, event: Any) -> None:
        """Watchdog callback: note writes, creations and renames into raw/ (not deletions)."""
        kind = event.event_type
        if kind == "moved":
            path = event.dest_path
        elif kind in ("created", "closed") or (kind == "modified" and not event.is_directory):
            path = event.src_path  # a directory's "modified" only echoes its files' own events
        else:
            return
        path = os.fsdecode(path)
        if watched(path, self.raw_dir):
            with self._lock:
                self.debouncer.note(path, time.monotonic())

    def start(self) -> None:
        """Start the observer and the debounce thread."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher.on_event(event)

        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self._observer = Observer()
        self._observer.schedule(_Handler(), str(self.raw_dir), recursive=True)
        self._observer.start()
        self._thread = threading.Thread(target=self._loop, name="accords-watch", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            with self._lock:
                batch = self.debouncer.poll(time.monotonic(), time.time())
            if not batch:
                continue
            try:
                self.fire(batch)
            except Exception as exc:  # noqa: BLE001 - server briefly away: retry, never die
                self.log(f"watch: could not trigger a run ({type(exc).__name__}: {exc}); retrying")
                with self._lock:
                    self.debouncer.requeue(batch, time.monotonic())

    def stop(self) -> None:
        """Stop watching (idempotent)."""
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
