"""notebooks/explore.ipynb runs top to bottom, headless, on a small warehouse and on an empty one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
FIGURES = 8  # entities, fields, countries, timeline, lifecycles, network, meetings per month, leaders


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A "python3" kernelspec that runs this interpreter (the venv), first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "accords venv", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")


def _run_notebook(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setenv("ACCORDS_WAREHOUSE_DIR", str(warehouse))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=180, startup_timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(outputs: list[dict]) -> str:
    parts = [o.get("text", "") for o in outputs]
    parts += [o.get("data", {}).get("text/plain", "") for o in outputs]
    return "\n".join(parts)


@pytest.mark.integration
def test_notebook_runs_on_ingested_warehouse(settings, kernel_env: None,  # noqa: ANN001
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from accords.extract import meetings as meetings_mod
    from accords.runner import run_ingest
    from tests.conftest import meetings_from_persons

    # Meetings built from the extracted persons, so the meeting cells draw real figures.
    monkeypatch.setattr(meetings_mod, "extract_meetings", meetings_from_persons)
    result = run_ingest(settings.with_overrides(workers=1), log=lambda m: None)
    assert not result.failed and result.row["meetings_written"] > 0
    outputs = _run_notebook(settings.warehouse_dir, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == FIGURES
    text = _text(outputs)
    assert str(settings.warehouse_dir.resolve()) in text
    assert result.row["run_id"] in text  # the latest runs table shows this run
    assert "Lee Jae-myung" in text  # the leader pairs under the network


@pytest.mark.integration
def test_notebook_copes_with_empty_warehouse(tmp_path: Path, kernel_env: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = _run_notebook(tmp_path / "no-warehouse-yet", monkeypatch)
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == FIGURES  # placeholders saying there is nothing yet
