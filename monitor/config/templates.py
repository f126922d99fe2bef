"""The templates the config may override, with their defaults: message templates
(``[templates]`` and per target) and search feed URL templates (``[search]``).

They sit below the settings, which check them, and the stages that fill them
(``monitor.delivery.messages``, ``monitor.feeds``).
"""

from __future__ import annotations

import string

# Search feed URL templates by source name. ``{query}`` receives the watch's plain terms,
# quoted and OR-ed; a template with ``{term}`` instead yields one URL per term, for
# engines without OR. The config may add or override entries.
DEFAULT_SEARCH_TEMPLATES: dict[str, str] = {
    "google_news": "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en",
    "hn": "https://hnrss.org/newest?q={query}",
    "reddit": "https://www.reddit.com/search.rss?q={query}&sort=new",
}

# Message template fields, by name, with what each holds.
FIELDS = {
    "watch": "the watch's name",
    "news": "the news in words: 'rumored date 2024-05-16', 'date moved from … to …'",
    "headline": "watch and news: 'MAI-1: rumored date 2024-05-16'",
    "title": "the article's headline",
    "evidence": "the sentence that gave the signal",
    "term": "the text that matched",
    "signal": "released, dated, rumor or mention",
    "dates": "the dates claimed, comma-separated",
    "source": "the feed of the quoted item",
    "link": "the article's link (http/https only)",
    "sources": "every source of the story, one per line",
    "timeline": "dates claimed for the watch so far, one per line",
    "created": "when the alert was raised (ISO 8601)",
}

TEMPLATE_KEYS = ("chat_title", "chat", "email_subject", "email")

DEFAULT_TEMPLATES = {
    "chat_title": "$headline",
    "chat": "**$headline**\n$title\n> $evidence\n$source · $link",
    "email_subject": "[$watch] $news",
    "email": (
        "$headline\n\n$title\n$link\n\n"
        "Why: matched “$term” in:\n  “$evidence”\n\n"
        "Sources:\n$sources\n\n"
        "$watch so far:\n$timeline\n"
    ),
}


def check_template(text: str) -> str | None:
    """None when ``text`` is a valid template of known fields, else what is wrong."""
    template = string.Template(text)
    if not template.is_valid():
        return "a template with $field or ${field} placeholders ($$ for a dollar sign)"
    unknown = sorted(set(template.get_identifiers()) - set(FIELDS))
    if unknown:
        return f"known fields only ({', '.join(sorted(FIELDS))}); unknown: {', '.join(unknown)}"
    return None
