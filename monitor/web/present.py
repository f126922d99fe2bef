"""How stored values are shown: secrets out, evidence marked, delivery states in words.

Every function returns plain text or ``Markup`` built from escaped pieces: item text is
never trusted (a feed may put ``<script>`` in a title), so only our own tags reach the page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from markupsafe import Markup, escape

from monitor import logs
from monitor.fetcher.policy import redact
from monitor.normalize import normalize

# Query parameters that carry credentials in feed URLs (?token=..., ?api_key=...).
_SECRET_PARAM = re.compile(r"token|key|secret|pass|auth|sig|session|sid|code", re.IGNORECASE)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_CUE_KINDS = frozenset(
    {"release", "event", "schedule", "develop", "upcoming", "rumor", "cancel", "feature"}
)
_HEDGE_KINDS = frozenset({"hedge", "source"})


@lru_cache(maxsize=8192)  # the feeds page shows a thousand of them at every view
def safe_url(url: str | None) -> str:
    """A feed or item URL without its ``user:pass@`` part and secret-looking query values."""
    if not url:
        return ""
    url = redact(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if not parts.query:
        return url
    query = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


@lru_cache(maxsize=8192)
def label(text: str | None) -> str:
    """A feed's label, which is its URL when it has no name: credentials out then."""
    if not text:
        return ""
    return safe_url(text) if "://" in text else text


def link_href(url: str | None) -> str | None:
    """``url`` if it may be a link target (http or https only: no ``javascript:``)."""
    if not url:
        return None
    clean = safe_url(url)
    return clean if urlsplit(clean).scheme in ("http", "https") else None


def scrub(text: str | None) -> str:
    """An error message without the secrets the log filter knows, nor URL credentials."""
    if not text:
        return ""
    return _USERINFO.sub("***@", logs.SECRETS.scrub(text))


def when(value: datetime | None, now: datetime | None = None) -> str:
    """``2025-08-07 17:00`` in UTC; '-' for nothing."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def ago(seconds: float) -> str:
    """A duration in the largest unit that fits: '42 s', '7 min', '3 h', '2 d'."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def seconds(value: float) -> str:
    """'42 ms' below a second, '3.4 s' above."""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def delivery_state(
    state: str,
    *,
    attempts: int,
    digest: bool,
    next_attempt_at: datetime | None,
    delivered_at: datetime | None,
    last_error: str | None,
) -> tuple[str, str]:
    """(css class, words) for one delivery: delivered, pending, retrying with its next
    attempt, held for the digest, or given up with the reason."""
    if state == "delivered":
        return "ok", f"delivered {when(delivered_at)}"
    if state == "failed":
        return "bad", f"given up after {attempts} attempts: {scrub(last_error) or 'no reason'}"
    if digest:
        return "held", f"held for digest until {when(next_attempt_at)}"
    if attempts:
        reason = f" ({scrub(last_error)})" if last_error else ""
        return "retry", f"retrying, attempt {attempts} failed{reason}; next {when(next_attempt_at)}"
    return "held", "pending"


def mark_evidence(evidence: str, term: str, rumored: bool) -> Markup:
    """The evidence with the matched term and the deciding cues in ``<mark>``, the rest
    escaped. Cues are found by the classifier's own lexicon; the hedge too when rumored."""
    spans: list[tuple[int, int, str]] = []
    found = _find_term(evidence, term)
    if found is not None:
        spans.append((*found, "term"))
    lowered = evidence.lower()
    if len(lowered) == len(evidence):  # the lexicon's spans index the lower-cased text
        from monitor.signals.cues import LEXICON

        kinds = _CUE_KINDS | (_HEDGE_KINDS if rumored else frozenset())
        for hit in LEXICON.find(lowered, evidence):
            if hit.kind in kinds:
                spans.append((hit.start, hit.end, "hedge" if hit.kind in _HEDGE_KINDS else "cue"))
    out: list[str] = []
    at = 0
    for start, end, kind in sorted(spans):
        if start < at:
            continue  # overlaps a span already marked
        out.append(str(escape(evidence[at:start])))
        out.append(f'<mark class="{kind}">{escape(evidence[start:end])}</mark>')
        at = end
    out.append(str(escape(evidence[at:])))
    return Markup("".join(out))


def _find_term(evidence: str, term: str) -> tuple[int, int] | None:
    """Where ``term`` sits in the evidence: as written, else in any case, else after the
    matcher's normalisation (a U+2011 hyphen in the text) when that keeps the length."""
    if not term:
        return None
    at = evidence.find(term)
    if at < 0:
        at = evidence.casefold().find(term.casefold())
        if len(evidence.casefold()) != len(evidence):
            at = -1
    if at < 0:
        folded = normalize(evidence)
        if len(folded) == len(evidence):
            at = folded.casefold().find(normalize(term).casefold())
    return (at, at + len(term)) if at >= 0 else None
