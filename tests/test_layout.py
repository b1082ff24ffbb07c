"""The package layout: the library ``accords`` never imports the Prefect wiring in ``flows``."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT


def _imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_accords_module_imports_flows() -> None:
    sources = sorted((ROOT / "accords").rglob("*.py"))
    assert len(sources) > 20
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imported_modules(p.read_text(encoding="utf-8"))
                                                  if m == "flows" or m.startswith("flows."))
                 for p in sources}
    assert {k: v for k, v in offenders.items() if v} == {}
    # The scanner itself finds such an import.
    assert _imported_modules("from flows.ingest import ingest_flow\nimport flows.serve\n") == \
        {"flows.ingest", "flows.serve"}


def test_public_api_imports_without_prefect_or_flows() -> None:
    code = ("import sys\n"
            "import accords.extract\n"
            "from accords import connect, load, run_ingest, Settings, AccordsError, Article\n"
            "import accords\n"
            "assert set(accords.__all__) <= set(dir(accords))\n"
            "assert 'prefect' not in sys.modules, 'importing accords pulled in Prefect'\n"
            "assert not [m for m in sys.modules if m == 'flows' or m.startswith('flows.')]\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_flows_are_thin_wiring_modules() -> None:
    files = sorted(p.name for p in (ROOT / "flows").glob("*.py"))
    assert files == ["__init__.py", "fetch.py", "ingest.py", "serve.py"]
    for p in (ROOT / "flows").glob("*.py"):
        assert len(p.read_text(encoding="utf-8").splitlines()) < 200, p
