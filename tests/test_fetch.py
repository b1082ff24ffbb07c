"""Fetching pages and feeds from a real local HTTP server (127.0.0.1, ephemeral port).

No request is mocked. An autouse guard wraps urllib3's connect function so that any attempt to
connect to a non-loopback address fails the test instead of touching the network.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3.util.connection

import accords.fetch as fetch_mod
from accords.cli import main
from accords.discover import discover
from accords.errors import FetchRefused, SettingsError
from accords.fetch import FetchPolicy, fetch_all, fetch_pages, load_feeds
from accords.fetch_rules import (
    check_addresses,
    check_content_type,
    check_url,
    feed_item_urls,
    is_public_address,
    page_filename,
    sidecar_filename,
    url_hash,
)

PAGE = ("<html><head><title>Norway and Iceland sign fisheries protocol</title></head><body><article>"
        "<p>Norway and Iceland signed a fisheries protocol in Oslo on Tuesday, the two foreign "
        "ministries said in a joint statement.</p></article></body></html>")


def _rss(base: str) -> str:
    items = [f"{base}/page/1.html", "/page/2.html", f"{base}/page/1.html#comments"]
    body = "".join(f"<item><title>Item {i}</title><link>{u}</link></item>" for i, u in enumerate(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'


ATOM = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        '<entry><title>E</title><link rel="alternate" href="/page/3.html"/><id>x</id></entry></feed>')


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: Counter[str]
    slow_seconds = 3.0

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, ctype: str | None, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, "text/plain", b"", {"Location": location})

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path
        self.hits[path] += 1
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if path.startswith("/page/"):
            self._send(200, "text/html; charset=utf-8", PAGE.replace("Tuesday", path).encode())
        elif path == "/xhtml":
            self._send(200, "application/xhtml+xml", PAGE.encode())
        elif path == "/feed.xml":
            self._send(200, "application/rss+xml", _rss(base).encode())
        elif path == "/atom.xml":
            self._send(200, "application/atom+xml; charset=utf-8", ATOM.encode())
        elif path == "/not-a-feed.xml":
            self._send(200, "application/xml", b"<html><body>hello</body></html>")
        elif path == "/json":
            self._send(200, "application/json", b'{"text": "no"}')
        elif path == "/no-type":
            self._send(200, None, PAGE.encode())
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            self._send(200, "text/html", PAGE.encode())
        elif path == "/huge":  # no Content-Length: the cap must stop the streaming read
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                self.wfile.write(b"<html><body>")
                for _ in range(2000):  # up to 128 MB if nobody stops reading
                    self.wfile.write(b"<p>" + b"x" * 65_000 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
        elif path == "/flaky":
            if self.hits[path] == 1:
                self._send(503, "text/plain", b"try again")
            else:
                self._send(200, "text/html", PAGE.encode())
        elif path == "/gone":
            self._send(404, "text/html", b"<p>not found</p>")
        elif path == "/redirect-ok":
            self._redirect("/page/9.html")
        elif path == "/redirect-private":
            self._redirect("http://10.0.0.1/admin")
        elif path == "/redirect-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/redirect-file":
            self._redirect("file:///etc/passwd")
        elif path.startswith("/loop"):
            self._redirect(f"/loop{len(path)}")
        else:
            self._send(404, "text/plain", b"")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every connection; refuse (and fail on) anything but 127.0.0.1 / localhost."""
    real = urllib3.util.connection.create_connection
    seen: list[tuple[str, int]] = []

    def spy(address: tuple[str, int], *args: object, **kwargs: object) -> object:
        seen.append(address)
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"test tried to connect to {address}")
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return seen


@pytest.fixture
def server() -> Iterator[tuple[str, Counter[str]]]:
    hits: Counter[str] = Counter()
    handler = type("Handler", (_Handler,), {"hits": hits})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    finally:
        srv.shutdown()
        srv.server_close()


def _policy(base: str, **kw: object) -> FetchPolicy:
    """Loopback allowed for the test server's host:port only; every other address still checked."""
    host_port = base.removeprefix("http://")
    defaults: dict[str, object] = {"timeout": 0.5, "retries": 0, "backoff": 0.01,
                                   "allow_hosts": frozenset({host_port})}
    return FetchPolicy(**{**defaults, **kw})  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Pure rules
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["ftp://example.org/a", "file:///etc/passwd", "javascript:alert(1)",
                                 "example.org/a", "http:///nohost", "http://user:pw@example.org/",
                                 "http://example.org:99999/", "gopher://example.org/"])
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(FetchRefused):
        check_url(url)


