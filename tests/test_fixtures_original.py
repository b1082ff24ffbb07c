"""Test fixtures are our own words: none shares a 12-word run with the evaluation or corpus texts.

The checkout sits next to ``../shared`` (the seed article, the Reuters corpus, the MFA statements
and the evaluation documents). A fixture copied from there would let a test pass because the
extractor was tuned on the very sentence it is fed, and would put someone else's text in the
repository. This test reads every text file under tests/, cuts it into 12-word shingles after
normalising case, punctuation and string-literal escapes, and looks each shingle of the shared
texts up in that set. The shared texts are large (about 30 MB), so the small side (tests/) is the
one held in memory and the large side is only streamed past it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

N = 12  # words in a run that counts as copied
TESTS = Path(__file__).resolve().parent
SHARED = TESTS.parents[1] / "shared"  # ../shared relative to the repository root

TEXT_SUFFIXES = {".txt", ".json", ".jsonl", ".md", ".sgm", ".py", ".csv", ".tsv", ".html", ".htm",
                 ".xml", ".yaml", ".yml", ".toml", ".rst", ".ini", ".cfg", ".sh", ""}
MAX_BYTES = 64 * 1024 * 1024  # anything bigger is not a text we could have pasted from

# Escapes that a string literal (Python or JSON) puts between words: "\n", "\u2019", "\"".
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrtbf\"'\\])")
_ENTITY = re.compile(r"&#?\w{1,8};")  # SGML/HTML entities such as &lt; in the Reuters files
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,15}(?:\s[^<>]{0,200})?>")  # <BODY>, <REUTERS ...>
_WORD = re.compile(r"[^\W_]+")


def words(text: str, *, markup: bool = False) -> list[str]:
    """Lower-case word tokens of ``text``; punctuation, escapes and (with ``markup``) tags drop out."""
    text = _ESCAPE.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    if markup:
        text = _TAG.sub(" ", text)
    return _WORD.findall(text.lower())


def shingles(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    return zip(*(tokens[i:] for i in range(N)), strict=False)  # the shorter tails end it


def _text_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES or path.stat().st_size > MAX_BYTES:
            continue
        head = path.read_bytes()[:4096]
        if b"\0" in head:  # binary, whatever its name says
            continue
        yield path


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def copied_runs(tests_dir: Path, shared_dir: Path) -> list[str]:
    """One line per test file and run of N+ words it shares with a file under ``shared_dir``."""
    owners: dict[tuple[str, ...], list[tuple[Path, int]]] = {}
    token_lists: dict[Path, list[str]] = {}
    for path in _text_files(tests_dir):
        tokens = words(_read(path))
        token_lists[path] = tokens
        for i, sh in enumerate(shingles(tokens)):
            owners.setdefault(sh, []).append((path, i))

    hits: dict[Path, dict[int, Path]] = {}  # test file -> shingle start -> a shared file holding it
    for path in _text_files(shared_dir):
        tokens = words(_read(path), markup=True)
        for sh in shingles(tokens):
            if sh in owners:
                for test_path, i in owners[sh]:
                    hits.setdefault(test_path, {}).setdefault(i, path)

    report = []
    for test_path, starts in sorted(hits.items()):
        tokens = token_lists[test_path]
        order = sorted(starts)
        run_start = prev = order[0]
        for i in [*order[1:], None]:
            if i is not None and i <= prev + 1:
                prev = i
                continue
            run = " ".join(tokens[run_start : prev + N])
            report.append(f"{test_path.relative_to(tests_dir.parent)} ~ "
                          f"{starts[run_start].relative_to(shared_dir)}: {run}")
            if i is not None:
                run_start = prev = i
    return report


def test_normalisation_joins_literals_across_lines_and_escapes():
    src = '    "Alpha beta\\n"\n    "Gamma, delta\\u2019s &lt;Epsilon> <BODY>zeta"'
    assert words(src, markup=True) == ["alpha", "beta", "gamma", "delta", "s", "epsilon", "zeta"]


def test_a_copied_run_is_found_and_a_shorter_one_is_not(tmp_path):
    shared, tests = tmp_path / "shared", tmp_path / "tests"
    shared.mkdir()
    tests.mkdir()
    source = "one two three four five six seven eight nine ten eleven twelve thirteen"
    (shared / "doc.sgm").write_text(f"<BODY>{source.upper()}&#3;</BODY>")
    (tests / "test_a.py").write_text('X = ("One two three four five six "\n'
                                     '     "seven eight nine ten eleven")\n')
    assert copied_runs(tests, shared) == []  # 11 words only
    (tests / "test_b.py").write_text(f'X = "zero, {source}."\n')
    assert copied_runs(tests, shared) == [f"tests/test_b.py ~ doc.sgm: {source}"]


def test_no_test_file_copies_a_shared_text():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} does not exist on this machine; nothing to compare against")
    start = time.perf_counter()
    report = copied_runs(TESTS, SHARED)
    elapsed = time.perf_counter() - start
    assert not report, (f"{len(report)} run(s) of {N}+ words copied from {SHARED} "
                        f"(scan took {elapsed:.1f} s):\n" + "\n".join(report))
