"""What matching and story clustering read of an item, made once per new item.

An item's searchable text (``normalize.document_text``) and its story signature
(``stories.Signature``) both start from its summary as plain text; made together, the HTML
is read once. The daemon makes them in its parser processes (``parse_in_worker`` then
``prepare_in_worker``), for the items the store does not know yet, so the process that
matches, clusters and writes does none of that work: ``prepare_all`` sends them in chunks
and makes in-process whatever a worker could not.

``Prepared`` depends on an item's title, summary and content only, so ``PreparedCache``
keeps the latest ones by those three: an item several feeds carry (a site's main feed and its
topic feeds, syndicated wires) is prepared once, not once per feed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from monitor.errors import FeedError
from monitor.model import Item
from monitor.normalize import document_text, html_to_text
from monitor.stories import Signature

log = logging.getLogger(__name__)

CHUNK_CHARS = 256 * 1024  # of title, summary and content per worker job
CHUNK_ITEMS = 200
# What PreparedCache keeps, in characters of the prepared text: a cycle's repeats of one item
# arrive within a few hundred feeds of each other, and this stays some megabytes of memory.
CACHE_CHARS = 4 * 1024 * 1024


@dataclass(frozen=True)
class Prepared:
    text: str  # document_text(item)
    signature: Signature  # Signature.of(item.title, item.summary)


PrepareInWorker = Callable[[str, Sequence[Item]], Awaitable[list[Prepared]]]


_Content = tuple[str, str, str]


def _content(item: Item) -> _Content:
    return (item.title, item.summary, item.content)


class PreparedCache:
    """The latest ``Prepared`` by item content (title, summary, content), least recently used
    dropped past ``max_chars`` of text. Keyed by the strings themselves, not a digest of them:
    a dict compares them on a hash match, so two contents never share an entry."""

    def __init__(self, max_chars: int = CACHE_CHARS) -> None:
        self.max_chars = max_chars
        self._entries: OrderedDict[_Content, Prepared] = OrderedDict()
        self._chars = 0

    def get(self, item: Item) -> Prepared | None:
        key = _content(item)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, item: Item, prepared: Prepared) -> None:
        key = _content(item)
        if key in self._entries:
            return
        self._entries[key] = prepared
        self._chars += _size(key, prepared)
        while self._chars > self.max_chars and self._entries:
            old_key, old = self._entries.popitem(last=False)
            self._chars -= _size(old_key, old)

    def __len__(self) -> int:
        return len(self._entries)


def _size(key: _Content, prepared: Prepared) -> int:
    # The key's strings are the item's, alive while it is; the cache then holds them alone.
    return len(prepared.text) + sum(map(len, key))


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
    url: str,
    items: Sequence[Item],
    in_worker: PrepareInWorker,
    cache: PreparedCache | None = None,
) -> list[Prepared]:
    """``prepare`` of each item of feed ``url``: from ``cache`` when it has the item's
    content, else made by ``in_worker`` a chunk at a time (each distinct content once), and
    kept in ``cache``. A chunk a worker could not prepare is made in this process (in a
    thread), which costs time, never an item."""
    if cache is None:
        return await _prepare_chunks(url, items, in_worker)
    found: list[Prepared | None] = [cache.get(item) for item in items]
    missing: dict[_Content, Item] = {}
    for item, hit in zip(items, found, strict=True):
        if hit is None:
            missing.setdefault(_content(item), item)
    if missing:
        made = await _prepare_chunks(url, list(missing.values()), in_worker)
        by_content = dict(zip(missing, made, strict=True))
        for item, p in zip(missing.values(), made, strict=True):
            cache.put(item, p)
        found = [hit or by_content[_content(item)] for item, hit in zip(items, found, strict=True)]
    return [p for p in found if p is not None]


async def _prepare_chunks(
    url: str, items: Sequence[Item], in_worker: PrepareInWorker
) -> list[Prepared]:
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
