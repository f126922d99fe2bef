"""Stories: which items, from whichever feeds, report the same news event.

signature.py  an item's signature, and whether two signatures are the same story
index.py      the recent stories by token, and the story each item of a batch joins
"""

from __future__ import annotations

from monitor.stories.index import StoryIndex, assign_stories
from monitor.stories.signature import (
    THRESHOLD,
    Signature,
    conflict,
    same_story,
    similarity,
    tokens,
)

__all__ = [
    "THRESHOLD",
    "Signature",
    "StoryIndex",
    "assign_stories",
    "conflict",
    "same_story",
    "similarity",
    "tokens",
]
