"""FETCH (I/O): download article pages and feed items into raw/ for the next ingestion.

Each page is saved as ``<sha256(url)[:20]>.html`` with a sidecar ``<same>.html.meta`` (JSON: url,
final_url, fetched_at, content_type, feed). A URL whose page file exists is skipped. Safety rules
(pure, in ``accords.fetch_rules``): http(s) only; every address a host resolves to must be public
unless allowed, checked before connecting and again against the connected socket's peer (so a DNS
answer that changes between the check and the connection is caught), on every redirect (followed
here, at most ``max_redirects``); content types and a size cap are enforced while streaming.
"""

from __future__ import annotations

import json
import os
import socket
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from accords.errors import FetchFailed, FetchRefused, SettingsError
from accords.fetch_rules import (
    FEED_TYPES,
    HTML_TYPES,
    check_addresses,
    check_content_type,
    check_url,
    feed_item_urls,
    host_port,
    page_filename,
    sidecar_filename,
)
from accords.tables import utcnow

PROJECT_URL = "https://example.org/accords"  # placeholder until the project has a public home
USER_AGENT = f"accords/0.1 (+{PROJECT_URL})"
FETCHED_SUBDIR = "fetched"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and permissions for fetching."""

    # Seconds to connect and between bytes received (per attempt).
    timeout: float = 10.0
    # Seconds for a whole response body: a server dripping bytes cannot hold a fetch forever.
    total_timeout: float = 60.0
    # A page or feed larger than this is refused; reading stops at the cap.
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    # Retries of connection errors, timeouts and 429/5xx answers, with exponential backoff.
    retries: int = 2
    backoff: float = 0.5
    max_feed_items: int = 200
    # Allow private, loopback and link-local addresses (an intranet, a local test server).
    allow_private: bool = False
    # "host:port" pairs allowed whatever their addresses; everything else stays checked.
    allow_hosts: frozenset[str] = frozenset()
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchResult:
    """Outcome of fetching one page or feed."""

    url: str
    kind: str  # page or feed
    status: str  # fetched, skipped (already fetched), refused (policy) or failed
    path: str | None = None  # the saved page
    final_url: str | None = None
    size_bytes: int = 0
    items: int = 0  # item links found (feeds)
    feed: str | None = None  # the feed a page came from
    error: str | None = None

    def as_row(self) -> dict[str, Any]:
        """The result as a plain dict (for tables, artifacts and JSON)."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Connections that re-check the address they actually connected to
# --------------------------------------------------------------------------------------------

AddressGuard = Callable[[str, int, str], None]


class _AddressGuardMixin:
    """Checks a connection's peer address right after connecting, before anything is sent."""

    address_guard: AddressGuard | None = None
    host: str
    port: int

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        if self.address_guard is not None:
            try:
                self.address_guard(self.host, self.port, sock.getpeername()[0])
            except BaseException:
                sock.close()
                raise
        return sock


class _GuardedHTTPConnection(_AddressGuardMixin, HTTPConnection):
    """HTTP connection with the peer address check."""


class _GuardedHTTPSConnection(_AddressGuardMixin, HTTPSConnection):
    """HTTPS connection with the peer address check (TLS starts after it)."""


class _GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connection pools use the guarded connections."""

    def __init__(self, guard: AddressGuard, **kwargs: Any) -> None:
        self._guard = guard  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager, then swap in pool classes bound to this adapter's guard."""
        super().init_poolmanager(*args, **kwargs)
        guard = staticmethod(self._guard)
        http_conn = type("GuardedHTTPConnection", (_GuardedHTTPConnection,), {"address_guard": guard})
        https_conn = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), {"address_guard": guard})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


def _guard_for(policy: FetchPolicy) -> AddressGuard:
    def guard(host: str, port: int, address: str) -> None:
        check_addresses(host.strip("[]").lower(), port, [address], policy.allow_private, policy.allow_hosts)

    return guard


def make_session(policy: FetchPolicy) -> requests.Session:
    """A requests session with the policy's retries, User-Agent and address guard."""
    session = requests.Session()
    # No proxies or .netrc from the environment: the address checks must see the real peer.
    session.trust_env = False
    session.headers.update({
        "User-Agent": policy.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
                  "application/xml;q=0.9,*/*;q=0.1",
    })
    retry = Retry(
        total=policy.retries, connect=policy.retries, read=policy.retries, status=policy.retries,
        other=0, backoff_factor=policy.backoff, backoff_max=30.0,
        status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        # A hostile Retry-After could park the fetcher for hours; our own backoff is bounded.
        respect_retry_after_header=False,
    )
    adapter = _GuardedAdapter(_guard_for(policy), max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every IP address ``host`` resolves to (for TCP).

    Raises:
        FetchFailed: the name does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve {host}: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})


