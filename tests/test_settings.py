"""Settings from environment and flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from accords.errors import SettingsError
from accords.settings import Settings, load_settings


def test_defaults_point_into_the_project() -> None:
    s = load_settings(env={})
    assert s == Settings()
    assert s.raw_dir.name == "raw" and s.warehouse_dir.name == "warehouse"


def test_env_then_flags_override() -> None:
    env = {"ACCORDS_RAW_DIR": "/data/raw", "ACCORDS_BATCH_SIZE": "7", "ACCORDS_VERIFY_HASHES": "yes"}
    s = load_settings(env=env)
    assert s.raw_dir == Path("/data/raw") and s.batch_size == 7 and s.verify_hashes is True
    s2 = load_settings(env=env, raw_dir=Path("/elsewhere"), batch_size=None)
    assert s2.raw_dir == Path("/elsewhere") and s2.batch_size == 7


@pytest.mark.parametrize("env", [{"ACCORDS_BATCH_SIZE": "many"}, {"ACCORDS_BATCH_SIZE": "0"},
                                 {"ACCORDS_TRIGGER": "cosmic"}, {"ACCORDS_VERIFY_HASHES": "perhaps"}])
def test_bad_values_are_named_errors(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        load_settings(env=env)
