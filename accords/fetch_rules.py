"""Pure rules for fetching articles: URL checks, address checks, file names, content types, feeds.

No network and no file system here (``accords.fetch`` does the I/O), so every rule is testable alone.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
from urllib.parse import urldefrag, urljoin, urlsplit

from accords.errors import FetchRefused

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_URL_CHARS = 2048
# Hex digits of sha256(url) in file names: 80 bits, collisions are not a practical concern.
HASH_CHARS = 20
PAGE_SUFFIX = ".html"
# Sidecar of <hash>.html: "<hash>.html.meta" (JSON). Discovery does not ingest .meta files, so the
# sidecar is never mistaken for an article (a .json sidecar would be).
SIDECAR_SUFFIX = ".meta"

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/x-rss+xml",
})


def check_url(url: str) -> str:
    """Validate a URL to fetch and return it without its fragment.

    Raises:
        FetchRefused: not http(s), no host, credentials in the URL, bad port, or too long.
    """
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise FetchRefused(f"URL longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise FetchRefused(f"malformed URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchRefused(f"only http and https URLs are fetched, not {scheme or 'no scheme'}: {url!r}")
    if not parts.hostname:
        raise FetchRefused(f"URL has no host: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(f"URLs with credentials are not fetched: {parts.hostname}")
    if port == 0:
        raise FetchRefused(f"URL has port 0: {url!r}")
    return urldefrag(url).url


def host_port(url: str) -> tuple[str, int]:
    """Host (lower-case, IPv6 without brackets) and port (scheme default if absent) of a checked URL."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return (parts.hostname or "").lower(), port


def is_public_address(address: str) -> bool:
    """True when an IP address is globally routable (not private, loopback, link-local, ...)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # An IPv4-mapped IPv6 address (::ffff:10.0.0.1) reaches the IPv4 host: judge that one.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_addresses(host: str, port: int, addresses: list[str], allow_private: bool = False,
                    allow_hosts: frozenset[str] = frozenset()) -> None:
    """Refuse a host unless every address it resolves to is public (or explicitly allowed).

    ``allow_hosts`` holds "host:port" strings allowed whatever their addresses (a local test
    server); ``allow_private`` allows every address.

    Raises:
        FetchRefused: the host resolved to nothing, or to a non-public address.
    """
    if not addresses:
        raise FetchRefused(f"{host} did not resolve to any address")
    if allow_private or f"{host}:{port}" in allow_hosts:
        return
    bad = sorted({a for a in addresses if not is_public_address(a)})
    if bad:
        raise FetchRefused(f"{host} resolves to a private, loopback or reserved address ({', '.join(bad)}); "
                           "use --allow-private to fetch from it")


def url_hash(url: str) -> str:
    """First HASH_CHARS hex digits of sha256 of the URL (without fragment): the file's name."""
    return hashlib.sha256(urldefrag(url.strip()).url.encode("utf-8")).hexdigest()[:HASH_CHARS]


def page_filename(url: str) -> str:
    """File name of a fetched page: ``<hash>.html``."""
    return url_hash(url) + PAGE_SUFFIX


def sidecar_filename(url: str) -> str:
    """File name of a fetched page's metadata: ``<hash>.html.meta`` (JSON, not ingested)."""
    return page_filename(url) + SIDECAR_SUFFIX


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_content_type(content_type: str | None, allowed: frozenset[str]) -> str:
    """Return the media type if it is one of ``allowed``.

    Raises:
        FetchRefused: the type is missing or not allowed.
    """
    kind = media_type(content_type)
    if kind not in allowed:
        raise FetchRefused(f"content type {kind or '(none)'} is not one of {', '.join(sorted(allowed))}")
    return kind


def feed_item_urls(data: bytes, base_url: str, max_items: int = 200) -> list[str]:
    """Links of the items of an RSS or Atom feed, absolute, in feed order, without duplicates.

    Parsed with feedparser from bytes (it fetches nothing and loads no external entities).

    Raises:
        FetchRefused: the bytes are not a feed with at least one item or link.
    """
    import feedparser  # imported lazily: only feeds need it

    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": base_url})
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FetchRefused(f"not an RSS or Atom feed{f': {reason}' if reason else ''}")
    urls: list[str] = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (x.get("href") for x in entry.get("links", []) if x.get("rel", "alternate") == "alternate"), None
        )
        if not link:
            continue
        absolute = urldefrag(urljoin(base_url, link.strip())).url
        if absolute not in urls:
            urls.append(absolute)
        if len(urls) >= max_items:
            break
    return urls
