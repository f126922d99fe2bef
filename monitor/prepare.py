"""What matching and story clustering read of an item, made once per new item.

An item's searchable text (``normalize.document_text``) and its story signature
(``stories.Signature``) both start from its summary as plain text; made together, the HTML
is read once. The daemon makes them in its parser processes (``parse_in_worker`` then
``prepare_in_worker``), for the items the store does not know yet, so the process that
matches, clusters and writes does none of that work.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Item
from monitor.normalize import document_text, html_to_text
from monitor.stories import Signature


@dataclass(frozen=True)
class Prepared:
    text: str  # document_text(item)
    signature: Signature  # Signature.of(item.title, item.summary)


def prepare(item: Item) -> Prepared:
    summary_text = html_to_text(item.summary) if item.summary else ""
    return Prepared(
        document_text(item, summary_text=summary_text),
        Signature.of(item.title, item.summary, summary_text=summary_text),
    )
