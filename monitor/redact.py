"""The one rule for showing a URL: user info and query values hidden (see #18).

Feed URLs may carry credentials (``https://user:pass@host/feed?apikey=...``), target URLs
always do, database URLs carry a password. Every URL that reaches a log line, an error
message or command output goes through :func:`redact_url`; the log filter also applies
it to every ``http(s)://`` URL inside a message (``redact_urls_in``), so a library's own
message cannot leak one either.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

HIDDEN = "***"
# a URL inside free text: up to the first blank, quote or closing bracket
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>()\[\]{}]+", re.IGNORECASE)


def redact_url(url: str, *, keep_path: bool = True) -> str:
    """``scheme://***@host:port/path?key=***``: user info and query values hidden.

    ``keep_path=False`` hides the path too, for Apprise target URLs, which keep their
    tokens there (``mmost://chat.example.org/***``). A fragment is dropped."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    if not parts.scheme or "://" not in url:
        return "<invalid url>"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    user = f"{HIDDEN}@" if "@" in parts.netloc else ""
    if not keep_path:
        return f"{parts.scheme}://{user}{host}{port}/{HIDDEN}"
    query = ""
    if parts.query:
        keys = [pair.split("=", 1)[0] for pair in parts.query.split("&") if pair]
        query = "?" + "&".join(f"{key}={HIDDEN}" for key in keys)
    return f"{parts.scheme}://{user}{host}{port}{parts.path}{query}"


def redact_urls_in(text: str) -> str:
    """``text`` with every URL in it redacted; text without ``://`` is returned as is."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: _redact_if_needed(m.group(0)), text)


def _redact_if_needed(url: str) -> str:
    """Plain URLs (no user info, no query) stay as written, trailing punctuation included."""
    if "@" not in url and "?" not in url:
        return url
    stripped = url.rstrip(".,;:!")
    return redact_url(stripped) + url[len(stripped) :]


# Query keys whose values are credentials wherever they are (``?apikey=``, ``&token=``).
_SECRET_KEY = re.compile(r"key|token|secret|pass|auth|sig|session|cred|code", re.IGNORECASE)


def url_secrets(url: str) -> list[str]:
    """The credentials of a feed URL (user info, secret-looking query values), for the log
    filter to hide wherever they appear, even outside a URL."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    found = [parts.netloc.rsplit("@", 1)[0]] if "@" in parts.netloc else []
    found += [password] if password else []
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if value and len(value) >= 4 and _SECRET_KEY.search(key):
            found.append(value)
    return found
