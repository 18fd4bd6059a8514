"""Which addresses a URL a user gave may reach: public unicast addresses only, unless the caller
allows local ones (development and tests). One rule for every fetch of such a URL: webhooks'
POSTs (``webhooks.addresses`` binds it to their setting) and feeds' GETs (``feeds.fetcher``).

A URL is checked when it is given (``url_problem``: the scheme, and a host that is an address
or a local name), and every connection is checked again when it is made, on the address the
host resolved to (``public_address_problem``, called by ``pinpublisher.guarded_http``): a
hostname whose DNS answer changes to 127.0.0.1 later (DNS rebinding) is refused then. Without
this, a tenant could make pinpublisher reach into its own network or read a cloud metadata service.

Pure: no settings, no DNS, no models; the caller says whether local addresses are allowed. An IPv6 address that
carries an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by the
IPv4 address inside, since that is where the packets end up; IPv6 outside public unicast
space (site-local, documentation, local-use NAT64, ...) is refused outright.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services (AWS, GCP, Azure, OpenStack; AWS's IPv6 one; Alibaba). Every one is
#: also private, link-local or shared address space; named so the refusal says what it is.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address) for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def _networks(*cidrs: str) -> tuple:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# Written out from IANA's special-purpose address registries rather than left to
# ``ipaddress.is_global``/``is_private``, whose lists differ between Python releases.
PRIVATE_NETWORKS = _networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
#: IPv4 space that is not globally reachable and has no name of its own below: "this network",
#: shared (carrier-grade NAT), IETF protocol assignments, documentation, the 6to4 relay anycast,
#: benchmarking, reserved and broadcast.
NOT_GLOBAL_IPV4 = _networks(
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
)
#: Public IPv6 unicast is allocated from 2000::/3 only; inside it, these are not globally
#: reachable: IETF protocol assignments (Teredo among them), documentation (both blocks).
GLOBAL_UNICAST_IPV6 = ipaddress.ip_network("2000::/3")
NOT_GLOBAL_IPV6 = _networks("2001::/23", "2001:db8::/32", "3fff::/20")
SITE_LOCAL_IPV6 = ipaddress.ip_network("fec0::/10")  # deprecated by RFC 3879, still routed by some stacks
#: RFC 8215: NAT64 inside one operator's network, with its own prefix length (so the IPv4
#: address may sit at any of RFC 6052's positions): refused whatever it carries.
LOCAL_USE_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _low_32_bits(value: int) -> list[tuple[ipaddress.IPv4Address, str]]:
    return [(ipaddress.IPv4Address(value & 0xFFFFFFFF), "")]


def _six_to_four(value: int) -> list[tuple[ipaddress.IPv4Address, str]]:
    return [(ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF), "")]


def _teredo(value: int) -> list[tuple[ipaddress.IPv4Address, str]]:
    # RFC 4380: the server's address in bits 32-63, the client's in the last 32 with every bit inverted.
    return [(ipaddress.IPv4Address((value >> 64) & 0xFFFFFFFF), " (its server)"),
            (ipaddress.IPv4Address(~value & 0xFFFFFFFF), " (its client)")]


#: Every standard way an IPv6 address carries an IPv4 one (RFC 4291, RFC 2765, RFC 6052,
#: RFC 3056, RFC 4380): the prefix, its name, where the IPv4 addresses are, and why it is
#: refused even when they are public (None: it reaches them over public routes, so it may go).
EMBEDDINGS = (
    (ipaddress.ip_network("::ffff:0:0/96"), "an IPv4-mapped address", _low_32_bits, None),
    (ipaddress.ip_network("::ffff:0:0:0/96"), "an IPv4-translated address", _low_32_bits,
     "an IPv4-translated address (deprecated), not a public address"),
    (ipaddress.ip_network("::/96"), "an IPv4-compatible address", _low_32_bits,
     "an IPv4-compatible address (deprecated), not a public address"),
    (ipaddress.ip_network("64:ff9b::/96"), "a NAT64 address", _low_32_bits, None),
    (ipaddress.ip_network("2002::/16"), "a 6to4 address", _six_to_four, None),
    (ipaddress.ip_network("2001::/32"), "a Teredo address", _teredo, "a Teredo address, not a public address"),
)
IPV4_MAPPED = EMBEDDINGS[0][0]


def _ipv4_problem(address: ipaddress.IPv4Address) -> str | None:
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
    if any(address in network for network in PRIVATE_NETWORKS):
        return "a private address"
    if any(address in network for network in NOT_GLOBAL_IPV4) or not address.is_global:
        return "not a public address"
    return None


def _ipv6_problem(address: ipaddress.IPv6Address) -> str | None:
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address in LOCAL_USE_NAT64:
        return "a local-use NAT64 address, not a public address"
    for network, how, carried, refused in EMBEDDINGS:
        if address not in network:
            continue
        for ipv4, role in carried(int(address)):
            problem = _ipv4_problem(ipv4)
            if problem:
                # A mapped address is the IPv4 address itself, written as IPv6.
                return problem if network == IPV4_MAPPED else f"{how} of {ipv4}{role}, {problem}"
        return refused
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if any(address in network for network in PRIVATE_NETWORKS):
        return "a private address"
    if address in SITE_LOCAL_IPV6:
        return "a site-local address (deprecated)"
    if (address not in GLOBAL_UNICAST_IPV6 or any(address in network for network in NOT_GLOBAL_IPV6)
            or not address.is_global):
        return "not a public address"
    return None


def public_address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address anything may be sent to (``"a
    loopback address"``), or None when it is. Pure: no setting loosens it."""
    if isinstance(address, ipaddress.IPv6Address):
        return _ipv6_problem(ipaddress.IPv6Address(int(address)))  # without a %zone
    return _ipv4_problem(address)


def address_problem(address: IPAddress, *, allow_local: bool) -> str | None:
    """Why ``address`` may not be reached, or None when it may: ``public_address_problem``,
    unless ``allow_local`` allows every address."""
    return None if allow_local else public_address_problem(address)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names by itself, without DNS: an IPv6 literal (its %zone
    dropped) or an IPv4 one in any form the resolver accepts (``2130706433``, ``0x7f.1``, ``10.1``)."""
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def url_problem(url: str, *, allow_local: bool, purpose: str, allow_http: bool = False) -> str | None:
    """Why ``url`` may not be fetched, or None. No DNS lookup here: names are checked on the
    address they resolve to when a connection is made. ``purpose`` ends the refusals of a local
    host: ``"webhooks go to public addresses only"``. Plain http is allowed with local addresses, or
    when ``allow_http`` says so (a feed has no secret to protect; a webhook carries a signature)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in (("https", "http") if allow_local or allow_http else ("https",)):
        return "The URL must start with http:// or https://." if allow_http else "The URL must start with https://."
    if not host:
        return "The URL has no host."
    if parts.username is not None or parts.password is not None:
        return "The URL must not contain a user name or password."
    address = literal_address(host)
    if address is not None:
        problem = address_problem(address, allow_local=allow_local)
        return f"{host} is {problem}; {purpose}." if problem else None
    name = host.rstrip(".").lower()
    if not allow_local and (name in LOCAL_NAMES or name.endswith(".localhost")):
        return f"{host} is this machine; {purpose}."
    return None