def check_destination(url: str, policy: FetchPolicy) -> str:
    """Check a URL and the addresses of its host before any connection; return the URL.

    Raises:
        FetchRefused: bad scheme or URL, or a non-public address not allowed by the policy.
        FetchFailed: the host does not resolve.
    """
    url = check_url(url)
    host, port = host_port(url)
    if policy.allow_private or f"{host}:{port}" in policy.allow_hosts:
        return url
    check_addresses(host, port, resolve(host, port), policy.allow_private, policy.allow_hosts)
    return url


def _is_timeout(exc: BaseException) -> bool:
    """True for a requests error caused, at any depth, by a timeout."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, requests.Timeout | Urllib3Timeout | socket.timeout):
            return True
        inner = seen.args[0] if seen.args else None
        seen = getattr(inner, "reason", inner) if isinstance(inner, BaseException) else None
    return False


def _request(session: requests.Session, url: str, policy: FetchPolicy) -> requests.Response:
    """One GET (streamed, no redirects followed), with network errors as FetchFailed."""
    try:
        return session.get(url, stream=True, allow_redirects=False, timeout=(policy.timeout, policy.timeout))
    except requests.RequestException as exc:
        if _is_timeout(exc):
            raise FetchFailed(f"timed out after {policy.timeout:g} s: {url}") from exc
        raise FetchFailed(f"request to {url} failed: {type(exc).__name__}") from exc


def open_url(session: requests.Session, url: str, policy: FetchPolicy) -> tuple[requests.Response, str]:
    """GET a URL following redirects by hand, checking every hop; return the response and final URL.

    Raises:
        FetchRefused: a hop breaks the policy (scheme, address).
        FetchFailed: network error, timeout, HTTP error status or too many redirects.
    """
    current = url
    for _ in range(policy.max_redirects + 1):
        current = check_destination(current, policy)
        response = _request(session, current, policy)
        location = response.headers.get("Location")
        if response.status_code in _REDIRECTS and location:
            response.close()
            current = urljoin(current, location.strip())
            continue
        if response.status_code >= 400:
            response.close()
            raise FetchFailed(f"HTTP {response.status_code} from {current}")
        return response, current
    raise FetchFailed(f"more than {policy.max_redirects} redirects from {url}")


def read_capped(response: requests.Response, policy: FetchPolicy) -> bytes:
    """Read a streamed body, stopping at the size cap and the total time limit; closes it.

    Raises:
        FetchRefused: the body is larger than ``policy.max_bytes``.
        FetchFailed: the body took longer than ``policy.total_timeout`` or the connection broke.
    """
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > policy.max_bytes:
            raise FetchRefused(f"response is {declared} bytes, over the cap of {policy.max_bytes}")
        deadline = time.monotonic() + policy.total_timeout
        body = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > policy.max_bytes:
                    raise FetchRefused(f"response exceeds the cap of {policy.max_bytes} bytes "
                                       "(stopped reading)")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"response took longer than {policy.total_timeout:g} s")
        except requests.RequestException as exc:
            if _is_timeout(exc):
                raise FetchFailed(f"timed out after {policy.timeout:g} s while reading") from exc
            raise FetchFailed(f"connection broke while reading: {type(exc).__name__}") from exc
        return bytes(body)
    finally:
        response.close()


def download(session: requests.Session, url: str, policy: FetchPolicy,
             allowed_types: frozenset[str]) -> tuple[bytes, str, str]:
    """Fetch one URL whole: body, final URL and media type.

    Raises:
        FetchRefused: policy (scheme, address, content type, size).
        FetchFailed: network, timeout, HTTP status.
    """
    response, final_url = open_url(session, url, policy)
    try:
        kind = check_content_type(response.headers.get("Content-Type"), allowed_types)
    except FetchRefused:
        response.close()
        raise
    return read_capped(response, policy), final_url, kind


# --------------------------------------------------------------------------------------------
# Pages, feeds and files
# --------------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file via a hidden .part name (discovery skips both), fsync, then rename."""
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def already_fetched(dest_dir: Path, url: str) -> bool:
    """True when the page of ``url`` is already saved in ``dest_dir``."""
    return (dest_dir / page_filename(url)).exists()