def test_check_url_drops_fragment() -> None:
    assert check_url(" https://example.org/a?b=1#c ") == "https://example.org/a?b=1"


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False),
    ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("not-an-ip", False),
])
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_check_addresses_every_address_must_be_public() -> None:
    check_addresses("example.org", 443, ["93.184.216.34"])
    with pytest.raises(FetchRefused, match="10.0.0.1"):
        check_addresses("example.org", 443, ["93.184.216.34", "10.0.0.1"])
    check_addresses("example.org", 443, ["10.0.0.1"], allow_private=True)
    check_addresses("intranet", 8080, ["10.0.0.1"], allow_hosts=frozenset({"intranet:8080"}))
    with pytest.raises(FetchRefused):
        check_addresses("intranet", 8081, ["10.0.0.1"], allow_hosts=frozenset({"intranet:8080"}))


def test_file_names_from_url_hash() -> None:
    url = "https://example.org/news/1"
    assert len(url_hash(url)) == 20 and url_hash(url) == url_hash(url + "#top")
    assert page_filename(url).endswith(".html") and sidecar_filename(url) == page_filename(url) + ".meta"


def test_content_type_rules() -> None:
    assert check_content_type("text/HTML; charset=utf-8", frozenset({"text/html"})) == "text/html"
    with pytest.raises(FetchRefused, match="application/pdf"):
        check_content_type("application/pdf", frozenset({"text/html"}))
    with pytest.raises(FetchRefused, match="none"):
        check_content_type(None, frozenset({"text/html"}))


def test_feed_item_urls_absolute_and_unique() -> None:
    base = "https://news.example/rss"
    assert feed_item_urls(_rss("https://news.example").encode(), base) == [
        "https://news.example/page/1.html", "https://news.example/page/2.html"]
    assert feed_item_urls(ATOM.encode(), base) == ["https://news.example/page/3.html"]
    with pytest.raises(FetchRefused):
        feed_item_urls(b"<html><body>hello</body></html>", base)


def test_load_feeds(tmp_path: Path) -> None:
    f = tmp_path / "feeds.toml"
    f.write_text('[[feed]]\nurl = "https://a.example/rss"\n\n[[feed]]\nurl = "https://b.example/atom"\n')
    assert load_feeds(f).feeds == ["https://a.example/rss", "https://b.example/atom"]
    f.write_text("[[feed]]\nname = 'no url'\n")
    with pytest.raises(SettingsError, match="url"):
        load_feeds(f)
    f.write_text("[[feed]\n")
    with pytest.raises(SettingsError, match="TOML"):
        load_feeds(f)


