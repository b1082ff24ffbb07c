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


class ServerError(AccordsError):
    """The Prefect server could not be started, reached or found (see its log for details)."""


class FetchRefused(AccordsError):
    """A URL or response was refused by policy (scheme, private address, content type, size)."""


class FetchFailed(AccordsError):
    """Fetching a URL failed (network error, timeout, HTTP error status) after retries."""
