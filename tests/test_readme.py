"""The README's ```python blocks run as written, from a project root with a small warehouse.

Like tests/test_notebook.py for the notebook: each block is executed, top to bottom, in the
working directory the README assumes (raw/ and warehouse/ in it, after `make run`). The one block
that serves deployments forever gets a stand-in for ``prefect.serve`` that records what it was
given; everything else runs unchanged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from accords import Settings, run_ingest
from tests.conftest import ROOT, write_raw

README = ROOT / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(text: str) -> list[str]:
    """The source of every ```python block of a Markdown text, in order."""
    return [m.group(1) for m in _BLOCK.finditer(text)]


def test_readme_has_python_blocks() -> None:
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    assert any("from accords import connect" in b for b in blocks)
    assert not any(re.search(r"^\s*(from|import) flows\.(query|warehouse|settings|runner)\b", b, re.M)
                   for b in blocks)


@pytest.mark.integration
def test_readme_python_blocks_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import prefect

    raw = write_raw(tmp_path / "raw")
    old = 1_000_000_000  # well past the settle window, so discover takes every file
    for p in raw.rglob("*"):
        os.utime(p, (old, old))
    result = run_ingest(Settings(raw_dir=raw, warehouse_dir=tmp_path / "warehouse", settle_seconds=0,
                                 workers=1), log=lambda m: None)
    assert not result.failed and result.row["agreements_written"] > 0
    monkeypatch.chdir(tmp_path)
    served: list[tuple[Any, ...]] = []
    monkeypatch.setattr(prefect, "serve", lambda *deployments, **kw: served.append(deployments))

    blocks = python_blocks(README.read_text(encoding="utf-8"))
    for i, source in enumerate(blocks):
        try:
            exec(compile(source, f"README.md python block {i + 1}", "exec"), {"__name__": "__readme__"})  # noqa: S102
        except Exception as exc:  # noqa: BLE001 - report which block failed, with its source
            pytest.fail(f"README python block {i + 1} failed: {type(exc).__name__}: {exc}\n{source}")
    out = capsys.readouterr().out
    assert "agreement" in out or "kind" in out  # the DuckDB and pandas blocks printed their tables
    assert len(served) == 1
    assert sorted(d.name for d in served[0]) == ["accords-fetch", "accords-ingest"]