def fetch_page(url: str, dest_dir: Path, policy: FetchPolicy, session: requests.Session,
               feed: str | None = None) -> FetchResult:
    """Fetch one article page into ``dest_dir`` unless already there. Never raises for the URL's sake."""
    try:
        url = check_url(url)
    except FetchRefused as exc:
        return FetchResult(url=url, kind="page", status="refused", feed=feed, error=str(exc))
    page = dest_dir / page_filename(url)
    if page.exists():
        return FetchResult(url=url, kind="page", status="skipped", path=str(page), feed=feed)
    try:
        body, final_url, kind = download(session, url, policy, HTML_TYPES)
    except FetchRefused as exc:
        return FetchResult(url=url, kind="page", status="refused", feed=feed, error=str(exc))
    except FetchFailed as exc:
        return FetchResult(url=url, kind="page", status="failed", feed=feed, error=str(exc))
    meta = {"url": url, "final_url": final_url, "fetched_at": utcnow().isoformat(timespec="seconds"),
            "content_type": kind, "size_bytes": len(body), "feed": feed}
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        # Sidecar first: when the page appears, its URL is already next to it.
        _write_atomic(dest_dir / sidecar_filename(url), json.dumps(meta, indent=1).encode("utf-8"))
        _write_atomic(page, body)
    except OSError as exc:
        return FetchResult(url=url, kind="page", status="failed", feed=feed,
                           error=f"cannot save to {dest_dir}: {exc.strerror or exc}")
    return FetchResult(url=url, kind="page", status="fetched", path=str(page), final_url=final_url,
                       size_bytes=len(body), feed=feed)


def read_feed(feed_url: str, policy: FetchPolicy, session: requests.Session) -> tuple[FetchResult, list[str]]:
    """Fetch an RSS/Atom feed; return its result and the item URLs (empty when it failed)."""
    try:
        data, final_url, _ = download(session, feed_url, policy, FEED_TYPES)
        items = feed_item_urls(data, final_url, policy.max_feed_items)
    except FetchRefused as exc:
        return FetchResult(url=feed_url, kind="feed", status="refused", error=str(exc)), []
    except FetchFailed as exc:
        return FetchResult(url=feed_url, kind="feed", status="failed", error=str(exc)), []
    return FetchResult(url=feed_url, kind="feed", status="fetched", final_url=final_url,
                       size_bytes=len(data), items=len(items)), items


def fetch_pages(urls: Iterable[str], dest_dir: Path, policy: FetchPolicy | None = None,
                feed: str | None = None) -> list[FetchResult]:
    """Fetch a batch of pages with one session, in order."""
    policy = policy or FetchPolicy()
    with make_session(policy) as session:
        return [fetch_page(u, dest_dir, policy, session, feed=feed) for u in urls]


def fetch_all(urls: Iterable[str], dest_dir: Path, feeds: Iterable[str] = (),
              policy: FetchPolicy | None = None) -> list[FetchResult]:
    """Fetch pages and the items of feeds into ``dest_dir``; one result per page and per feed."""
    policy = policy or FetchPolicy()
    results: list[FetchResult] = []
    with make_session(policy) as session:
        for url in urls:
            results.append(fetch_page(url, dest_dir, policy, session))
        for feed_url in feeds:
            feed_result, items = read_feed(feed_url, policy, session)
            results.append(feed_result)
            results.extend(fetch_page(u, dest_dir, policy, session, feed=feed_url) for u in items)
    return results


def fetched_dir(raw_dir: Path) -> Path:
    """Where fetched pages go inside a raw folder."""
    return raw_dir / FETCHED_SUBDIR


@dataclass(frozen=True)
class FeedsConfig:
    """The feeds file: feed URLs to fetch on every scheduled run."""

    feeds: list[str] = field(default_factory=list)


def load_feeds(path: Path) -> FeedsConfig:
    """Read a feeds file (TOML: ``[[feed]]`` tables with ``url = "..."``).

    Raises:
        SettingsError: the file is unreadable, not TOML, or a feed has no string url.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read feeds file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"feeds file {path} is not valid TOML: {exc}") from exc
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise SettingsError(f"{path}: 'feed' must be an array of tables ([[feed]])")
    feeds: list[str] = []
    for i, entry in enumerate(entries, start=1):
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str) or not url.strip():
            raise SettingsError(f"{path}: feed #{i} needs a url = \"https://...\"")
        feeds.append(url.strip())
    return FeedsConfig(feeds=feeds)

