"""Tests for accords.discover on a pyarrow filesystem URI (a local moto S3 server): same rules as raw/."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow.fs as pafs
import pytest

from accords import discover as discover_mod
from accords import pipeline
from accords.discover import (
    FoundFile,
    SkippedFile,
    TransientReadError,
    discover,
    read_file,
    read_sidecar,
)
from accords.errors import UnreadableFile
from accords.parallel import spawn_pool
from tests.conftest import write_raw

LATER = time.time() + 3600  # "now" far enough after the uploads that all have settled


def put(root_uri: str, rel: str, data: bytes | str = b"text") -> None:
    """Write one object under a root URI (a whole-object put)."""
    fs, base = pafs.FileSystem.from_uri(root_uri)
    with fs.open_output_stream(f"{base}/{rel}", compression=None) as out:
        out.write(data.encode() if isinstance(data, str) else data)


def delete(root_uri: str, rel: str) -> None:
    fs, base = pafs.FileSystem.from_uri(root_uri)
    fs.delete_file(f"{base}/{rel}")


def found_paths(found: list[FoundFile]) -> list[str]:
    return [f.rel_path for f in found]


def reasons(skipped: list[SkippedFile]) -> dict[str, str]:
    return {s.rel_path: s.reason for s in skipped}


def one(root: str, rel: str, data: bytes | str = b"text") -> FoundFile:
    """Upload one file and discover it."""
    put(root, rel, data)
    found, _ = discover(root, now=LATER)
    return next(f for f in found if f.rel_path == rel)


@pytest.fixture
def root(s3_bucket: str) -> str:
    """A raw/ prefix inside a fresh bucket."""
    return f"{s3_bucket}/raw"


# --- discover ---------------------------------------------------------------------------------


def test_finds_supported_files_nested_and_sorted(root: str):
    for rel in ["b.txt", "a.md", "sub/z.json", "sub/deeper/y.JSONL", "c.HTML", "d.htm", "sub/a.txt"]:
        put(root, rel, "x")
    found, skipped = discover(root, now=LATER)
    assert found_paths(found) == sorted(
        ["a.md", "b.txt", "c.HTML", "d.htm", "sub/a.txt", "sub/deeper/y.JSONL", "sub/z.json"]
    )
    assert skipped == []


def test_found_file_fields(root: str, s3_bucket: str):
    f = one(root, "sub/a.txt", "hello")
    bucket = s3_bucket.removeprefix("s3://")
    assert f.fs_uri == root
    assert f.path == PurePosixPath(f"{bucket}/raw/sub/a.txt") and type(f.path) is PurePosixPath
    assert f.size == 5 and isinstance(f.mtime_ns, int)
    assert abs(f.mtime_ns / 1e9 - time.time()) < 120  # the upload time


def test_only_the_root_prefix_is_listed(s3_bucket: str, root: str):
    put(s3_bucket, "raw/in.txt")
    put(s3_bucket, "raw2/sibling.txt")  # shares the "raw" prefix, but is not under raw/
    put(s3_bucket, "other/out.txt")
    assert found_paths(discover(root, now=LATER)[0]) == ["in.txt"]
    # A trailing slash names the same root; the bucket itself lists everything.
    found, _ = discover(root + "/", now=LATER)
    assert found_paths(found) == ["in.txt"] and found[0].fs_uri == root
    assert found_paths(discover(s3_bucket, now=LATER)[0]) == ["other/out.txt", "raw/in.txt",
                                                              "raw2/sibling.txt"]


def test_empty_bucket_root(s3_bucket: str):
    assert discover(s3_bucket) == ([], [])


def test_unsupported_extension_is_noted_sidecar_is_not(root: str):
    put(root, "scan.pdf")
    put(root, "README")
    put(root, "page.html", "<p>x</p>")
    put(root, "page.html.meta", "{}")
    found, skipped = discover(root, now=LATER)
    assert found_paths(found) == ["page.html"]
    assert reasons(skipped) == {"README": "unsupported extension", "scan.pdf": "unsupported extension"}


def test_hidden_files_and_directories_are_skipped(root: str):
    put(root, ".hidden.txt")
    put(root, ".git/config.txt")
    put(root, ".git/objects/ab.txt")
    put(root, "sub/.DS_Store")
    put(root, "sub/.cache/deep/x.txt")
    put(root, "sub/.#lock.txt")
    put(root, "visible.txt")
    found, skipped = discover(root, now=LATER)
    assert found_paths(found) == ["visible.txt"]
    # A hidden directory is noted once, like the local walk that never enters it.
    assert reasons(skipped) == {
        ".git": "hidden directory",
        ".hidden.txt": "hidden file",
        "sub/.#lock.txt": "hidden file",
        "sub/.DS_Store": "hidden file",
        "sub/.cache": "hidden directory",
    }
    assert [s.rel_path for s in skipped] == sorted(s.rel_path for s in skipped)


@pytest.mark.parametrize("name", ["a.txt.part", "b.json.tmp", "c.md.swp", "d.html.crdownload", "e.txt~",
                                  "#f.txt#", "G.TXT.PART"])
def test_partial_and_editor_files_are_skipped(root: str, name: str):
    put(root, f"sub/{name}")
    found, skipped = discover(root, now=LATER)
    assert found == []
    assert [s.rel_path for s in skipped] == [f"sub/{name}"]
    assert skipped[0].reason.startswith("partial/editor file")


def test_partial_rule_is_for_file_names_only(root: str):
    # The local walk enters a directory named like a partial file; so does the remote one.
    put(root, "dl.tmp/a.txt")
    assert found_paths(discover(root, now=LATER)[0]) == ["dl.tmp/a.txt"]


def test_too_large_is_skipped_without_reading(root: str):
    put(root, "big.txt", b"x" * 100)
    put(root, "small.txt", b"x" * 10)
    found, skipped = discover(root, now=LATER, max_bytes=50)
    assert found_paths(found) == ["small.txt"]
    assert reasons(skipped) == {"big.txt": "too large (100 bytes > cap 50)"}


def test_settling_and_future_mtime(root: str):
    f = one(root, "fresh.txt")
    uploaded = f.mtime_ns / 1e9
    found, skipped = discover(root, now=uploaded + 0.4, settle_seconds=2.0)
    assert found == []
    assert reasons(skipped) == {"fresh.txt": "still being written (modified 0.4 s ago)"}
    found, skipped = discover(root, now=uploaded - 100)
    assert found == [] and "in the future" in skipped[0].reason
    found, skipped = discover(root, now=uploaded + 5, settle_seconds=2.0)
    assert found_paths(found) == ["fresh.txt"] and skipped == []


def test_missing_root_raises(s3_bucket: str):
    with pytest.raises(UnreadableFile, match=f"raw directory does not exist: {s3_bucket}/nope"):
        discover(f"{s3_bucket}/nope")


def test_missing_bucket_raises_unreadable(s3_bucket: str):
    uri = f"{s3_bucket}-missing/raw"
    with pytest.raises(UnreadableFile, match=f"raw directory .*{uri}"):
        discover(uri)


def test_root_is_a_file(root: str):
    put(root, "a.txt")
    with pytest.raises(UnreadableFile, match=f"not a directory: {root}/a.txt"):
        discover(f"{root}/a.txt")


def test_found_file_pickles(root: str):
    f = one(root, "a.txt", "hello")
    back = pickle.loads(pickle.dumps(f))
    assert back == f and back.fs_uri == root
    assert read_file(back, 100) == b"hello"


# --- read_file / read_sidecar -----------------------------------------------------------------


def test_read_file_returns_bytes(root: str):
    data = "Ünïcode text\n".encode()
    assert read_file(one(root, "sub/a.txt", data), 1000) == data


def test_read_file_does_not_decompress(root: str):
    # Discovery never finds such a name, but a read must return bytes as stored, whatever the name.
    put(root, "x.txt.gz", b"not gzip")
    fs, base = pafs.FileSystem.from_uri(root)
    info = fs.get_file_info(f"{base}/x.txt.gz")
    f = FoundFile(path=PurePosixPath(info.path), rel_path="x.txt.gz", size=info.size, mtime_ns=info.mtime_ns,
                  fs_uri=root)
    assert read_file(f, 100) == b"not gzip"


def test_read_file_deleted_after_discovery(root: str):
    f = one(root, "a.txt")
    delete(root, "a.txt")
    with pytest.raises(UnreadableFile, match="^a.txt: file vanished") as exc:
        read_file(f, 100)
    assert not isinstance(exc.value, TransientReadError)


def test_read_file_overwritten_with_other_content(root: str):
    f = one(root, "a.txt", "first version")
    put(root, "a.txt", "second, longer version")
    with pytest.raises(UnreadableFile, match="^a.txt: changed since discovery") as exc:
        read_file(f, 1000)
    assert not isinstance(exc.value, TransientReadError)


def test_read_file_overwritten_same_size_later(root: str):
    f = one(root, "a.txt", "version 1")
    time.sleep(1.1)  # S3 mtimes have whole seconds
    put(root, "a.txt", "version 2")
    with pytest.raises(UnreadableFile, match="^a.txt: changed since discovery"):
        read_file(f, 1000)


def test_read_file_cap_smaller_than_size(root: str):
    f = one(root, "a.txt", b"x" * 100)
    with pytest.raises(UnreadableFile, match=r"^a.txt: too large \(100 bytes > cap 10\)"):
        read_file(f, 10)


def test_read_file_replaced_by_directory(root: str):
    f = one(root, "a.txt")
    delete(root, "a.txt")
    put(root, "a.txt/inner.txt")
    with pytest.raises(UnreadableFile, match="^a.txt: is a directory"):
        read_file(f, 100)


class _FlakyFs:
    """A filesystem whose every call fails like a dropped connection."""

    def get_file_info(self, path: str) -> Any:
        raise OSError("AWS Error NETWORK_CONNECTION: connection reset")


def test_read_file_network_error_is_transient(root: str, monkeypatch: pytest.MonkeyPatch):
    f = one(root, "a.txt")
    monkeypatch.setattr(discover_mod.storage, "filesystem", lambda uri: (_FlakyFs(), "b"))
    monkeypatch.setattr(pipeline, "READ_BACKOFF_S", 0.0)
    with pytest.raises(TransientReadError, match="^a.txt: read failed: .*connection reset"):
        read_file(f, 100)
    with pytest.raises(UnreadableFile, match=r"after 3 attempts"):
        pipeline.read_with_retry(f, 100)


def test_read_sidecar(root: str):
    meta = {"url": "https://example.org/p", "final_url": "https://example.org/final"}
    put(root, "page.html.meta", json.dumps(meta))
    assert read_sidecar(one(root, "page.html", "<p>x</p>")) == meta


@pytest.mark.parametrize("sidecar", [None, b"{not json", b"[1, 2]", b"\xff\xfe", b"{}" + b" " * 70_000])
def test_read_sidecar_missing_or_bad_is_none(root: str, sidecar: bytes | None):
    if sidecar is not None:
        put(root, "page.html.meta", sidecar)
    assert read_sidecar(one(root, "page.html", "<p>x</p>")) is None


def test_read_sidecar_never_raises_on_network_error(root: str, monkeypatch: pytest.MonkeyPatch):
    f = one(root, "page.html", "<p>x</p>")

    class Broken:
        def open_input_stream(self, path: str, compression: str | None = None) -> Any:
            raise OSError("connection reset")

    monkeypatch.setattr(discover_mod.storage, "filesystem", lambda uri: (Broken(), "b"))
    assert read_sidecar(f) is None


# --- through the pipeline ---------------------------------------------------------------------

_VOLATILE = {"mtime_ns", "run_id", "ingested_at", "quarantined_at"}
_PAGE = ("<html><head><title>Ports deal</title></head><body><p>Chile and Peru signed a port "
         "cooperation agreement in Lima on Monday, officials said.</p></body></html>")
_PAGE_META = {"url": "https://example.org/ports", "final_url": "https://example.org/ports-final"}


def _upload_tree(local: Path, root: str) -> None:
    for p in sorted(local.rglob("*")):
        if p.is_file():
            put(root, p.relative_to(local).as_posix(), p.read_bytes())


def _rows(out: pipeline.BatchOutput) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows without what differs between two ingestions of the same files."""
    return {t: sorted(json.dumps({k: v for k, v in r.items() if k not in _VOLATILE}, sort_keys=True,
                                  default=str) for r in rows)
            for t, rows in pipeline.table_rows(out).items()}


