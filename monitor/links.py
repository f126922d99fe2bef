"""Canonical article URLs, so one story carried by several feeds dedupes to one key.

Rules, applied in this order:

1. Scheme and host are lower-cased; the default port (80 for http, 443 for https) and any
   ``user:pass@`` are dropped; ``www.``, ``m.``, ``mobile.`` and ``amp.`` host prefixes go.
2. AMP variants collapse to the article: an ``/amp/`` path segment, a trailing ``/amp``
   or ``.amp``, and the ``amp=1`` / ``outputType=amp`` query parameters.
3. The fragment and a trailing slash go (the root path stays ``/``).
4. Tracking parameters go (``utm_*``, ``fbclid``, ``gclid``, ``ref`` ...); the rest are
   sorted, so parameter order does not split a story.

The result is a key for comparison, not a URL to fetch: it may not resolve.
``without_tracking`` applies rule 4 alone, to the links that alerts show: it keeps a URL
that resolves, only shorter.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Exact names of parameters that only say where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "igshid",
        "igsh",
        "cmpid",
        "ocid",
        "taid",
        "smid",
        "smtyp",
        "_hsenc",
        "_hsmi",
        "__twitter_impression",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "soc_src",
        "soc_trk",
        "spm",
        "at_medium",
        "at_campaign",
        "xtor",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "s_cid",
        "sr_share",
        "feature",
    }
)
# Prefixes of parameter names that only track (utm_source, utm_medium, pk_campaign ...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "at_", "ga_")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _is_amp_param(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered == "amp":
        return value.lower() in ("", "1", "true", "yes")
    return lowered == "outputtype" and value.lower() == "amp"


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            # Keep at least "name.tld": "m.co" is a site, not a mobile prefix.
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                changed = True
    return host


def _canonical_path(path: str) -> str:
    segments = [s for s in path.split("/") if s.lower() != "amp"]
    path = "/".join(segments)
    while "//" in path:
        path = path.replace("//", "/")
    if path.lower().endswith(".amp"):
        path = path[: -len(".amp")]
    if path.lower().endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    path = path.rstrip("/")
    return path or "/"


def canonical_url(url: str) -> str:
    """The comparison key of an article URL; a string that is not an absolute URL is returned trimmed."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return url
    host = _canonical_host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name) and not _is_amp_param(name, value)
    )
    return urlunsplit((scheme, host, _canonical_path(parts.path), urlencode(query), ""))


def without_tracking(url: str) -> str:
    """``url`` without its tracking parameters (rule 4), everything else as written."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parts.query.split("&")
    kept = [pair for pair in pairs if not _is_tracking(pair.split("=", 1)[0])]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))
