"""Helpers shared by the fault-injection suites (tests/test_reliability.py, tests/test_fault_crash.py).

Besides assertions, every fault test reports what it measured through ``record_fault``. When the
environment variable ``FAULT_TABLE_OUT`` names a file, each report is appended to it as one JSON
line; ``bench/fault_table.py`` runs the suites with it set and renders docs/reliability.md from
the measured figures.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from accords.ids import article_id
from accords.warehouse import TABLES, read_table
from tests.conftest import ROOT, STATE_VISIT, TRADE_JSON

OLD = 1_600_000_000  # an mtime well past the settle time
DATA_TABLES = ("articles", "entities", "mentions", "agreements", "meetings")

# The canonical texts of the four good articles conftest.write_raw puts in raw/.
GOOD_TEXTS = (
    STATE_VISIT.split("\n\n", 1)[1].strip(),
    TRADE_JSON["text"],
    "Norway and Iceland signed a fisheries protocol in Oslo.",
    "Kenyan and Ethiopian officials discussed a railway project.",
)
GOOD_IDS = frozenset(article_id(t) for t in GOOD_TEXTS)


def settle(path: Path, when: int = OLD) -> None:
    """Give a file (not a symlink target) an old mtime so discovery takes it."""
    os.utime(path, (when, when), follow_symlinks=False)


def put(raw: Path, name: str | bytes, data: bytes, when: int = OLD) -> Path:
    """Write a raw file (``name`` may be bytes for undecodable names) with an old mtime."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(raw), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    settle(path, when)
    return path


def raw_snapshot(raw: Path) -> dict[str, tuple]:
    """(kind, sha256, size, mtime_ns, inode, mode) of every name below ``raw`` (links not followed)."""
    snap: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(raw, followlinks=False):
        for name in [*dirnames, *filenames]:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                kind = "file"
            elif stat.S_ISLNK(st.st_mode):
                digest, kind = os.readlink(p), "link"
            else:
                digest, kind = "", "dir" if stat.S_ISDIR(st.st_mode) else "other"
            mtime = st.st_mtime_ns if kind != "dir" else 0  # a dir's mtime is not content
            snap[os.path.relpath(p, raw)] = (kind, digest, st.st_size if kind != "dir" else 0,
                                             mtime, st.st_ino, st.st_mode)
    return snap


def duplicates(wh: Path) -> dict[str, int]:
    """Rows that repeat a key that must be unique, per table (all zeros when healthy)."""
    def extra(keys: list[Any]) -> int:
        return sum(n - 1 for n in Counter(keys).values() if n > 1)

    arts = read_table(wh, "articles", ["article_id"]).column("article_id").to_pylist()
    ents = read_table(wh, "entities", ["article_id", "entity_id"]).to_pylist()
    ments = read_table(wh, "mentions", ["article_id", "entity_id", "start", "end"]).to_pylist()
    agrs = read_table(wh, "agreements", ["agreement_id", "article_id"]).to_pylist()
    meets = read_table(wh, "meetings", ["meeting_id", "article_id"]).to_pylist()
    runs = read_table(wh, "runs", ["run_id"]).column("run_id").to_pylist()
    return {
        "articles": extra(arts),
        "entities": extra([(e["article_id"], e["entity_id"]) for e in ents]),
        "mentions": extra([tuple(m.values()) for m in ments]),
        # Keyed by article: agreement_id alone collides across articles (see
        # test_agreement_ids_are_unique_across_articles), which is not a duplicated row.
        "agreements": extra([(a["article_id"], a["agreement_id"]) for a in agrs]),
        "meetings": extra([(m["article_id"], m["meeting_id"]) for m in meets]),
        "runs": extra(runs),
    }


def assert_no_duplicates(wh: Path) -> None:
    """Every unique key is unique."""
    dups = duplicates(wh)
    assert not any(dups.values()), dups


def article_ids(wh: Path) -> set[str]:
    """Article ids in the warehouse."""
    return set(read_table(wh, "articles", ["article_id"]).column("article_id").to_pylist())


