"""One settings object for the whole pipeline, built from CLI flags and ACCORDS_* variables.

Stages never read the environment: the CLI (or a test) builds a ``Settings`` and passes it in.
Precedence: explicit CLI flag > ACCORDS_* environment variable > default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from accords.errors import SettingsError
from accords.storage import Location, as_location

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Paths, limits and switches for one ingestion."""

    # Local folders (Path) or URIs of a pyarrow filesystem (str, e.g. "s3://bucket/raw").
    raw_dir: Location = PROJECT_ROOT / "raw"
    warehouse_dir: Location = PROJECT_ROOT / "warehouse"
    # Files larger than this are rejected without being read (bytes).
    max_file_bytes: int = 50_000_000
    # Article texts longer than this are extracted on their first N characters (stored whole):
    # press releases are far shorter, and it bounds the time one hostile file can take.
    max_extract_chars: int = 200_000
    # A file modified less than this many seconds ago may still be being written: skipped.
    settle_seconds: float = 2.0
    # Files per Prefect task: one task per batch, never per record (task overhead is ms).
    batch_size: int = 500
    # ... and at most about this many bytes of files per batch (bounds memory for big .jsonl).
    batch_bytes: int = 2_000_000
    # A .jsonl file of more lines (or bytes, batch_bytes) is processed as pieces of at most this
    # many lines, each a batch of its own: memory stays bounded and every worker gets a share.
    jsonl_batch_lines: int = 2_000
    # Worker processes for extraction; 0 means one per CPU core.
    workers: int = 0
    # Where batches run in a Prefect flow: "process" (local pool) or "dask" (prefect-dask).
    task_runner: str = "process"
    # Dask scheduler address (tcp://HOST:PORT); none starts a temporary local cluster.
    dask_address: str | None = None
    # Re-hash files whose size and mtime are unchanged (slower, catches in-place edits that
    # preserve mtime).
    verify_hashes: bool = False
    # After an ingest, compact the warehouse when a table has more files than this (0: never).
    compact_after_files: int = 100
    # Seconds to wait for the warehouse lock before recording the run as skipped.
    lock_wait_seconds: float = 0.0
    # How the run was started: manual, schedule or event.
    trigger: str = "manual"
    # Test hook for crash tests: the process SIGKILLs itself at this named point
    # ("pause:<point>": it SIGSTOPs itself there instead, so a test can act while it holds the lock).
    crash_at: str | None = None

    @property
    def worker_count(self) -> int:
        """Worker processes to use: ``workers``, or the CPU count when it is 0."""
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with the given fields replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_ENV_PREFIX = "ACCORDS_"


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Convert an environment string to the type of the field's default."""
    try:
        if isinstance(default, bool):
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if isinstance(default, Path):
            return as_location(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{_ENV_PREFIX}{name.upper()}={raw!r} is not a valid value") from exc
    return raw or None


def load_settings(env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Build Settings from ACCORDS_* variables in ``env`` (default os.environ) and CLI flags."""
    env = os.environ if env is None else env
    base = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = _ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = _coerce(f.name, env[key], getattr(base, f.name))
    settings = replace(base, **values).with_overrides(**flags)
    settings = replace(settings, raw_dir=as_location(settings.raw_dir),
                       warehouse_dir=as_location(settings.warehouse_dir))
    validate_settings(settings)
    return settings


def validate_settings(settings: Settings) -> None:
    """Raise SettingsError for values that cannot work."""
    if settings.trigger not in {"manual", "schedule", "event"}:
        raise SettingsError(f"trigger must be manual, schedule or event, not {settings.trigger!r}")
    if settings.batch_size < 1:
        raise SettingsError("batch_size must be at least 1")
    if settings.jsonl_batch_lines < 1:
        raise SettingsError("jsonl_batch_lines must be at least 1")
    if settings.task_runner not in {"process", "dask"}:
        raise SettingsError(f"task_runner must be process or dask, not {settings.task_runner!r}")
    if settings.workers < 0:
        raise SettingsError("workers must be 0 (one per core) or more")
    if settings.max_file_bytes < 1:
        raise SettingsError("max_file_bytes must be positive")
