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
    floor, ceiling = re.search(r">=\s*(\d+)", req), re.search(r"<\s*(\d+)", req)
    assert floor and int(floor.group(1)) >= 77  # SPDX strings need setuptools 77
    # setuptools 80 warns on every editable install ("Please be careful with folders ..."), which
    # `make run` does: the build stays below it.
    assert ceiling and int(ceiling.group(1)) <= 80
