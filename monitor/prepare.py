"""What matching and story clustering read of an item, made once per new item.

An item's searchable text (``normalize.document_text``) and its story signature
(``stories.Signature``) both start from its summary as plain text; made together, the HTML
is read once. The daemon makes them in its parser processes (``parse_in_worker`` then
``prepare_in_worker``), for the items the store does not know yet, so the process that
matches, clusters and writes does none of that work: ``prepare_all`` sends them in chunks
and makes in-process whatever a worker could not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from monitor.errors import FeedError
from monitor.model import Item
from monitor.normalize import document_text, html_to_text
from monitor.stories import Signature

log = logging.getLogger(__name__)

CHUNK_CHARS = 256 * 1024  # of title, summary and content per worker job
CHUNK_ITEMS = 200


@dataclass(frozen=True)
class Prepared:
    text: str  # document_text(item)
    signature: Signature  # Signature.of(item.title, item.summary)


PrepareInWorker = Callable[[str, Sequence[Item]], Awaitable[list[Prepared]]]


def prepare(item: Item) -> Prepared:
    summary_text = html_to_text(item.summary) if item.summary else ""
    return Prepared(
        document_text(item, summary_text=summary_text),
        Signature.of(item.title, item.summary, summary_text=summary_text),
    )


def prepare_each(items: Sequence[Item]) -> list[Prepared]:
    return [prepare(item) for item in items]


def chunks(items: Sequence[Item]) -> list[Sequence[Item]]:
    """Worker jobs of at most CHUNK_ITEMS items or about CHUNK_CHARS of text: each job has
    the worker's whole time limit, and a feed of a thousand items of dense markup would need
    most of it in one (some 20 ms an item at the size caps)."""
    found: list[Sequence[Item]] = []
    start = size = 0
    for n, item in enumerate(items):
        length = len(item.title) + len(item.summary) + len(item.content)
        if n > start and (size + length > CHUNK_CHARS or n - start >= CHUNK_ITEMS):
            found.append(items[start:n])
            start, size = n, 0
        size += length
    if start < len(items):
        found.append(items[start:])
    return found


async def prepare_all(
    url: str, items: Sequence[Item], in_worker: PrepareInWorker
) -> list[Prepared]:
    """``prepare`` of each item of feed ``url``, made by ``in_worker`` a chunk at a time; a
    chunk a worker could not prepare is made in this process (in a thread), which costs
    time, never an item."""
    prepared: list[Prepared] = []
    for chunk in chunks(items):
        try:
            prepared += await in_worker(url, chunk)
            continue
        except Exception as exc:  # noqa: BLE001 -- any failure of the pool: prepare here
            reason = exc.detail if isinstance(exc, FeedError) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "items prepared in-process url=%s items=%d reason=%s",
            url,
            len(chunk),
            reason,
            extra={"feed_url": url},
        )
        prepared += await asyncio.to_thread(prepare_each, chunk)
    return prepared
