"""One spelling per address, so the same post reached by two links is one article."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Tracking parameters feeds append (``utm_*`` from Google Analytics, and their kin).
TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "source"})


def canonical(url: str) -> str:
    """``url`` with its scheme and host in lower case, without the default port, the fragment or
    tracking parameters. A URL that cannot be split is returned as it is."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    scheme = parts.scheme.lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if not name.lower().startswith(TRACKING_PREFIXES) and name.lower() not in TRACKING_NAMES]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))
