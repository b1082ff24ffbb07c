"""Where raw/ and warehouse/ live: a local folder, or a URI of any filesystem pyarrow supports.

A location is a ``Path`` (local, POSIX semantics: renames, symlinks, flock) or a URI string such
as ``s3://bucket/prefix`` or ``gs://bucket/prefix`` (an object store: whole-object puts, no
rename, no lock). ``file://`` URIs become paths. Credentials and endpoints come from the
filesystem's own configuration (for S3: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``), never from our settings, so no secret is stored in
run history.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow.fs as pafs

from accords.errors import SettingsError

Location = Path | str

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(value: object) -> bool:
    """True for a ``scheme://...`` string naming a non-local filesystem."""
    return isinstance(value, str) and bool(_SCHEME.match(value)) and not value.startswith("file://")


def as_location(value: str | Path) -> Location:
    """A Path for local folders (``file://`` URIs included), the URI string for anything else."""
    if isinstance(value, Path):
        return value
    if value.startswith("file://"):
        return Path(unquote(urlsplit(value).path))
    if is_uri(value):
        if "?" in value or "#" in value:
            # Options in the URI would be copied into run history and file paths; the
            # filesystem's environment variables carry them instead.
            raise SettingsError(f"{value!r}: give filesystem options (endpoint, region) through the "
                                "environment (e.g. AWS_ENDPOINT_URL), not in the URI")
        return value.rstrip("/")
    return Path(value).expanduser()


@lru_cache(maxsize=16)
def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and the base path inside it for a location URI (cached per process).

    Raises:
        SettingsError: pyarrow does not know the scheme or cannot set the filesystem up.
    """
    try:
        return pafs.FileSystem.from_uri(uri)
    except (ValueError, OSError, TypeError) as exc:
        raise SettingsError(f"cannot open {uri!r} as a pyarrow filesystem: {exc}") from exc


def join(base: str, *parts: str) -> str:
    """Join path parts onto a base path inside a filesystem ('/'-separated, no empty parts)."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts if p)])