def lost(wh: Path, expected: set[str] | frozenset[str]) -> int:
    """How many expected article ids are missing from the warehouse."""
    return len(set(expected) - article_ids(wh))


def ingestion(wh: Path, path: str) -> dict[str, Any]:
    """The latest ingestions row of one raw path."""
    rows = [r for r in read_table(wh, "ingestions").to_pylist() if r["path"] == path]
    assert rows, f"no ingestions row for {path!r}"
    return max(rows, key=lambda r: (r["ingested_at"], r["run_id"]))


def all_strings(wh: Path) -> str:
    """Every string value of every table, concatenated (to search for leaked content)."""
    parts: list[str] = []
    for t in TABLES:
        for row in read_table(wh, t).to_pylist():
            parts.extend(json.dumps(v, default=str, ensure_ascii=False) for v in row.values())
    return "\n".join(parts)


def table_snapshot(wh: Path, volatile: frozenset[str] = frozenset({"run_id", "ingested_at"})) -> dict:
    """Sorted rows of the data tables without per-run columns, for equality checks."""
    out = {}
    for t in DATA_TABLES:
        rows = read_table(wh, t).to_pylist()
        out[t] = sorted(json.dumps({k: v for k, v in r.items() if k not in volatile}, default=str,
                                   sort_keys=True) for r in rows)
    return out


def rows_lost_and_extra(got: dict, ref: dict) -> tuple[int, int]:
    """(rows of ``ref`` missing from ``got``, rows of ``got`` beyond ``ref``), over all data tables."""
    missing = extra = 0
    for t in ref:
        a, b = Counter(got.get(t, [])), Counter(ref[t])
        missing += sum((b - a).values())
        extra += sum((a - b).values())
    return missing, extra


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a ``python -m accords.cli`` subprocess: no inherited ACCORDS_*, no settle wait."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env["ACCORDS_SETTLE_SECONDS"] = "0"
    env["ACCORDS_WORKERS"] = "1"
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
        preexec: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m accords.cli <args>`` (optionally after ``preexec`` Python code) in a subprocess."""
    if preexec is None:
        cmd = [sys.executable, "-m", "accords.cli", *args]
    else:
        code = f"{preexec}\nimport sys\nfrom accords.cli import main\nsys.exit(main(sys.argv[1:]))"
        cmd = [sys.executable, "-c", code, *args]
    return subprocess.run(cmd, env=env or cli_env(), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def record_fault(group: str, fault: str, behaviour: str, *, lost_rows: int, duplicate_rows: int = 0,
                 **figures: Any) -> None:
    """Report one measured fault outcome (appended to $FAULT_TABLE_OUT when it is set)."""
    out = os.environ.get("FAULT_TABLE_OUT")
    if not out:
        return
    line = {"group": group, "fault": fault, "behaviour": behaviour, "lost_rows": lost_rows,
            "duplicate_rows": duplicate_rows, **figures}
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")


def proc_state(pid: int) -> str | None:
    """The state letter of a process from /proc (``T`` when stopped), or None once it is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None
    return None if state in ("Z", "X") else state


def wait_stopped(pid: int, timeout: float = 60.0) -> None:
    """Wait until ``pid`` is stopped (e.g. by an ACCORDS_CRASH_AT=pause:<point> hook)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = proc_state(pid)
        if state in ("T", "t"):
            return
        if state is None:
            raise AssertionError(f"process {pid} ended before it stopped at its pause point")
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop within {timeout} s")


class Lines:
    """Collects the lines of a subprocess's text stream in a thread, to wait on one with a bound."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """The first line containing ``text``; AssertionError if the stream ends or time runs out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines:
                    if text in line:
                        return line
                left = deadline - time.monotonic()
                if self._done or left <= 0:
                    raise AssertionError(f"no line with {text!r} in: {''.join(self._lines)!r}")
                self._cond.wait(left)

    def text(self, timeout: float = 30.0) -> str:
        """Everything read, once the stream has ended."""
        self._thread.join(timeout)
        with self._cond:
            return "".join(self._lines)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (flow runs may sit in sessions of their own), from /proc."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    children.setdefault(int(fields[1]), []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
