"""accords: extract who met whom and what they signed from news articles into a Parquet warehouse.

The public API, for notebooks and scripts::

    from accords import connect, load, run_ingest, load_settings
    run_ingest(load_settings(raw_dir="raw", warehouse_dir="warehouse"))
    con = connect("warehouse")
    con.sql("select kind, status, parties from agreements").show()
    runs = load("runs", "warehouse")

Names are imported on first use (module ``__getattr__``), so ``import accords.extract`` or
``import accords.parse`` stays light. The Prefect flows that wrap this library live in the
separate top-level package ``flows``; nothing here imports it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # Querying the warehouse
    "connect": "accords.query",
    "load": "accords.query",
    "query": "accords.query",
    "QueryError": "accords.query",
    # Running the pipeline without Prefect (flows.ingest wraps the same functions)
    "run_ingest": "accords.runner",
    "run_reprocess": "accords.runner",
    "run_compact": "accords.runner",
    "RunResult": "accords.runner",
    # Settings
    "Settings": "accords.settings",
    "load_settings": "accords.settings",
    # Record types
    "Article": "accords.records",
    "ParseProblem": "accords.records",
    "ParseResult": "accords.records",
    "Extraction": "accords.records",
    # Errors
    "AccordsError": "accords.errors",
    "UnreadableFile": "accords.errors",
    "UnparseableFile": "accords.errors",
    "SchemaError": "accords.errors",
    "WarehouseLocked": "accords.errors",
    "WarehouseError": "accords.errors",
    "SettingsError": "accords.errors",
    "ServerError": "accords.errors",
    "FetchRefused": "accords.errors",
    "FetchFailed": "accords.errors",
}

__all__ = [
    "AccordsError",
    "Article",
    "Extraction",
    "FetchFailed",
    "FetchRefused",
    "ParseProblem",
    "ParseResult",
    "QueryError",
    "RunResult",
    "SchemaError",
    "ServerError",
    "Settings",
    "SettingsError",
    "UnparseableFile",
    "UnreadableFile",
    "WarehouseError",
    "WarehouseLocked",
    "connect",
    "load",
    "load_settings",
    "query",
    "run_compact",
    "run_ingest",
    "run_reprocess",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time names load lazily
    from accords.errors import (
        AccordsError,
        FetchFailed,
        FetchRefused,
        SchemaError,
        ServerError,
        SettingsError,
        UnparseableFile,
        UnreadableFile,
        WarehouseError,
        WarehouseLocked,
    )
    from accords.query import QueryError, connect, load, query
    from accords.records import Article, Extraction, ParseProblem, ParseResult
    from accords.runner import RunResult, run_compact, run_ingest, run_reprocess
    from accords.settings import Settings, load_settings


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'accords' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Module attributes plus the lazily imported public names."""
    return sorted({*globals(), *__all__})