def _context() -> pipeline.BatchContext:
    return pipeline.BatchContext(run_id="20260101T000000Z-0123abcd", ingested_at="2026-01-01T00:00:00+00:00",
                                 max_file_bytes=1_000_000, max_extract_chars=100_000,
                                 verify_hashes=False, known_article_ids=frozenset())


@pytest.fixture
def both(tmp_path: Path, root: str) -> tuple[list[FoundFile], list[FoundFile]]:
    """The same raw files found in a local folder and under an S3 prefix."""
    local = write_raw(tmp_path / "raw")
    (local / "page.html").write_text(_PAGE, encoding="utf-8")
    (local / "page.html.meta").write_text(json.dumps(_PAGE_META), encoding="utf-8")
    _upload_tree(local, root)
    local_found, local_skipped = discover(local, now=LATER, settle_seconds=0)
    remote_found, remote_skipped = discover(root, now=LATER, settle_seconds=0)
    assert found_paths(remote_found) == found_paths(local_found) == [
        "deal.json", "news/briefs.jsonl", "page.html", "visit.txt"]
    assert remote_skipped == local_skipped == []
    assert all(f.fs_uri == root for f in remote_found)
    return local_found, remote_found


def test_process_batch_same_rows_as_local(both: tuple[list[FoundFile], list[FoundFile]]):
    local_found, remote_found = both
    ctx = _context()
    local = pipeline.process_batch([(f, None) for f in local_found], ctx)
    remote = pipeline.process_batch([(f, None) for f in remote_found], ctx)
    assert [r["status"] for r in remote.ingestions] == ["new"] * 4
    assert _rows(remote) == _rows(local)
    tables = pipeline.table_rows(remote)
    articles = tables["articles"]
    assert len(articles) == 5 and tables["entities"] and tables["agreements"] and not tables["quarantine"]
    # The sidecar was read through the filesystem: its URL beats the page's.
    assert {a["url"] for a in articles if a["source_path"] == "page.html"} == {_PAGE_META["final_url"]}


