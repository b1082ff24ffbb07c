"""End-to-end fault injection: hostile raw files, odd names, links, vanishing files, bad records.

Every test drives the real pipeline (``accords.runner.run_ingest`` in process, or the ``accords``
CLI in a subprocess) over a raw folder holding the four good articles of ``conftest.write_raw``
plus the fault, then checks: the fault is recorded with a clear error, the run goes on, the good
articles are all written (zero rows lost), no key is duplicated, and raw/ is untouched.
Figures go to ``record_fault`` (see tests/fault_helpers.py and bench/fault_table.py).
"""

from __future__ import annotations

import ast
import codecs
import errno
import http.server
import json
import os
import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import accords.discover as discover_mod
from accords import pipeline
from accords.history import file_article_ids
from accords.ids import article_id, stable_id
from accords.records import Extraction
from accords.runner import RunResult, Stages, run_ingest
from accords.settings import Settings
from accords.warehouse import STAGING, TABLES, read_table
from tests.conftest import ROOT, write_raw
from tests.fault_helpers import (
    GOOD_IDS,
    all_strings,
    article_ids,
    assert_no_duplicates,
    cli,
    duplicates,
    ingestion,
    lost,
    put,
    raw_snapshot,
    record_fault,
    settle,
)

RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
BODY = "Peru and Bolivia signed a border protocol in La Paz on Friday, the ministers said."


def quiet(msg: str) -> None:
    pass


@pytest.fixture
def env(tmp_path: Path) -> Settings:
    """Settings over a raw folder with the four good articles; one worker, no settle wait."""
    raw = write_raw(tmp_path / "raw")
    return Settings(raw_dir=raw, warehouse_dir=tmp_path / "wh", settle_seconds=0.0, workers=1)


def ingest(settings: Settings, stages: Stages | None = None) -> RunResult:
    """One run, checking the invariants every run must keep."""
    before = raw_snapshot(settings.raw_dir)
    res = run_ingest(settings, stages, log=quiet)
    assert raw_snapshot(settings.raw_dir) == before, "the pipeline modified raw/"
    assert_no_duplicates(settings.warehouse_dir)
    assert not any((settings.warehouse_dir / STAGING).iterdir()), "staging left behind"
    return res


