"""Prefect wiring for fetching: the ``fetch`` flow (tasks per feed and per batch of pages).

Served on a schedule next to ``ingest``; the feeds come from ``feeds.toml`` at the project root
(``[[feed]]`` tables with ``url = "..."``). Pages land in ``raw/fetched/`` where the next
ingestion picks them up. Example, in a serve script::

    from prefect import serve
    from flows.fetch import fetch_deployment
    serve(ingest_deployment, fetch_deployment(interval=3600))
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact

from accords.errors import FetchFailed, SettingsError
from accords.fetch import (
    FetchPolicy,
    FetchResult,
    fetch_pages,
    fetched_dir,
    load_feeds,
    make_session,
    read_feed,
)
from accords.settings import PROJECT_ROOT, load_settings

FEEDS_FILE = PROJECT_ROOT / "feeds.toml"
FLOW_NAME = "fetch"
DEPLOYMENT_NAME = "accords-fetch"
DEFAULT_INTERVAL_SECONDS = 3600.0
# Pages per task: one task per batch keeps Prefect overhead small and lets a batch reuse a session.
BATCH_SIZE = 25


def policy_from_options(options: dict[str, Any] | None) -> FetchPolicy:
    """A FetchPolicy from a JSON-friendly dict of its fields (unknown keys are an error).

    Raises:
        SettingsError: an unknown option name.
    """
    options = dict(options or {})
    known = {f.name for f in fields(FetchPolicy)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise SettingsError(f"unknown fetch option(s): {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(known))}")
    if "allow_hosts" in options:
        options["allow_hosts"] = frozenset(options["allow_hosts"])
    return FetchPolicy(**options)


@task(name="read-feed")
def read_feed_task(feed_url: str, policy: FetchPolicy) -> tuple[FetchResult, list[str]]:
    """Fetch one feed and list its item URLs."""
    with make_session(policy) as session:
        return read_feed(feed_url, policy, session)


@task(name="fetch-pages")
def fetch_pages_task(urls: list[str], dest_dir: Path, policy: FetchPolicy,
                     feed: str | None) -> list[FetchResult]:
    """Fetch one batch of pages into dest_dir (already fetched ones are skipped)."""
    return fetch_pages(urls, dest_dir, policy, feed=feed)


@flow(name=FLOW_NAME)
def fetch_flow(urls: list[str] | None = None, feeds: list[str] | None = None, feeds_file: str | None = None,
               raw_dir: str | None = None, options: dict[str, Any] | None = None) -> dict[str, int]:
    """Fetch pages and feed items into raw/fetched/; returns counts by status.

    ``feeds_file`` (default: feeds.toml at the project root, if it exists) adds its feeds to
    ``feeds``. ``options`` holds FetchPolicy fields by name (e.g. {"timeout": 5}). The run fails
    when a feed cannot be read; pages that fail are reported in the summary artifact.
    """
    log = get_run_logger()
    policy = policy_from_options(options)
    settings = load_settings(raw_dir=Path(raw_dir) if raw_dir else None)
    dest = fetched_dir(settings.raw_dir)
    feed_list = list(feeds or [])
    path = Path(feeds_file) if feeds_file else FEEDS_FILE
    if feeds_file or path.exists():
        feed_list += [f for f in load_feeds(path).feeds if f not in feed_list]
    results: list[FetchResult] = []
    seen: set[str] = set()
    jobs: list[tuple[list[str], str | None]] = [(list(dict.fromkeys(urls or [])), None)]
    seen.update(jobs[0][0])
    for feed_url in feed_list:
        feed_result, items = read_feed_task(feed_url, policy)
        results.append(feed_result)
        log.info("feed %s: %s, %d items", feed_url, feed_result.status, feed_result.items)
        fresh = [u for u in items if u not in seen]
        seen.update(fresh)
        jobs.append((fresh, feed_url))
    for batch_urls, feed in jobs:
        for i in range(0, len(batch_urls), BATCH_SIZE):
            results += fetch_pages_task(batch_urls[i : i + BATCH_SIZE], dest, policy, feed)
    counts = summarize(results)
    create_table_artifact(
        key="fetch-summary", table=[r.as_row() for r in results if r.status != "skipped"] or [counts],
        description=f"accords fetch into {dest}: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
    )
    failed_feeds = [r for r in results if r.kind == "feed" and r.status != "fetched"]
    if failed_feeds:
        raise FetchFailed("; ".join(f"feed {r.url}: {r.error}" for r in failed_feeds))
    return counts


def summarize(results: list[FetchResult]) -> dict[str, int]:
    """Count pages by status (fetched, skipped, refused, failed) and feeds read."""
    counts = {"fetched": 0, "skipped": 0, "refused": 0, "failed": 0, "feeds": 0}
    for r in results:
        if r.kind == "feed":
            counts["feeds"] += 1
        else:
            counts[r.status] += 1
    return counts


def fetch_deployment(cron: str | None = None, interval: float | None = None, feeds_file: str | None = None,
                     raw_dir: str | None = None, options: dict[str, Any] | None = None,
                     name: str = DEPLOYMENT_NAME) -> Any:
    """The ``fetch`` flow as a deployment to pass to ``prefect.serve`` next to ``ingest``.

    One of ``cron`` or ``interval`` (seconds; default hourly). Returns a RunnerDeployment.
    """
    from prefect.types.entrypoint import EntrypointType

    if cron is not None and interval is not None:
        raise SettingsError("give a cron expression or an interval, not both")
    schedule: dict[str, Any] = {"cron": cron} if cron else {"interval": interval or DEFAULT_INTERVAL_SECONDS}
    params: dict[str, Any] = {"feeds_file": feeds_file, "raw_dir": raw_dir, "options": options}
    return fetch_flow.to_deployment(
        name=name, parameters={k: v for k, v in params.items() if v is not None}, tags=["accords"],
        description="Fetch the items of the feeds in feeds.toml into raw/fetched/.",
        entrypoint_type=EntrypointType.MODULE_PATH, **schedule,
    )
