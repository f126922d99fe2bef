"""The story index: which stored story a new item joins.

An in-memory inverted index over the signatures of the stories created within the story
window (default 72 h), bounded in size; an item is compared only with (at most 16) stories
that share one of its rarest tokens, never with every stored item. The database keeps each
story's signature (``story.signature``), so any process rebuilds the index with one query and
catches up with stories other instances created (``monitor.store.story_index``).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from operator import itemgetter

from monitor.stories.signature import THRESHOLD, Signature, similarity

CANDIDATE_TOKENS = 6  # the rarest tokens of an item used to find candidate stories
MAX_POSTING = 256  # a token filed under more stories than this is too common to find any
MAX_STORIES = 50_000  # stories kept in an index, oldest dropped first


@dataclass
class _Entry:
    signature: Signature
    created_at: datetime


class StoryIndex:
    """Recent stories by token: candidates for an item are the stories sharing one of its
    :data:`CANDIDATE_TOKENS` rarest tokens, created within ``window``. Not thread-safe:
    its owner serialises access."""

    def __init__(self, window: timedelta, max_stories: int = MAX_STORIES) -> None:
        self.window = window
        self.max_stories = max_stories
        self._stories: OrderedDict[int, _Entry] = OrderedDict()  # oldest first
        self._postings: dict[str, set[int]] = {}
        # Bumped by every change, so that look-ups made earlier can tell whether they still
        # hold (see assign_stories and monitor.store.story_index.StoryPlan).
        self.version = 0

    def __len__(self) -> int:
        return len(self._stories)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._stories

    def add(self, story_id: int, signature: Signature, created_at: datetime) -> None:
        if story_id in self._stories:
            return
        self.version += 1
        self._stories[story_id] = _Entry(signature, created_at)
        postings = self._postings
        for key in signature.keys:
            posting = postings.get(key)
            if posting is None:
                postings[key] = {story_id}
            else:
                posting.add(story_id)
        while len(self._stories) > self.max_stories:
            self._drop(next(iter(self._stories)))

    def discard(self, story_ids: Iterable[int]) -> None:
        for story_id in story_ids:
            if story_id in self._stories:
                self._drop(story_id)

    def expire(self, now: datetime) -> None:
        """Drop stories older than the window (the index keeps creation order)."""
        cutoff = now - self.window
        while self._stories:
            oldest = next(iter(self._stories))
            if self._stories[oldest].created_at >= cutoff:
                break
            self._drop(oldest)

    def _drop(self, story_id: int) -> None:
        self.version += 1
        entry = self._stories.pop(story_id)
        for key in entry.signature.keys:
            posting = self._postings.get(key)
            if posting is not None:
                posting.discard(story_id)
                if not posting:
                    del self._postings[key]

    def find(self, signature: Signature, now: datetime) -> int | None:
        """The best matching story within the window, or None."""
        cutoff = now - self.window
        postings = self._postings
        # The rarest keys first (a stable sort: ties keep their order); a key filed under more
        # than MAX_POSTING stories is too common to count, and being the largest it would
        # only have been dropped from the CANDIDATE_TOKENS rarest afterwards.
        sized = [
            (len(posting), key)
            for key in signature.keys
            if (posting := postings.get(key)) and len(posting) <= MAX_POSTING
        ]
        sized.sort(key=itemgetter(0))
        counts = Counter(chain.from_iterable(postings[key] for _, key in sized[:CANDIDATE_TOKENS]))
        names, event = signature.names, signature.event
        stories = self._stories
        best: tuple[float, int] | None = None
        # counts.most_common(16), sorted in C: the same order, ties as first counted
        for story_id in sorted(counts, key=counts.__getitem__, reverse=True)[:16]:
            entry = stories[story_id]
            other = entry.signature
            if entry.created_at < cutoff:
                continue
            # conflict(signature, other), inlined: this loop is the hot path of inserts
            if names and other.names and names.isdisjoint(other.names):
                continue
            if event and other.event and event != other.event:
                continue
            score = similarity(signature, other)
            if score >= THRESHOLD and (best is None or score > best[0]):
                best = (score, story_id)
        return best[1] if best else None


def assign_stories(
    signatures: Sequence[Signature],
    linked: Sequence[int | None],
    index: StoryIndex,
    now: datetime,
) -> list[int]:
    """The story of each item of a batch, in order: ``linked[n]`` when given (the story of
    an item with the same link), else the most similar of the stories that earlier items of
    the batch start and those of ``index``; else the item starts one. Started stories get
    provisional ids -1, -2, … in order. Reads ``index``, never changes it, so the answer
    holds as long as ``index.version`` does."""
    batch = StoryIndex(index.window)
    chosen: list[int] = []
    for signature, story_id in zip(signatures, linked, strict=True):
        if story_id is None:
            story_id = batch.find(signature, now) or index.find(signature, now)
        if story_id is None:
            story_id = -len(batch) - 1
            batch.add(story_id, signature, now)
        chosen.append(story_id)
    return chosen


__all__ = ["StoryIndex", "assign_stories"]