# ---------------------------------------------------------------------------------------------
# Bad input: one hostile file next to the good ones
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A hostile raw file and what the pipeline must do with it."""

    name: str
    data: bytes
    status: str  # expected ingestions.status of the file
    error: str | None = None  # substring of ingestions.error
    texts: tuple[str, ...] = ()  # texts of the articles the file must yield
    quarantined: int = 0  # quarantine rows expected for the file (bad .jsonl lines)


def _j(obj: object) -> bytes:
    return json.dumps(obj).encode()


_DEEP = b"[" * 100_000 + b"]" * 100_000
_LONG_LINE = " ".join(["Ministers from Peru and Bolivia met again"] * 25_000)  # ~1 MB, one line
_RNG = random.Random(5)

CASES = [
    Case("empty.txt", b"", "failed", "empty file"),
    Case("blank.md", b"  \n\t \r\n   \n", "failed", "empty file"),
    Case("zeros.txt", b"\x00" * 4096, "failed", "empty file"),
    Case("bom_only.txt", codecs.BOM_UTF8, "failed", "empty file"),
    Case("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(_RNG.randrange(256) for _ in range(2048)), "failed",
         "binary content (PNG image)"),
    Case("noise.json", bytes(_RNG.randrange(256) for _ in range(4096)), "failed", "binary content"),
    Case("program.html", b"\x7fELF\x02\x01\x01" + bytes(500), "failed", "binary content (ELF"),
    Case("nul_heavy.txt", b"ab\x00\x01\x02cd" * 300, "failed", "binary content"),
    Case("truncated.json", b'{"title": "T", "text": "Peru and Bolivia signed a bor', "failed",
         "invalid JSON"),
    Case("garbage.json", b"{text: 'single quotes'}", "failed", "invalid JSON"),
    Case("list.json", _j([{"text": BODY}]), "failed", "got a list"),
    Case("number.json", b"42", "failed", "got a number"),
    Case("string.json", _j(BODY), "failed", "got a string"),
    Case("null.json", b"null", "failed", "got null"),
    Case("text_number.json", _j({"text": 12345}), "failed", "must be a string, got a number"),
    Case("text_object.json", _j({"text": {"body": BODY}}), "failed", "must be a string, got an object"),
    Case("missing_text.json", _j({"title": "Only a title"}), "failed", "has no text"),
    Case("blank_text.json", _j({"text": "  \n "}), "failed", "is empty"),
    Case("deep.json", _DEEP, "failed", "nested too deeply"),
    Case("deep_meta.json", b'{"text": "x", "meta": ' + _DEEP + b"}", "failed", "nested too deeply"),
    Case("script_only.html", b"<html><body><script>var a = 1;</script></body></html>", "failed",
         "HTML holds no text"),
    Case("mixed.jsonl",
         b"\n".join([_j({"text": BODY}), b"[1, 2]", b'{"text": ', _j({"text": 5}), b"",
                     _j({"text": "Kenya and Uganda agreed a pipeline deal."}), b"\x00\x00", b"42"]),
         "new", "4 line(s) could not be parsed",
         texts=(BODY, "Kenya and Uganda agreed a pipeline deal."), quarantined=4),
    Case("all_bad.jsonl", b"[1]\n{\n\"x\"\n", "failed", "expected a JSON object", quarantined=3),
    Case("invalid_utf8.txt", b"Peru and Bolivia met at the caf\xe9 \x93Andino\x94 in La Paz.", "new",
         texts=("Peru and Bolivia met at the caf\u00e9 \u201cAndino\u201d in La Paz.",)),
    Case("utf16_bom.txt", codecs.BOM_UTF16_LE + "Perú y Bolivia firmaron un protocolo.".encode("utf-16-le"),
         "new", texts=("Perú y Bolivia firmaron un protocolo.",)),
    Case("utf16_no_bom.txt", "Chile and Peru signed a trade accord in Lima.".encode("utf-16-le"), "new",
         texts=("Chile and Peru signed a trade accord in Lima.",)),
    Case("utf16be_no_bom.json",
         _j({"text": "Ghana and Togo signed an energy MoU."}).decode().encode("utf-16-be"), "new",
         texts=("Ghana and Togo signed an energy MoU.",)),
    Case("line_endings.txt", b"Headline\r\n\r\nline one\rline two\r\nline three\nend  \r\n", "new",
         texts=("line one\nline two\nline three\nend",)),
    Case("stray_nuls.txt", b"Nepal and \x00India signed\x00 a hydropower agreement.", "new",
         texts=("Nepal and India signed a hydropower agreement.",)),
    Case("long_line.txt", _LONG_LINE.encode(), "new", texts=(_LONG_LINE,)),
    Case("long_line.jsonl", _j({"text": "Long line: " + _LONG_LINE}), "new",
         texts=("Long line: " + _LONG_LINE,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_recorded_and_the_run_goes_on(env: Settings, case: Case) -> None:
    put(env.raw_dir, case.name, case.data)
    res = ingest(replace(env, max_extract_chars=50_000))
    wh = env.warehouse_dir
    row = ingestion(wh, case.name)
    assert row["status"] == case.status, row
    if case.error:
        assert case.error in (row["error"] or ""), row["error"]
    else:
        assert row["error"] is None
    expected = {article_id(t) for t in case.texts}
    assert set(file_article_ids(wh, case.name)) == expected
    assert row["articles"] == len(file_article_ids(wh, case.name))
    stored = {a["article_id"]: a["text"] for a in read_table(wh, "articles").to_pylist()}
    for t in case.texts:
        assert stored[article_id(t)] == t
    assert all("\x00" not in t and "\r" not in t for t in stored.values())
    quarantined = [q for q in read_table(wh, "quarantine").to_pylist()
                   if q["source_path"].startswith(case.name + "#")]
    assert len(quarantined) == case.quarantined
    assert all(q["errors"] and q["errors"][0]["message"] for q in quarantined)
    # The run goes on: every good article is written, and the run says what happened.
    assert lost(wh, GOOD_IDS | expected) == 0
    assert res.row["status"] == ("completed_with_errors" if case.status == "failed" or case.quarantined
                                 else "completed")
    record_fault("bad input", case.name, f"{row['status']}: {row['error'] or 'ingested'}",
                 lost_rows=lost(wh, GOOD_IDS | expected), duplicate_rows=sum(duplicates(wh).values()),
                 articles_from_file=row["articles"], quarantined=len(quarantined))


def test_bad_file_is_retried_after_it_is_fixed(env: Settings) -> None:
    """A failed file is not remembered as ingested: once fixed, the next run takes it."""
    p = put(env.raw_dir, "later.json", b'{"text": ')
    ingest(env)
    assert ingestion(env.warehouse_dir, "later.json")["status"] == "failed"
    put(env.raw_dir, "later.json", _j({"text": BODY}), when=OLD_LATER)
    assert p.exists()
    ingest(env)
    assert ingestion(env.warehouse_dir, "later.json")["status"] == "new"
    assert article_id(BODY) in article_ids(env.warehouse_dir)


OLD_LATER = 1_600_000_500


def test_size_cap_rejects_without_reading(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real_read = pipeline.read_file

    def spy(found, max_bytes):  # noqa: ANN001, ANN202
        read.append(found.rel_path)
        return real_read(found, max_bytes)

    monkeypatch.setattr(pipeline, "read_file", spy)
    put(env.raw_dir, "big.txt", b"Peru and Bolivia. " * 1000)  # 18 kB, over a 10 kB cap
    sparse = env.raw_dir / "huge.txt"  # 60 MB, over the default 50 MB cap, costs no disk
    with open(sparse, "wb") as fh:
        fh.truncate(60_000_000)
    settle(sparse)
    res = ingest(replace(env, max_file_bytes=10_000))
    rows = {p: ingestion(env.warehouse_dir, p) for p in ("big.txt", "huge.txt")}
    assert all(r["status"] == "skipped" and "too large" in r["error"] for r in rows.values()), rows
    assert "big.txt" not in read and "huge.txt" not in read
    assert res.row["files_skipped"] == 2 and lost(env.warehouse_dir, GOOD_IDS) == 0
    # The default cap (50 MB) still refuses the 60 MB file.
    assert Settings().max_file_bytes == 50_000_000
    other = replace(env, warehouse_dir=env.warehouse_dir.parent / "wh2")
    ingest(other)
    assert ingestion(other.warehouse_dir, "huge.txt")["status"] == "skipped"
    assert "huge.txt" not in read
    record_fault("bad input", "file over the size cap (18 kB over 10 kB; sparse 60 MB over 50 MB)",
                 "skipped: too large (never opened)", lost_rows=lost(env.warehouse_dir, GOOD_IDS))


# ---------------------------------------------------------------------------------------------
# HTML that references external resources or holds scripts
# ---------------------------------------------------------------------------------------------


class _CountingServer:
    """A local HTTP server on 127.0.0.1 (port 0) counting every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"root:x:0:0 FETCHED-CONTENT")

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server() -> Iterator[_CountingServer]:
    s = _CountingServer()
    yield s
    s.close()


