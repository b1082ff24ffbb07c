"""One unit of work for the runner and the flow's tasks: a batch of files or pieces of a .jsonl.

``pipeline`` processes whole files and ``pieces`` the pieces of a large .jsonl (it builds on
``pipeline``); this module picks the one an item list needs, so neither imports the other back.
"""

from __future__ import annotations

from typing import Any

from accords.pieces import process_pieces
from accords.pipeline import BatchContext, BatchOutput, process_batch


def process_work(items: list[Any], ctx: BatchContext) -> BatchOutput:
    """Process one batch: (file, previous state) pairs, or pieces of large .jsonl files."""
    if items and not isinstance(items[0], tuple):
        return process_pieces(items, ctx)
    return process_batch(items, ctx)
