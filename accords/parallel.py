"""Ordered, bounded parallel map over batches, for a process pool or Prefect task futures.

At most ``window`` batches are in flight, and results come back in submission order, so memory
stays bounded by a few batches however large raw/ is, and output order is deterministic.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class FutureLike(Protocol):
    """Anything with a blocking ``result()``: concurrent futures and Prefect futures both fit."""

    def result(self) -> Any:
        """Wait for and return the result."""


def ordered_map(submit: Callable[[Any], FutureLike], items: Iterable[Any], window: int) -> Iterator[Any]:
    """Submit ``items`` one by one, keeping at most ``window`` pending; yield results in order."""
    pending: deque[FutureLike] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= max(1, window):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool for stage work.

    spawn, not fork: the parent may hold threads (Prefect's, pyarrow's), which fork would copy
    mid-state.
    """
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"))


def process_pool_map(workers: int) -> Callable[[Callable[..., T], list[Any], Any], Iterator[T]]:
    """A ``map_batches`` for plain runs: batches in ``workers`` processes, in order.

    One batch (or one worker) runs inline: starting processes costs more than it saves.
    """

    def run(fn: Callable[..., T], chunks: list[Any], ctx: Any) -> Iterator[T]:
        if workers <= 1 or len(chunks) <= 1:
            yield from (fn(chunk, ctx) for chunk in chunks)
            return
        with spawn_pool(workers) as pool:
            yield from ordered_map(lambda chunk: pool.submit(fn, chunk, ctx), chunks, 2 * workers)

    return run
