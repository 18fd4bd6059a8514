"""Who may read ``/metrics``: a scraper with the bearer ``METRICS_TOKEN``, one calling from an
address in ``METRICS_ALLOWED_NETWORKS`` (CIDRs: an internal network), or, with both set, one that
is both. With neither, ``/metrics`` is off (404).

The caller's address is the one the login throttling counts by (``accounts.client_ip``): the
peer's, or behind ``LOGIN_PROXY_COUNT`` proxies the one the outermost of ours saw. Never the
left-most ``X-Forwarded-For`` entry, which a client writes itself; and behind a proxy without that
setting every caller would have the proxy's (internal) address, so the setting must be right
before a network is allowed (README, "Metrics, health and logs").
"""

import hmac
import ipaddress
from enum import Enum

from django.http import HttpRequest

from accounts.client_ip import client_ip
from ops.conf import ops_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Access(Enum):
    OFF = "off"
    ALLOWED = "allowed"
    NO_TOKEN = "no_token"
    OUTSIDE = "outside"


def allowed_networks() -> list[Network]:
    """The parsed ``METRICS_ALLOWED_NETWORKS``; raises ``ValueError`` naming an entry that is not a
    network (``ops.E002`` says so at start-up)."""
    networks = []
    for entry in ops_settings.METRICS_ALLOWED_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError as err:
            raise ValueError(f"METRICS_ALLOWED_NETWORKS: {entry!r} is not a network ({err})") from err
    return networks


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _inside(request: HttpRequest, networks: list[Network]) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_access(request: HttpRequest) -> Access:
    token, networks = ops_settings.METRICS_TOKEN, allowed_networks()
    if not token and not networks:
        return Access.OFF
    if networks and not _inside(request, networks):
        return Access.OUTSIDE
    if token and not _bearer_matches(request, token):
        return Access.NO_TOKEN
    return Access.ALLOWED
