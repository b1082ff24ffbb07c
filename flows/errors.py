"""Named exceptions. Each carries a clear, user-facing message."""

from __future__ import annotations


class AccordsError(Exception):
    """Base class for every error this project raises on purpose."""


class UnreadableFile(AccordsError):
    """A raw file could not be read (vanished, permission denied, too large, not a regular file)."""


class UnparseableFile(AccordsError):
    """A raw file was read but holds no article we can parse (bad JSON, wrong shape, binary, empty)."""


class SchemaError(AccordsError):
    """A JSON Schema in schemas/ is missing or is not itself valid."""


class WarehouseLocked(AccordsError):
    """Another ingestion holds the warehouse lock; this run does not write."""


class WarehouseError(AccordsError):
    """Writing or committing to the warehouse failed; the warehouse is left as it was."""


class SettingsError(AccordsError):
    """A setting (CLI flag or ACCORDS_* environment variable) has an invalid value."""