def _hostile_html(url: str) -> bytes:
    para = ("Peru and Bolivia signed a border protocol in La Paz on Friday. The foreign ministers said "
            "the accord settles a dispute over the lake shore that had lasted for decades. ")
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<title>Border protocol signed</title>
<base href="{url}/base/">
<meta http-equiv="refresh" content="0; url={url}/refresh">
<link rel="stylesheet" href="{url}/style.css">
<link rel="preload" href="{url}/preload.js" as="script">
<link rel="import" href="{url}/import.html">
<style>@import url("{url}/import.css"); body {{ background: url("{url}/bg.png"); }}</style>
<script src="{url}/external.js"></script>
<script>document.write("SCRIPT-RAN"); fetch("{url}/from-script"); var MARKER = "SCRIPT-TEXT";</script>
</head><body>
<img src="{url}/img.png" srcset="{url}/img2.png 2x" onerror="fetch('{url}/onerror')">
<iframe src="{url}/frame.html"></iframe>
<object data="{url}/object.swf"></object><embed src="{url}/embed.swf">
<video src="{url}/video.mp4" poster="{url}/poster.png"></video>
<audio src="{url}/audio.mp3"></audio>
<svg><image href="{url}/svg.png"/><script>var SVGMARK = "SVG-SCRIPT";</script></svg>
<form action="{url}/form"><input type="image" src="{url}/input.png"></form>
<article><h1>Border protocol signed</h1><p>{para * 3}</p><p>{para}</p></article>
<noscript>NOSCRIPT-TEXT</noscript>
<script>window.location = "{url}/redirect";</script>
</body></html>""".encode()


def _xxe_html(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "{url}/xxe">]>
<html><body><p>Ghana and Togo signed an energy memorandum in Accra. &xxe; &net;</p></body></html>""".encode()


def test_html_fetches_nothing_and_runs_no_script(env: Settings, server: _CountingServer) -> None:
    put(env.raw_dir, "hostile.html", _hostile_html(server.url))
    put(env.raw_dir, "xxe.html", _xxe_html(server.url))
    put(env.raw_dir, "links.json", _j({"text": BODY, "url": f"{server.url}/article-url",
                                       "source": f"{server.url}/source"}))
    ingest(env)
    wh = env.warehouse_dir
    assert server.requests == []
    arts = {a["source_path"]: a for a in read_table(wh, "articles").to_pylist()}
    text = arts["hostile.html"]["text"]
    assert "border protocol" in text
    everything = all_strings(wh)
    for marker in ("SCRIPT-RAN", "SCRIPT-TEXT", "SVG-SCRIPT", "document.write", "fetch(", "FETCHED-CONTENT",
                   "root:x:0:0"):
        assert marker not in everything, marker
    assert "Ghana and Togo" in arts["xxe.html"]["text"]
    assert lost(wh, GOOD_IDS) == 0
    record_fault("bad input", "HTML with scripts and 20 external references (img, script, link, iframe, "
                 "CSS @import, meta refresh, XXE entity)",
                 f"text extracted; {len(server.requests)} requests to the local server; "
                 "no script text stored",
                 lost_rows=lost(wh, GOOD_IDS), requests=len(server.requests))


# ---------------------------------------------------------------------------------------------
# File names, empty and missing raw/
# ---------------------------------------------------------------------------------------------

