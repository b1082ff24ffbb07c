"""Tests for accords.discover: walking raw/, skip rules, symlinks, and guarded reading."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from accords.discover import FoundFile, SkippedFile, discover, read_file
from accords.errors import UnreadableFile

LATER = time.time() + 3600  # "now" far enough after the fixtures' mtimes that all have settled


def write(path: Path, data: bytes | str = b"text") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def found_paths(found: list[FoundFile]) -> list[str]:
    return [f.rel_path for f in found]


def reasons(skipped: list[SkippedFile]) -> dict[str, str]:
    return {s.rel_path: s.reason for s in skipped}


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    return d


def test_missing_raw_dir(tmp_path: Path):
    with pytest.raises(UnreadableFile, match="raw directory does not exist"):
        discover(tmp_path / "nope")


def test_raw_dir_is_a_file(tmp_path: Path):
    f = write(tmp_path / "raw")
    with pytest.raises(UnreadableFile, match="not a directory"):
        discover(f)


def test_empty_raw_dir(raw: Path):
    assert discover(raw) == ([], [])


def test_finds_supported_files_recursively_sorted(raw: Path):
    for rel in ["b.txt", "a.md", "sub/z.json", "sub/deeper/y.JSONL", "c.HTML", "d.htm", "sub/a.txt"]:
        write(raw / rel, "x")
    found, skipped = discover(raw, now=LATER)
    assert found_paths(found) == sorted(
        ["a.md", "b.txt", "c.HTML", "d.htm", "sub/a.txt", "sub/deeper/y.JSONL", "sub/z.json"]
    )
    assert skipped == []
    f = found[0]
    assert f.path.is_absolute() and f.path == (raw / "a.md").resolve()
    st = os.stat(raw / "a.md")
    assert (f.size, f.mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_discovery_is_deterministic(raw: Path):
    for i in range(30):
        write(raw / f"d{i % 3}" / f"f{i}.txt")
    assert discover(raw, now=LATER) == discover(raw, now=LATER)


def test_unsupported_extension_is_noted(raw: Path):
    write(raw / "scan.pdf")
    write(raw / "README")
    write(raw / "ok.txt")
    found, skipped = discover(raw, now=LATER)
    assert found_paths(found) == ["ok.txt"]
    assert reasons(skipped) == {"README": "unsupported extension", "scan.pdf": "unsupported extension"}


def test_hidden_files_and_directories_are_skipped(raw: Path):
    write(raw / ".hidden.txt")
    write(raw / ".git" / "config.txt")
    write(raw / "sub" / ".DS_Store")
    write(raw / "visible.txt")
    found, skipped = discover(raw, now=LATER)
    assert found_paths(found) == ["visible.txt"]
    assert reasons(skipped) == {
        ".git": "hidden directory",
        ".hidden.txt": "hidden file",
        "sub/.DS_Store": "hidden file",
    }


@pytest.mark.parametrize(
    "name",
    ["a.txt.part", "b.json.tmp", "c.md.swp", "d.html.crdownload", "e.txt~", "#f.txt#", "G.TXT.PART"],
)
def test_partial_and_editor_files_are_skipped(raw: Path, name: str):
    write(raw / name)
    found, skipped = discover(raw, now=LATER)
    assert found == []
    assert len(skipped) == 1 and skipped[0].rel_path == name
    assert skipped[0].reason.startswith("partial/editor file")


def test_emacs_lock_file_is_skipped_as_hidden(raw: Path):
    write(raw / ".#a.txt")
    assert reasons(discover(raw, now=LATER)[1]) == {".#a.txt": "hidden file"}


def test_settling_files_are_skipped(raw: Path):
    old = write(raw / "old.txt")
    fresh = write(raw / "fresh.txt")
    now = time.time()
    os.utime(old, (now - 60, now - 60))
    os.utime(fresh, (now - 0.4, now - 0.4))
    found, skipped = discover(raw, now=now, settle_seconds=2.0)
    assert found_paths(found) == ["old.txt"]
    assert reasons(skipped) == {"fresh.txt": "still being written (modified 0.4 s ago)"}
    # Once settled, it is found.
    found, skipped = discover(raw, now=now + 5, settle_seconds=2.0)
    assert found_paths(found) == ["fresh.txt", "old.txt"] and skipped == []


def test_future_mtime_waits(raw: Path):
    f = write(raw / "future.txt")
    now = time.time()
    os.utime(f, (now + 100, now + 100))
    found, skipped = discover(raw, now=now)
    assert found == []
    assert "in the future" in skipped[0].reason


def test_oversized_file_skipped_without_reading(raw: Path, monkeypatch: pytest.MonkeyPatch):
    write(raw / "big.txt", b"x" * 1001)
    write(raw / "ok.txt", b"x" * 1000)

    def no_open(*args, **kwargs):
        raise AssertionError("discover must not open files")

    monkeypatch.setattr("builtins.open", no_open)
    found, skipped = discover(raw, now=LATER, max_bytes=1000)
    assert found_paths(found) == ["ok.txt"]
    assert reasons(skipped) == {"big.txt": "too large (1001 bytes > cap 1000)"}


def test_symlink_out_of_raw_is_not_followed(raw: Path, tmp_path: Path):
    outside = write(tmp_path / "outside" / "secret.txt", "secret")
    os.symlink("/etc/passwd", raw / "passwd.txt")
    os.symlink(outside, raw / "secret.txt")
    os.symlink(outside.parent, raw / "outdir")
    os.symlink("../outside", raw / "rel-out")
    found, skipped = discover(raw, now=LATER)
    assert found == []
    assert reasons(skipped) == {
        "outdir": "symlink leaves raw/ (not followed)",
        "passwd.txt": "symlink leaves raw/ (not followed)",
        "rel-out": "symlink leaves raw/ (not followed)",
        "secret.txt": "symlink leaves raw/ (not followed)",
    }


def test_symlinks_inside_raw_are_followed(raw: Path):
    target = write(raw / "real" / "a.txt")
    os.symlink("real/a.txt", raw / "alias.txt")
    write(raw / "other" / "b.txt")
    os.mkdir(raw / "links")
    os.symlink("../other", raw / "links" / "to-other")
    found, skipped = discover(raw, now=LATER)
    by_rel = {f.rel_path: f for f in found}
    assert set(by_rel) == {"alias.txt", "other/b.txt", "real/a.txt"}
    assert by_rel["alias.txt"].path == target.resolve()  # the file itself, so O_NOFOLLOW works
    assert read_file(by_rel["alias.txt"], 100) == b"text"
    # A link to a directory walked under its real name is not walked twice.
    assert reasons(skipped) == {"links/to-other": "symlink to a directory already walked (other)"}


def test_symlink_into_hidden_directory_is_not_followed(raw: Path):
    # raw/.store is hidden, so its content is reachable only through the link: not followed.
    write(raw / ".store" / "x.txt")
    os.symlink(".store", raw / "store")
    found, skipped = discover(raw, now=LATER)
    assert found == []
    assert reasons(skipped) == {
        ".store": "hidden directory",
        "store": "symlink into a hidden file or directory",
    }


def test_link_loops_terminate(raw: Path):
    write(raw / "a" / "f.txt")
    os.symlink("..", raw / "a" / "up")
    os.symlink(".", raw / "a" / "self")
    os.symlink(raw, raw / "root")
    os.symlink("loop2", raw / "loop1")
    os.symlink("loop1", raw / "loop2")
    os.symlink("loop1", raw / "loop.txt")
    found, skipped = discover(raw, now=LATER)
    assert found_paths(found) == ["a/f.txt"]
    r = reasons(skipped)
    assert set(r) == {"a/up", "a/self", "root", "loop1", "loop2", "loop.txt"}
    assert all("link loop" in reason for reason in r.values()), r


def test_broken_symlink(raw: Path):
    os.symlink("does-not-exist.txt", raw / "broken.txt")
    assert reasons(discover(raw, now=LATER)[1]) == {"broken.txt": "broken symlink (target does not exist)"}


def test_fifo_is_not_a_regular_file(raw: Path):
    os.mkfifo(raw / "pipe.txt")
    found, skipped = discover(raw, now=LATER)
    assert found == []
    assert reasons(skipped) == {"pipe.txt": "not a regular file"}


def test_raw_dir_given_as_symlink(tmp_path: Path):
    real = tmp_path / "real-raw"
    write(real / "a.txt")
    link = tmp_path / "raw-link"
    os.symlink(real, link)
    found, _ = discover(link, now=LATER)
    assert found_paths(found) == ["a.txt"]


@pytest.mark.parametrize(
    "name",
    [
        "with space.txt",
        "ünïcödé 東京.md",
        "-rf.txt",
        "--help.json",
        "new\nline.txt",
        "semi;colon$(x).txt",
        "'q\".txt",
    ],
)
def test_odd_file_names(raw: Path, name: str):
    write(raw / "dir with space" / name, "hello")
    found, skipped = discover(raw, now=LATER)
    assert skipped == []
    assert found_paths(found) == [f"dir with space/{name}"]
    assert read_file(found[0], 100) == b"hello"


def test_undecodable_file_name(raw: Path):
    name = os.fsdecode(b"caf\xe9.txt")
    try:
        write(raw / name, "hello")
    except (OSError, UnicodeError):
        pytest.skip("file system refuses non-UTF-8 names")
    found, _ = discover(raw, now=LATER)
    assert found_paths(found) == ["caf\\xe9.txt"]
    found[0].rel_path.encode("utf-8")  # storable as text
    assert read_file(found[0], 100) == b"hello"


def test_unreadable_subdirectory_is_noted(raw: Path):
    if os.geteuid() == 0:
        pytest.skip("root can read any directory")
    locked = raw / "locked"
    write(locked / "a.txt")
    locked.chmod(0)
    try:
        _, skipped = discover(raw, now=LATER)
    finally:
        locked.chmod(0o755)
    assert reasons(skipped)["locked"].startswith("unreadable directory")


def test_unreadable_subdirectory_is_noted_simulated(raw: Path, monkeypatch: pytest.MonkeyPatch):
    write(raw / "locked" / "a.txt")
    write(raw / "ok.txt")
    real_scandir = os.scandir

    def scandir(path):  # works as root too, where chmod cannot lock a directory
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("accords.discover.os.scandir", scandir)
    found, skipped = discover(raw, now=LATER)
    assert found_paths(found) == ["ok.txt"]
    assert reasons(skipped) == {"locked": "unreadable directory: Permission denied"}


def test_symlink_to_partial_file_is_skipped(raw: Path):
    write(raw / "dl.txt.part")
    os.symlink("dl.txt.part", raw / "dl.txt")
    found, skipped = discover(raw, now=LATER)
    assert found == []
    assert reasons(skipped)["dl.txt"] == "symlink to a partial/editor file (.part)"


def test_discover_never_modifies_raw(raw: Path):
    for rel in ["a.txt", "b.part", ".h.txt", "sub/c.json", "x.pdf"]:
        write(raw / rel)
    os.symlink("/etc/passwd", raw / "pw.txt")
    before = sorted((p, p.lstat().st_mtime_ns, p.lstat().st_size) for p in raw.rglob("*"))
    found, _ = discover(raw, now=LATER)
    for f in found:
        read_file(f, 1000)
    after = sorted((p, p.lstat().st_mtime_ns, p.lstat().st_size) for p in raw.rglob("*"))
    assert before == after


# ---------------------------------------------------------------------------------------------
# read_file
# ---------------------------------------------------------------------------------------------


def only(raw: Path) -> FoundFile:
    found, _ = discover(raw, now=LATER)
    assert len(found) == 1
    return found[0]


def test_read_file_returns_bytes(raw: Path):
    write(raw / "a.txt", b"\x00\xffbytes")
    assert read_file(only(raw), 100) == b"\x00\xffbytes"


def test_read_file_vanished(raw: Path):
    f = write(raw / "a.txt")
    found = only(raw)
    f.unlink()
    with pytest.raises(UnreadableFile, match="vanished"):
        read_file(found, 100)


def test_read_file_permission_denied(raw: Path):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    f = write(raw / "a.txt")
    found = only(raw)
    f.chmod(0)
    try:
        with pytest.raises(UnreadableFile, match="permission denied"):
            read_file(found, 100)
    finally:
        f.chmod(0o644)


def test_read_file_permission_denied_simulated(raw: Path, monkeypatch: pytest.MonkeyPatch):
    write(raw / "a.txt")
    found = only(raw)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("accords.discover.os.open", refuse)
    with pytest.raises(UnreadableFile, match="permission denied"):
        read_file(found, 100)


def test_read_file_changed_since_discovery(raw: Path):
    f = write(raw / "a.txt", "short")
    found = only(raw)
    f.write_text("much longer content now")
    with pytest.raises(UnreadableFile, match="changed since discovery"):
        read_file(found, 100)


def test_read_file_same_size_new_mtime(raw: Path):
    f = write(raw / "a.txt", "aaaa")
    found = only(raw)
    f.write_text("bbbb")
    os.utime(f, ns=(found.mtime_ns + 5_000_000_000, found.mtime_ns + 5_000_000_000))
    with pytest.raises(UnreadableFile, match="changed since discovery"):
        read_file(found, 100)


def test_read_file_grew_past_cap(raw: Path):
    f = write(raw / "a.txt", "x" * 10)
    found = only(raw)
    f.write_text("x" * 500)
    with pytest.raises(UnreadableFile, match="too large"):
        read_file(found, 100)


def test_read_file_cap_smaller_than_discovered_size(raw: Path):
    write(raw / "a.txt", "x" * 50)
    with pytest.raises(UnreadableFile, match="too large"):
        read_file(only(raw), 10)


def test_read_file_replaced_by_symlink(raw: Path, tmp_path: Path):
    f = write(raw / "a.txt")
    found = only(raw)
    f.unlink()
    os.symlink("/etc/passwd", f)
    with pytest.raises(UnreadableFile, match="symlink"):
        read_file(found, 100_000)


def test_read_file_replaced_by_directory(raw: Path):
    f = write(raw / "a.txt")
    found = only(raw)
    f.unlink()
    f.mkdir()
    with pytest.raises(UnreadableFile, match="not a regular file|directory"):
        read_file(found, 100)


def test_read_file_replaced_by_fifo_does_not_block(raw: Path):
    f = write(raw / "a.txt")
    found = only(raw)
    f.unlink()
    os.mkfifo(f)
    start = time.perf_counter()
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_file(found, 100)
    assert time.perf_counter() - start < 5
