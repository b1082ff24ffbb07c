"""pyproject.toml: an install that prints only what the user needs (issue: install noise)."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    # A license TOML table makes every `make run` print setuptools' deprecation warning twice.
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(data["project"]["license"], str)
    req = next(r for r in data["build-system"]["requires"] if r.startswith("setuptools"))
    floor = re.search(r">=\s*(\d+)", req)
    assert floor and int(floor.group(1)) >= 77  # SPDX strings need setuptools 77


def test_make_installs_quietly() -> None:
    # setuptools reports every editable install ("Please be careful with folders ..."), and pip
    # shows it under one --quiet: the Makefile's installs pass -qq, so only errors print.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    installs = [ln for ln in makefile if "pip install" in ln]
    assert installs and all(" -qq " in ln for ln in installs)