ODD_NAMES: list[str | bytes] = [
    "with space.txt", "  leading and trailing spaces  .txt", "ünïcödé 文章 статья.txt", "-rf.txt",
    "--help.json", "new\nline.txt", "tab\there.md", "quote\"and'apostrophe.txt", "semi;colon $(id).txt",
    "back\\slash.txt", "emoji 🕊️.txt", b"latin1-\xe9t\xe9.txt",
]


def test_odd_file_names_are_ingested(env: Settings) -> None:
    texts = {}
    for i, name in enumerate(ODD_NAMES):
        text = f"Delegation number {i} from Chile met officials in Lima to sign accord {i}."
        data = _j({"text": text}) if name == "--help.json" else text.encode()
        put(env.raw_dir, name, data)
        texts[i] = text
    res = ingest(env)
    wh = env.warehouse_dir
    paths = {r["path"]: r for r in read_table(wh, "ingestions").to_pylist()}
    for name in ODD_NAMES:
        shown = name if isinstance(name, str) else name.decode("utf-8", errors="backslashreplace")
        assert paths[shown]["status"] == "new", paths.get(shown)
    assert lost(wh, GOOD_IDS | {article_id(t) for t in texts.values()}) == 0
    assert res.row["files_failed"] == 0
    record_fault("bad input", f"{len(ODD_NAMES)} odd file names (spaces, unicode, leading dashes, newline, "
                 "tab, quotes, shell syntax, undecodable bytes)", "all ingested under their own names",
                 lost_rows=lost(wh, GOOD_IDS | {article_id(t) for t in texts.values()}))


def test_agreement_ids_are_unique_across_articles(env: Settings) -> None:
    for i in range(3):
        put(env.raw_dir, f"similar{i}.txt", f"Chile and Peru signed accord number {i} in Lima.".encode())
    ingest(env)
    ids = read_table(env.warehouse_dir, "agreements", ["agreement_id"]).column("agreement_id").to_pylist()
    assert len(ids) >= 3 and len(set(ids)) == len(ids)


def test_empty_and_missing_raw_dir(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    (tmp_path / "empty").mkdir()
    res = ingest(Settings(raw_dir=tmp_path / "empty", warehouse_dir=wh, settle_seconds=0, workers=1))
    assert res.row["status"] == "completed" and res.row["files_seen"] == 0
    res = run_ingest(Settings(raw_dir=tmp_path / "missing", warehouse_dir=wh, settle_seconds=0), log=quiet)
    assert res.failed and "raw directory does not exist" in res.row["error"]
    assert [r["status"] for r in sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])] \
        == ["completed", "failed"]
    assert not any((wh / STAGING).iterdir())
    record_fault("bad input", "empty raw/", "completed, 0 files", lost_rows=0)
    record_fault("bad input", "raw/ does not exist", "run failed: raw directory does not exist", lost_rows=0)


# ---------------------------------------------------------------------------------------------
# Symbolic links
# ---------------------------------------------------------------------------------------------


