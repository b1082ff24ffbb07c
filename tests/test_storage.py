"""Locations: local paths, file:// URIs and pyarrow filesystem URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from accords.errors import SettingsError
from accords.settings import load_settings
from accords.storage import as_location, filesystem, is_uri, join


def test_local_paths_and_file_uris_become_paths() -> None:
    assert as_location("raw") == Path("raw")
    assert as_location("file:///data/my%20raw") == Path("/data/my raw")
    assert as_location(Path("/x")) == Path("/x")
    assert not is_uri("file:///data") and not is_uri(Path("s3://x"))


def test_object_store_uris_stay_strings() -> None:
    assert as_location("s3://bucket/raw/") == "s3://bucket/raw"
    assert is_uri("gs://bucket/x")


def test_options_in_the_uri_are_refused() -> None:
    with pytest.raises(SettingsError, match="AWS_ENDPOINT_URL"):
        as_location("s3://bucket/raw?endpoint_override=localhost:9000")


def test_settings_take_uris_from_flags_and_environment() -> None:
    s = load_settings(env={"ACCORDS_RAW_DIR": "s3://b/raw"}, warehouse_dir="s3://b/wh")
    assert (s.raw_dir, s.warehouse_dir) == ("s3://b/raw", "s3://b/wh")
    assert load_settings(env={"ACCORDS_WAREHOUSE_DIR": "file:///tmp/wh"}).warehouse_dir == Path("/tmp/wh")


def test_unknown_scheme_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="nosuchfs"):
        filesystem("nosuchfs://bucket/x")


def test_join_ignores_empty_parts_and_slashes() -> None:
    assert join("bucket/wh/", "_data", "", "/runs/") == "bucket/wh/_data/runs"