def test_shipped_feeds_file_parses(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "feeds.toml"
    text = shipped.read_text(encoding="utf-8")
    # Every [[feed]] table of the file is read, in order, and each is a web address.
    listed = [e["url"].strip() for e in tomllib.loads(text).get("feed", [])]
    feeds = load_feeds(shipped).feeds
    assert feeds == listed
    assert all(u.startswith(("https://", "http://")) for u in feeds), feeds
    # The example the file documents in its comments, uncommented, is a valid feeds file.
    example = [m.group(1) for m in re.finditer(r"^#\s*(\[\[feed\]\]|\w+\s*=.*)$", text, re.M)]
    assert example, "feeds.toml no longer shows an example [[feed]] table"
    (tmp_path / "example.toml").write_text("\n".join(example) + "\n")
    assert load_feeds(tmp_path / "example.toml").feeds == ["https://example.org/world/rss.xml"]


# ---------------------------------------------------------------------------------------------
# Against the local server
# ---------------------------------------------------------------------------------------------

def test_fetch_pages_with_sidecar_then_skip(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, hits = server
    dest = tmp_path / "raw" / "fetched"
    urls = [f"{base}/page/1.html", f"{base}/xhtml"]
    results = fetch_pages(urls, dest, _policy(base))
    assert [r.status for r in results] == ["fetched", "fetched"], results
    page = dest / page_filename(urls[0])
    assert page.read_text() == PAGE.replace("Tuesday", "/page/1.html")
    meta = json.loads((dest / sidecar_filename(urls[0])).read_text())
    assert meta["url"] == urls[0] and meta["final_url"] == urls[0] and meta["fetched_at"]
    assert meta["content_type"] == "text/html"
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        [page_filename(u) for u in urls] + [sidecar_filename(u) for u in urls])  # no temp files left

    again = fetch_pages(urls, dest, _policy(base))
    assert [r.status for r in again] == ["skipped", "skipped"]
    assert hits["/page/1.html"] == 1 and hits["/xhtml"] == 1


def test_fetched_pages_are_discovered_and_sidecars_are_not(server: tuple[str, Counter[str]],
                                                          tmp_path: Path) -> None:
    base, _ = server
    raw = tmp_path / "raw"
    fetch_pages([f"{base}/page/1.html"], raw / "fetched", _policy(base))
    found, skipped = discover(raw, settle_seconds=0.0)
    assert [f.rel_path for f in found] == [f"fetched/{page_filename(base + '/page/1.html')}"]
    assert all(s.rel_path.endswith(".meta") for s in skipped)


def test_feed_items_fetched(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, hits = server
    results = fetch_all([], tmp_path, feeds=[f"{base}/feed.xml", f"{base}/atom.xml"], policy=_policy(base))
    feeds = [r for r in results if r.kind == "feed"]
    pages = [r for r in results if r.kind == "page"]
    assert [(r.status, r.items) for r in feeds] == [("fetched", 2), ("fetched", 1)]
    assert sorted(r.url for r in pages) == [f"{base}/page/{i}.html" for i in (1, 2, 3)]
    assert all(r.status == "fetched" and r.feed for r in pages)
    meta = json.loads((tmp_path / sidecar_filename(f"{base}/page/3.html")).read_text())
    assert meta["feed"] == f"{base}/atom.xml"
    assert hits["/page/1.html"] == 1  # listed twice in the feed (once with a fragment), fetched once


def test_feed_content_type_and_shape_checked(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, _ = server
    results = fetch_all([], tmp_path, feeds=[f"{base}/page/1.html", f"{base}/not-a-feed.xml"],
                        policy=_policy(base))
    assert [r.status for r in results] == ["refused", "refused"]
    assert "content type text/html" in (results[0].error or "")
    assert "not an RSS or Atom feed" in (results[1].error or "")


def test_timeout_is_honoured(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, _ = server
    start = time.monotonic()
    [result] = fetch_pages([f"{base}/slow"], tmp_path, _policy(base, timeout=0.3))
    assert result.status == "failed" and "timed out" in (result.error or "")
    assert time.monotonic() - start < 2.0  # the server sleeps 3 s
    assert not list(tmp_path.iterdir())


def test_size_cap_stops_streaming(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, _ = server
    start = time.monotonic()
    urls = [f"{base}/huge", f"{base}/huge-declared"]
    results = fetch_pages(urls, tmp_path, _policy(base, max_bytes=200_000))
    assert [r.status for r in results] == ["refused", "refused"]
    assert "stopped reading" in (results[0].error or "")
    assert "over the cap" in (results[1].error or "")
    assert time.monotonic() - start < 5.0
    assert not list(tmp_path.iterdir())  # nothing partial is kept


def test_content_type_refused(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, _ = server
    results = fetch_pages([f"{base}/json", f"{base}/no-type"], tmp_path, _policy(base))
    assert [r.status for r in results] == ["refused", "refused"]
    assert "application/json" in (results[0].error or "")


def test_non_http_scheme_refused(tmp_path: Path, loopback_only: list[tuple[str, int]]) -> None:
    results = fetch_pages(["file:///etc/passwd", "ftp://example.org/x"], tmp_path, FetchPolicy())
    assert [r.status for r in results] == ["refused", "refused"]
    assert loopback_only == []


def test_redirects_followed_and_rechecked(server: tuple[str, Counter[str]], tmp_path: Path,
                                          loopback_only: list[tuple[str, int]]) -> None:
    base, hits = server
    ok, private, metadata, to_file, loop = fetch_pages(
        [f"{base}/redirect-ok", f"{base}/redirect-private", f"{base}/redirect-metadata",
         f"{base}/redirect-file", f"{base}/loop"], tmp_path, _policy(base))
    assert ok.status == "fetched" and ok.final_url == f"{base}/page/9.html"
    assert json.loads((tmp_path / sidecar_filename(ok.url)).read_text())["final_url"] == ok.final_url
    assert private.status == "refused" and "10.0.0.1" in (private.error or "")
    assert metadata.status == "refused" and "169.254.169.254" in (metadata.error or "")
    assert to_file.status == "refused" and "file" in (to_file.error or "")
    assert loop.status == "failed" and "more than 5 redirects" in (loop.error or "")
    assert hits["/redirect-private"] == 1
    # Refused before connecting: only the test server was ever connected to.
    assert {addr for addr, _ in loopback_only} == {"127.0.0.1"}


def test_loopback_refused_without_allowance(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, hits = server
    [r1, r2] = fetch_pages([f"{base}/page/1.html", base.replace("127.0.0.1", "localhost") + "/page/2.html"],
                           tmp_path, FetchPolicy(retries=0))
    assert r1.status == r2.status == "refused"
    assert "--allow-private" in (r1.error or "")
    assert sum(hits.values()) == 0


def test_peer_address_rechecked_after_connect(server: tuple[str, Counter[str]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # DNS rebinding: the pre-connect lookup says "public", the connection lands on loopback.
    base, hits = server
    monkeypatch.setattr(fetch_mod, "resolve", lambda host, port: ["93.184.216.34"])
    url = base.replace("127.0.0.1", "localhost") + "/page/1.html"
    [result] = fetch_pages([url], tmp_path, FetchPolicy(retries=0))
    assert result.status == "refused" and "127.0.0.1" in (result.error or "")
    assert sum(hits.values()) == 0  # refused after connect, before the request was sent


def test_retries_with_backoff_and_http_errors(server: tuple[str, Counter[str]], tmp_path: Path) -> None:
    base, hits = server
    flaky, gone = fetch_pages([f"{base}/flaky", f"{base}/gone"], tmp_path, _policy(base, retries=2))
    assert flaky.status == "fetched" and hits["/flaky"] == 2
    assert gone.status == "failed" and "HTTP 404" in (gone.error or "") and hits["/gone"] == 1


def test_cli_fetch(server: tuple[str, Counter[str]], tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = server
    raw = tmp_path / "raw"
    url = f"{base}/page/5.html"
    assert main(["fetch", url, "--raw", str(raw)]) == 1  # loopback refused by default
    assert "refused" in capsys.readouterr().out
    assert main(["fetch", url, "--feed", f"{base}/feed.xml", "--raw", str(raw), "--allow-private"]) == 0
    out = capsys.readouterr().out
    assert out.count("fetched") >= 3 and (raw / "fetched" / page_filename(url)).exists()
    assert main(["fetch", url, "--raw", str(raw), "--allow-private"]) == 0
    assert "skipped" in capsys.readouterr().out
    assert main(["fetch", "--raw", str(raw)]) == 2
    assert "at least one URL" in capsys.readouterr().err


@pytest.mark.integration
def test_fetch_flow_reads_feeds_file(server: tuple[str, Counter[str]], tmp_path: Path,
                                     prefect_harness: None) -> None:
    from flows.fetch import fetch_flow

    base, _ = server
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{base}/feed.xml"\n')
    options = {"timeout": 2, "retries": 0, "allow_hosts": [base.removeprefix("http://")]}
    counts = fetch_flow(urls=[f"{base}/page/7.html"], feeds_file=str(feeds), raw_dir=str(tmp_path / "raw"),
                        options=options)
    assert counts == {"fetched": 3, "skipped": 0, "refused": 0, "failed": 0, "feeds": 1}
    assert len(list((tmp_path / "raw" / "fetched").glob("*.html"))) == 3


def test_fetch_deployment_and_options() -> None:
    from flows.fetch import fetch_deployment, policy_from_options

    dep = fetch_deployment(interval=600, options={"timeout": 5})
    assert dep.name == "accords-fetch" and dep.entrypoint == "flows.fetch.fetch_flow"
    assert dep.parameters == {"options": {"timeout": 5}}
    assert policy_from_options({"allow_hosts": ["h:1"]}).allow_hosts == frozenset({"h:1"})
    with pytest.raises(SettingsError, match="unknown fetch option"):
        policy_from_options({"timeot": 5})
    with pytest.raises(SettingsError):
        fetch_deployment(cron="0 * * * *", interval=60)