@pytest.mark.integration
def test_process_batch_in_spawn_worker(both: tuple[list[FoundFile], list[FoundFile]]):
    # Batches of remote files pickle to spawn workers, which re-open the filesystem by its URI.
    local_found, remote_found = both
    ctx = _context()
    with spawn_pool(1) as pool:
        remote = pool.submit(pipeline.process_batch, [(f, None) for f in remote_found], ctx).result()
    assert _rows(remote) == _rows(pipeline.process_batch([(f, None) for f in local_found], ctx))


def test_batch_reads_remote_files_ahead_and_keeps_each_error_with_its_file(root: str):
    for i in range(12):
        put(root, f"n{i:02d}.txt", f"Title {i}\n\nNorway and Iceland signed fisheries protocol number {i}.")
    found, _ = discover(root, now=LATER)
    delete(root, "n03.txt")  # vanishes between discovery and the batch's reads
    ctx = _context()
    batch = [(f, None) for f in found]
    fetched = pipeline.prefetch(batch, ctx)
    assert sorted(fetched) == list(range(12))
    assert isinstance(fetched[3], UnreadableFile) and fetched[0].startswith(b"Title 0")
    out = pipeline.process_batch(batch, ctx)
    status = {r["path"]: r["status"] for r in out.ingestions}
    assert status.pop("n03.txt") == "failed" and set(status.values()) == {"new"}
    assert "vanished" in next(r["error"] for r in out.ingestions if r["path"] == "n03.txt")
    assert len(out.articles) == 11
