"""Where a webhook may be delivered: public https addresses only, unless local addresses are
allowed (``WEBHOOKS_ALLOW_LOCAL_ADDRESSES``, development and tests).

A URL is checked when an endpoint is registered (``url_problem``: the scheme, and a host that
is an address or a local name), and every connection is checked again when it is made, on
the address the host resolved to (``address_problem``, called by ``webhooks.sender``): a
hostname whose DNS answer changes to 127.0.0.1 after registration (DNS rebinding) is refused
then. Without this, a tenant could make pinpublisher POST into its own network or read a
cloud metadata service.
"""

import ipaddress
from urllib.parse import urlsplit

from webhooks.conf import webhooks_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services (AWS, GCP, Azure, OpenStack; AWS's IPv6 one; Alibaba). Every one is
#: also private, link-local or shared address space; named so the refusal says what it is.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address) for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def local_allowed() -> bool:
    return bool(webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES)


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` may not be delivered to (``"a loopback address"``), or None when it may.

    Only globally routable unicast addresses may; an IPv4 address written as IPv6
    (``::ffff:127.0.0.1``) is judged as the IPv4 address it is.
    """
    if local_allowed():
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint, or None. No DNS lookup here: names are checked on
    the address they resolve to when a delivery connects."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return "This is not a valid URL."
    allowed_schemes = ("https", "http") if local_allowed() else ("https",)
    if parts.scheme not in allowed_schemes:
        return "The URL must start with https://."
    if not host:
        return "The URL has no host."
    if parts.username is not None or parts.password is not None:
        return "The URL must not contain a user name or password; the signature authenticates the request."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        problem = address_problem(address)
        return f"{host} is {problem}; webhooks go to public addresses only." if problem else None
    name = host.rstrip(".").lower()
    if not local_allowed() and (name in LOCAL_NAMES or name.endswith(".localhost")):
        return f"{host} is this machine; webhooks go to public addresses only."
    return None