def test_symlinks_out_of_raw_and_loops(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER: Chile and Peru signed nothing.")
    settle(secret)
    links = {
        "passwd.txt": "/etc/passwd", "etc": "/etc", "secret.txt": str(secret),
        "rel_secret.txt": "../secret.txt",
        "up": "..", "loop": ".", "self.txt": "self.txt", "a.txt": "b.txt", "b.txt": "a.txt",
        "news/back": "..", "dangling.txt": "nowhere.txt",
    }
    for name, target in links.items():
        os.symlink(target, raw / name)
    before = raw_snapshot(raw)
    wh = tmp_path / "wh"
    done = cli("ingest", "--no-prefect", "--raw", str(raw), "--warehouse", str(wh), timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    assert raw_snapshot(raw) == before
    rows = {r["path"]: r for r in read_table(wh, "ingestions").to_pylist()}
    for name in links:
        assert rows[name]["status"] == "skipped", rows.get(name)
    assert "leaves raw/" in rows["passwd.txt"]["error"] and "leaves raw/" in rows["etc"]["error"]
    assert "loop" in rows["self.txt"]["error"] and "loop" in rows["a.txt"]["error"]
    everything = all_strings(wh)
    assert "SECRET-MARKER" not in everything and "root:x:0:0" not in everything
    assert lost(wh, GOOD_IDS) == 0 and read_table(wh, "articles").num_rows == 4
    assert_no_duplicates(wh)
    record_fault("bad input", f"{len(links)} symlinks: to /etc/passwd, /etc, a file outside raw/, "
                 "loops (self, a->b->a, dir->parent), dangling", "all skipped with a reason; run terminates; "
                 "no outside content stored", lost_rows=lost(wh, GOOD_IDS))


# ---------------------------------------------------------------------------------------------
# Files that vanish or change while a run reads them
# ---------------------------------------------------------------------------------------------


def _after_discover(action: Callable[[Path], None]) -> Stages:
    """Stages whose discovery is the real one, followed by ``action`` on raw/ before any read."""

    def disc(raw_dir: Path, **kw: object):  # noqa: ANN202
        found = discover_mod.discover(raw_dir, **kw)
        action(raw_dir)
        return found

    return Stages(discover=disc)


def test_files_vanish_or_change_between_discovery_and_read(env: Settings) -> None:
    for name in ("gone.txt", "edited.txt", "to_link.txt", "to_dir.txt", "to_fifo.txt"):
        put(env.raw_dir, name, f"Peru and Chile held talks about {name} in Lima.".encode())

    def meddle(raw: Path) -> None:
        (raw / "gone.txt").unlink()
        put(raw, "edited.txt", b"Peru and Chile signed an edited accord in Lima.", when=OLD_LATER)
        (raw / "to_link.txt").unlink()
        os.symlink("/etc/passwd", raw / "to_link.txt")
        (raw / "to_dir.txt").unlink()
        (raw / "to_dir.txt").mkdir()
        (raw / "to_fifo.txt").unlink()
        os.mkfifo(raw / "to_fifo.txt")

    res = run_ingest(env, _after_discover(meddle), log=quiet)
    wh = env.warehouse_dir
    expect = {"gone.txt": "vanished", "edited.txt": "changed since discovery",
              "to_link.txt": "replaced by a symlink", "to_dir.txt": "not a regular file",
              "to_fifo.txt": "not a regular file"}
    for name, msg in expect.items():
        row = ingestion(wh, name)
        assert row["status"] == "failed" and msg in row["error"], row
    assert res.row["files_failed"] == 5 and lost(wh, GOOD_IDS) == 0
    assert "root:x:0:0" not in all_strings(wh)
    # The next run takes the edited file; the others are gone or skipped with a reason.
    again = ingest(env)
    assert ingestion(wh, "edited.txt")["status"] == "new"
    assert article_id("Peru and Chile signed an edited accord in Lima.") in {
        a["article_id"] for a in read_table(wh, "articles").to_pylist()}
    latest = {r["path"]: r for r in read_table(wh, "ingestions").to_pylist()
              if r["run_id"] == again.row["run_id"]}
    assert "leaves raw/" in latest["to_link.txt"]["error"]
    assert "not a regular" in latest["to_fifo.txt"]["error"]
    assert "gone.txt" not in latest and "to_dir.txt" not in latest  # gone, and now an (empty) directory
    assert_no_duplicates(wh)
    record_fault("vanishing files", "file deleted, rewritten, replaced by a symlink to /etc/passwd, by a "
                 "directory, by a FIFO between discovery and read",
                 "each failed with its reason; rewritten file ingested by the next run",
                 lost_rows=lost(wh, GOOD_IDS), duplicate_rows=sum(duplicates(wh).values()))


def test_file_changed_while_being_read(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    target = put(env.raw_dir, "growing.txt", b"Peru and Chile signed a growing accord in Lima.")
    real = discover_mod._read_at_most

    def read_then_append(fd: int, limit: int) -> bytes:
        data = real(fd, limit)
        if os.fstat(fd).st_ino == target.stat().st_ino:
            with open(target, "ab") as fh:  # a writer appends while we read
                fh.write(b" More text.")
        return data

    monkeypatch.setattr(discover_mod, "_read_at_most", read_then_append)
    run_ingest(env, log=quiet)
    row = ingestion(env.warehouse_dir, "growing.txt")
    assert row["status"] == "failed" and "changed while being read" in row["error"]
    monkeypatch.setattr(discover_mod, "_read_at_most", real)
    settle(target, OLD_LATER)
    ingest(env)
    assert ingestion(env.warehouse_dir, "growing.txt")["status"] == "new"
    assert lost(env.warehouse_dir, GOOD_IDS) == 0
    record_fault("vanishing files", "file appended to while being read",
                 "failed: changed while being read; ingested whole by the next run",
                 lost_rows=lost(env.warehouse_dir, GOOD_IDS))


@pytest.mark.parametrize("err", [errno.EAGAIN, errno.EINTR, errno.EIO])
def test_transient_read_error_is_retried(env: Settings, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    put(env.raw_dir, "flaky.txt", b"Peru and Chile signed a flaky accord in Lima.")
    real = discover_mod._read_at_most
    calls = {"n": 0}

    def flaky(fd: int, limit: int) -> bytes:
        if os.fstat(fd).st_size == len(b"Peru and Chile signed a flaky accord in Lima."):
            calls["n"] += 1
            if calls["n"] == 1:
                raise OSError(err, os.strerror(err))
        return real(fd, limit)

    monkeypatch.setattr(discover_mod, "_read_at_most", flaky)
    res = ingest(env)
    row = ingestion(env.warehouse_dir, "flaky.txt")
    assert row["status"] == "new" and calls["n"] == 2, (row, calls)
    assert res.row["files_failed"] == 0
    record_fault("vanishing files", f"one transient read error ({errno.errorcode[err]})",
                 "retried in the run, file ingested", lost_rows=lost(env.warehouse_dir, GOOD_IDS))


def test_persistent_read_error_fails_the_file_only(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    put(env.raw_dir, "bad_disk.txt", b"Peru and Chile signed a doomed accord in Lima.")
    real = discover_mod._read_at_most
    calls = {"n": 0}

    def broken(fd: int, limit: int) -> bytes:
        if os.fstat(fd).st_size == len(b"Peru and Chile signed a doomed accord in Lima."):
            calls["n"] += 1
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(fd, limit)

    monkeypatch.setattr(discover_mod, "_read_at_most", broken)
    res = ingest(env)
    row = ingestion(env.warehouse_dir, "bad_disk.txt")
    assert row["status"] == "failed" and "Input/output error" in row["error"] and calls["n"] == 3
    assert res.row["status"] == "completed_with_errors" and lost(env.warehouse_dir, GOOD_IDS) == 0
    record_fault("vanishing files", "persistent read error (EIO on every attempt)",
                 "failed after 3 attempts with the OS error; other files written",
                 lost_rows=lost(env.warehouse_dir, GOOD_IDS))


def test_unexpected_error_in_a_stage_fails_the_run_visibly(env: Settings) -> None:
    """A bug outside any one file (here a stage raising TypeError) is recorded, never left silent."""
    ingest(env)
    before = {t: read_table(env.warehouse_dir, t).num_rows for t in TABLES}
    put(env.raw_dir, "another.txt", b"Chile and Peru signed another accord.")

    def broken(files, ctx):  # noqa: ANN001, ANN202
        raise TypeError("stage bug")

    res = ingest(replace(env), Stages(process_batch=broken))
    assert res.failed and res.row["error"] == "TypeError: stage bug"
    after = {t: read_table(env.warehouse_dir, t).num_rows for t in TABLES}
    assert after == {**before, "runs": before["runs"] + 1}
    assert ingest(env).row["articles_written"] == 1
    record_fault("bad input", "a stage raising an unexpected exception (TypeError)",
                 "run recorded failed with the exception; staged rows dropped; next run writes the file",
                 lost_rows=lost(env.warehouse_dir, GOOD_IDS))


def test_extractor_crash_on_one_article_fails_that_file_only(env: Settings, monkeypatch) -> None:
    real = pipeline.extract

    def fragile(text, title=None, published=None):  # noqa: ANN001, ANN202
        if "BOOM" in text:
            raise KeyError("unexpected token")
        return real(text, title, published)

    monkeypatch.setattr(pipeline, "extract", fragile)
    put(env.raw_dir, "boom.txt", b"Chile and Peru BOOM signed.")
    res = ingest(env)
    row = ingestion(env.warehouse_dir, "boom.txt")
    assert row["status"] == "failed" and "KeyError" in row["error"], row
    assert res.row["status"] == "completed_with_errors" and lost(env.warehouse_dir, GOOD_IDS) == 0
    record_fault("bad input", "article that makes the extractor raise (KeyError)",
                 "file failed with the exception; other files written",
                 lost_rows=lost(env.warehouse_dir, GOOD_IDS))


# ---------------------------------------------------------------------------------------------
# Records that fail their schema or a cross-record rule
# ---------------------------------------------------------------------------------------------


def test_invalid_records_are_quarantined_with_every_error(env: Settings, monkeypatch) -> None:
    text = ("Norwegian minister Anna Berg and Icelandic minister Jon Olafsson signed a fisheries "
            "protocol in Oslo.")
    put(env.raw_dir, "rules.txt", text.encode())

    def fake(t, title=None, published=None):  # noqa: ANN001, ANN202
        if t != text:
            return Extraction()
        good = {"entity_id": "1" * 16, "type": "PERSON", "name": "Anna Berg", "aliases": [],
                "country_code": "NOR", "role": "minister", "acronym": None, "mention_count": 1}
        bad_code = {**good, "entity_id": "2" * 16, "name": "Jon Olafsson", "country_code": "ZZZ"}
        bad_schema = {"entity_id": "nothex", "type": "ALIEN", "name": "", "aliases": [1],
                      "mention_count": -1}
        start = t.index("Anna Berg")
        mentions = [{"entity_id": "1" * 16, "start": start, "end": start + 9, "text": "Anna Berg"},
                    {"entity_id": "1" * 16, "start": len(t) + 5, "end": len(t) + 14, "text": "Anna Berg"},
                    {"entity_id": "9" * 16, "start": start, "end": start + 9, "text": "Anna Berg"}]
        agreement = {"agreement_id": "a" * 16, "kind": "protocol", "name": "fisheries protocol",
                     "status": "signed", "parties": ["NOR", "ISL"], "signatories": ["Anna Berg"],
                     "fields": ["maritime"], "date": None, "location": "Oslo", "evidence": t,
                     "evidence_start": 0, "evidence_end": len(t)}
        stranger = {**agreement, "agreement_id": "b" * 16, "signatories": ["Vladimir Nobody"]}
        outside = {**agreement, "agreement_id": "c" * 16, "evidence_start": 10, "evidence_end": len(t) + 50}
        unknown = {**agreement, "agreement_id": "d" * 16, "parties": ["NOR", "QQQ"]}
        return Extraction([good, bad_code, bad_schema], mentions, [agreement, stranger, outside, unknown])

    monkeypatch.setattr(pipeline, "extract", fake)
    res = ingest(env)
    wh = env.warehouse_dir
    aid = article_id(text)
    q = [r for r in read_table(wh, "quarantine").to_pylist() if r["article_id"] == aid]
    by_key = {(r["record_type"], json.loads(r["record_json"]).get("entity_id")
               or json.loads(r["record_json"]).get("agreement_id")): r for r in q}
    assert len(q) == 7, [(r["record_type"], r["errors"]) for r in q]

    def paths(key: tuple[str, str]) -> set[str]:
        return {e["path"] for e in by_key[key]["errors"]}

    assert paths(("entity", "2" * 16)) == {"/country_code"}
    assert {"/entity_id", "/type", "/name", "/aliases/0", "/mention_count"} <= paths(("entity", "nothex"))
    # The pipeline scopes the extractor's agreement ids to the article.
    assert paths(("agreement", stable_id(aid, "b" * 16))) == {"/signatories/0"}
    assert paths(("agreement", stable_id(aid, "c" * 16))) == {"/evidence"}
    assert paths(("agreement", stable_id(aid, "d" * 16))) == {"/parties/1"}
    mention_errors = sorted(e["path"] for r in q if r["record_type"] == "mention" for e in r["errors"])
    assert mention_errors == ["/entity_id", "/text"]
    # The valid records of the same article are written.
    ents = [e for e in read_table(wh, "entities").to_pylist() if e["article_id"] == aid]
    agrs = [a for a in read_table(wh, "agreements").to_pylist() if a["article_id"] == aid]
    ments = [m for m in read_table(wh, "mentions").to_pylist() if m["article_id"] == aid]
    assert [e["entity_id"] for e in ents] == ["1" * 16]
    assert [a["agreement_id"] for a in agrs] == [stable_id(aid, "a" * 16)]
    assert len(ments) == 1 and aid in {a["article_id"] for a in read_table(wh, "articles").to_pylist()}
    assert res.row["records_quarantined"] == 7 and res.row["status"] == "completed_with_errors"
    record_fault("bad records", "7 invalid records in one article (schema: 5 errors in one entity; rules: "
                 "unknown country code, signatory not in the article, evidence span outside the text, "
                 "unknown party code, mention outside the text, mention of no entity)",
                 "each quarantined with every error; the article's 3 valid records written",
                 lost_rows=lost(wh, GOOD_IDS | {aid}), quarantined=len(q))


# ---------------------------------------------------------------------------------------------
# Security: nothing from input becomes a path, code or an id
# ---------------------------------------------------------------------------------------------


def test_input_never_becomes_a_path_or_an_id(tmp_path: Path, server: _CountingServer) -> None:
    raw = write_raw(tmp_path / "raw")
    evil = {"text": BODY, "title": "../../../etc/evil", "source_path": "../../outside.txt",
            "url": f"{server.url}/x", "source": "/etc/passwd", "run_id": "../../run", "article_id": "../x",
            "language": "../../en", "published": "../../2020-01-01"}
    put(raw, "evil.jsonl", _j(evil) + b"\n" + _j({**evil, "text": "Second line about Chile.",
                                                  "url": "file:///etc/passwd"}))
    put(raw, "evil.json", _j({**evil, "text": "Third article about Peru."}))
    before = {p for p in tmp_path.rglob("*") if "wh" not in p.relative_to(tmp_path).parts[:1]}
    wh = tmp_path / "wh"
    ingest(Settings(raw_dir=raw, warehouse_dir=wh, settle_seconds=0, workers=1))
    after = {p for p in tmp_path.rglob("*") if "wh" not in p.relative_to(tmp_path).parts[:1]}
    assert after == before, after ^ before
    assert not (tmp_path.parent / "outside.txt").exists() and not Path("/etc/evil").exists()
    arts = {a["source_path"]: a for a in read_table(wh, "articles").to_pylist()}
    assert {"evil.jsonl#1", "evil.jsonl#2", "evil.json"} <= set(arts)
    assert all(a["language"] is None for p, a in arts.items() if "evil" in p)
    run_ids = {r["run_id"] for t in TABLES for r in read_table(wh, t, ["run_id"]).to_pylist()}
    assert all(RUN_ID.match(r) for r in run_ids), run_ids
    for p in wh.rglob("*"):
        rel = p.relative_to(wh)
        assert ".." not in rel.parts and "evil" not in str(rel)
        if p.is_file() and p.suffix == ".parquet":
            assert re.fullmatch(r"part-\d{8}T\d{6}Z-[0-9a-f]{8}", p.stem), p
    assert server.requests == []
    record_fault("security", "path-like and URL fields in article objects (source_path, url, title, run_id)",
                 "stored as text only; no path built, no fetch, run ids generated",
                 lost_rows=lost(wh, GOOD_IDS))


_FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
_FORBIDDEN_ATTRS = {("pickle", "loads"), ("pickle", "load"), ("marshal", "loads"), ("marshal", "load"),
                    ("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("os", "system"),
                    ("os", "popen"), ("shelve", "open"), ("dill", "loads"), ("cloudpickle", "loads")}


def _dangerous_calls(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in _FORBIDDEN_CALLS:
                found.append(f"{filename}:{node.lineno} {f.id}()")
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) \
                    and (f.value.id, f.attr) in _FORBIDDEN_ATTRS:
                found.append(f"{filename}:{node.lineno} {f.value.id}.{f.attr}()")
            if any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in node.keywords):
                found.append(f"{filename}:{node.lineno} shell=")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(n and n.split(".")[0] in _FORBIDDEN_MODULES for n in names):
                found.append(f"{filename}:{node.lineno} import {names}")
    return found


def test_package_source_never_evaluates_or_unpickles() -> None:
    sources = sorted(p for pkg in ("accords", "flows") for p in (ROOT / pkg).rglob("*.py"))
    assert len(sources) > 10
    found = [hit for p in sources for hit in _dangerous_calls(p.read_text(encoding="utf-8"),
                                                              str(p.relative_to(ROOT)))]
    assert found == []
    # The scanner itself works.
    assert _dangerous_calls("import pickle\neval(x)\nyaml.load(s)\nsubprocess.run(c, shell=True)\n", "t") \
        and len(_dangerous_calls("eval(x)\npickle.loads(b)\n", "t")) == 2
    record_fault("security", f"source scan of {len(sources)} modules for eval/exec/compile/pickle/marshal/"
                 "yaml.load/os.system/shell=True", "none found", lost_rows=0)


def test_local_services_bind_to_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Prefect server `accords serve` starts is asked for 127.0.0.1 only (checked without starting it).

    accords/server.py is part of this project: if it is missing or does not import, that is a
    failure here, not a reason to skip (the real socket check is the next test).
    """
    import inspect
    import subprocess

    import accords.server as serve

    # This checkout's module, not one an editable install of another checkout would supply.
    assert Path(serve.__file__).resolve() == ROOT / "accords" / "server.py", serve.__file__
    assert serve.HOST == "127.0.0.1"
    for fn in (serve.LocalServer.__init__, serve.server_env, serve.api_url_for, serve.choose_port):
        assert inspect.signature(fn).parameters["host"].default == "127.0.0.1", fn
    started: list[tuple[list[str], dict[str, str]]] = []

    class FakePopen:
        def __init__(self, cmd, env=None, **kw):  # noqa: ANN001
            started.append((list(cmd), dict(env or {})))
            self.returncode = None

        def poll(self) -> None:
            return None

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setattr(serve.LocalServer, "_wait_healthy", lambda self: None)
    server = serve.LocalServer(tmp_path / "home", port=4999)
    assert server.start().startswith("http://127.0.0.1:4999/")
    cmd, env = started[0]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and env["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    for p in (p for pkg in ("accords", "flows") for p in (ROOT / pkg).rglob("*.py")):
        assert "0.0.0.0" not in p.read_text(encoding="utf-8"), p


def _listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state held by ``pid`` or its descendants."""
    import psutil

    root = psutil.Process(pid)
    found = set()
    for proc in [root, *root.children(recursive=True)]:
        try:
            conns = proc.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        found |= {(c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN}
    return found


def _seed_migrated_db(home: Path) -> None:
    """Copy the session's Prefect test database (already migrated) to ``home``: the server then
    starts in seconds instead of spending ~20 s on migrations of a fresh database."""
    import sqlite3

    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    url = PREFECT_SERVER_DATABASE_CONNECTION_URL.value() or ""
    path = Path(url.split(":///", 1)[-1]) if url.startswith("sqlite") else None
    if path is None or not path.is_file():
        return  # the server migrates a fresh database: slower, same test
    home.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(path), sqlite3.connect(home / "prefect.db")
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.mark.usefixtures("prefect_harness")
def test_started_server_listens_on_loopback_only(tmp_path: Path) -> None:
    """A real `prefect server start` from accords.server: its listening sockets, read from the
    kernel (psutil), are on the loopback address only, whatever its command line says."""
    from accords.server import LocalServer, free_port

    home = tmp_path / "prefect-home"
    _seed_migrated_db(home)
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    port = free_port()
    server = LocalServer(home, port, env=base, start_timeout=150)
    with server:
        assert server.proc is not None
        sockets = _listening(server.proc.pid)
    assert (("127.0.0.1", port) in sockets or ("::1", port) in sockets), sockets
    assert {ip for ip, _ in sockets} <= {"127.0.0.1", "::1"}, sockets
    record_fault("security", "address of the local Prefect server started by `accords serve`",
                 "listens on 127.0.0.1 only (its sockets read from the kernel); no 0.0.0.0 in the package",
                 lost_rows=0)
