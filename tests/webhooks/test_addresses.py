"""Where webhooks may go: in production public addresses only, judged on the address a name
resolves to when the connection is made (so DNS rebinding gains nothing), not only on the URL
at registration. WEBHOOKS_ALLOW_LOCAL_ADDRESSES lifts the rule for development and tests."""

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError

from pinpublisher import guarded_http
from webhooks import sender
from webhooks.addresses import address_problem, public_address_problem, url_problem
from webhooks.models import DeliveryAttempt, EventType
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create
from webhooks.services.events import event_record


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False


@pytest.mark.parametrize(
    "address, problem",
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.5", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("169.254.10.10", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("100.64.0.1", "not a public address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_only_public_unicast_addresses_are_allowed_in_production(production, address, problem):
    assert address_problem(ipaddress.ip_address(address)) == problem


#: IPv6 addresses that carry a local IPv4 address (every embedding there is), or that are not
#: public IPv6 space themselves: each refused, saying which.
NOT_PUBLIC_IPV6 = [
    ("64:ff9b::a9fe:a9fe", "a NAT64 address of 169.254.169.254, a cloud metadata address"),
    ("64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1, a loopback address"),
    ("64:ff9b::a00:1", "a NAT64 address of 10.0.0.1, a private address"),
    ("64:ff9b:1::7f00:1", "a local-use NAT64 address, not a public address"),
    ("64:ff9b:1:5db8:d8:2200::", "a local-use NAT64 address, not a public address"),
    ("2002:a9fe:a9fe::", "a 6to4 address of 169.254.169.254, a cloud metadata address"),
    ("2002:7f00:1::1", "a 6to4 address of 127.0.0.1, a loopback address"),
    ("::127.0.0.1", "an IPv4-compatible address of 127.0.0.1, a loopback address"),
    ("::10.0.0.1", "an IPv4-compatible address of 10.0.0.1, a private address"),
    ("::93.184.216.34", "an IPv4-compatible address (deprecated), not a public address"),
    ("::ffff:0:7f00:1", "an IPv4-translated address of 127.0.0.1, a loopback address"),
    ("::ffff:0:5db8:d822", "an IPv4-translated address (deprecated), not a public address"),
    ("::ffff:169.254.169.254", "a cloud metadata address"),
    ("::ffff:192.168.0.1", "a private address"),
    ("2001:0:7f00:1::", "a Teredo address of 127.0.0.1 (its server), a loopback address"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "a Teredo address of 10.0.0.1 (its client), a private address"),
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "a Teredo address, not a public address"),
    ("fec0::1", "a site-local address (deprecated)"),
    ("feff::1", "a site-local address (deprecated)"),
    ("100::1", "not a public address"),
    ("2001:db8::1", "not a public address"),
    ("2001:10::1", "not a public address"),
    ("3fff::1", "not a public address"),
    ("5f00::1", "not a public address"),
    ("4000::1", "not a public address"),
]

PUBLIC = ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1"]


@pytest.mark.parametrize("address, problem", NOT_PUBLIC_IPV6)
def test_an_ipv4_address_inside_an_ipv6_one_is_judged_and_non_public_ipv6_is_refused(production, address, problem):
    assert address_problem(ipaddress.ip_address(address)) == problem


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_also_when_they_reach_a_public_ipv4_one_through_nat64_or_6to4(production, address):
    assert address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "address, problem",
    [
        ("192.0.0.8", "not a public address"),
        ("192.0.2.1", "not a public address"),
        ("192.88.99.1", "not a public address"),
        ("198.18.0.1", "not a public address"),
        ("240.0.0.1", "not a public address"),
        ("255.255.255.255", "not a public address"),
        ("0.1.2.3", "not a public address"),
    ],
)
def test_special_purpose_ipv4_space_is_refused(production, address, problem):
    assert address_problem(ipaddress.ip_address(address)) == problem


def test_the_rule_without_settings_is_the_production_rule():
    """What a second caller (a feed fetcher) uses: no setting can loosen it."""
    assert public_address_problem(ipaddress.ip_address("64:ff9b::7f00:1")) == (
        "a NAT64 address of 127.0.0.1, a loopback address"
    )
    assert public_address_problem(ipaddress.ip_address("2606:4700:4700::1111")) is None


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("http://hooks.example.com/in", "must start with https://"),
        ("ftp://hooks.example.com/in", "must start with https://"),
        ("https://127.0.0.1/in", "loopback"),
        ("https://[::1]:8443/in", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://10.0.0.8/in", "private"),
        ("https://localhost/in", "this machine"),
        ("https://api.localhost/in", "this machine"),
        ("https://user:pw@hooks.example.com/in", "user name or password"),
        ("https://hooks.example.com:99999/in", "not a valid URL"),
        ("https://[64:ff9b::7f00:1]/in", "NAT64 address of 127.0.0.1"),
        ("https://[fe80::1%25eth0]:8443/in", "link-local"),
        ("https://2130706433/in", "loopback"),
        ("https://0x7f.1/in", "loopback"),
        ("https://10.1/in", "private"),
    ],
)
def test_registration_refuses_what_can_be_seen_in_the_url(production, url, fragment):
    assert fragment in url_problem(url)


def test_registration_accepts_a_public_https_url(production):
    assert url_problem("https://hooks.example.com/pinpublisher?x=1") is None
    assert url_problem("https://93.184.216.34:8443/in") is None


def test_development_allows_local_addresses_and_http():
    assert url_problem("http://127.0.0.1:8000/hooks") is None
    assert address_problem(ipaddress.ip_address("10.0.0.1")) is None


@pytest.mark.django_db
def test_the_service_refuses_a_local_url_on_the_url_field(production, tenant):
    with pytest.raises(ValidationError) as err:
        endpoint_create(tenant=tenant, url="https://127.0.0.1/hooks")
    assert "url" in err.value.message_dict


def _register_then_go_to_production(settings, tenant, url):
    """An endpoint registered while allowed (or whose name pointed elsewhere then)."""
    created = endpoint_create(tenant=tenant, url=url)
    event_record(tenant_id=tenant.pk, event_type=EventType.PIN_FAILED, data={}, endpoints=[created.endpoint])
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    return created.endpoint


@pytest.mark.django_db
def test_in_production_a_hostname_that_resolves_to_127_0_0_1_is_refused_when_connecting(
    settings, tenant, receiver
):
    _register_then_go_to_production(settings, tenant, f"http://localhost:{receiver.port}/hooks")
    report = deliveries_send_due()
    assert report.failed_attempts == 1 and receiver.received == []
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("Not sent: localhost resolves to 127.0.0.1, a loopback address")


@pytest.mark.django_db
def test_dns_rebinding_a_public_name_to_loopback_after_registration_is_refused(settings, tenant, receiver,
                                                                               monkeypatch):
    endpoint = _register_then_go_to_production(settings, tenant, f"http://hooks.example.com:{receiver.port}/in")
    assert url_problem(endpoint.url.replace("http://", "https://")) is None  # nothing local in the URL
    looked_up = []

    def rebinding_dns(host, port):
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(guarded_http, "resolve", rebinding_dns)
    deliveries_send_due()
    assert looked_up == ["hooks.example.com"] and receiver.received == []
    assert "hooks.example.com resolves to 127.0.0.1, a loopback address" in DeliveryAttempt.objects.get().error


@pytest.mark.django_db
def test_a_name_with_one_public_and_one_private_answer_is_refused(settings, tenant, receiver, monkeypatch):
    _register_then_go_to_production(settings, tenant, f"http://hooks.example.com:{receiver.port}/in")
    monkeypatch.setattr(guarded_http, "resolve", lambda host, port: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
    ])
    deliveries_send_due()
    assert "10.0.0.7, a private address" in DeliveryAttempt.objects.get().error


@pytest.mark.django_db
def test_a_checked_address_is_the_one_connected_to(settings, tenant, receiver, monkeypatch):
    """The socket goes to the address that was judged, never to a second lookup."""
    _register_then_go_to_production(settings, tenant, f"http://hooks.example.com:{receiver.port}/in")
    monkeypatch.setattr(sender, "address_problem", lambda address: None)  # as if 127.0.0.1 were public
    monkeypatch.setattr(guarded_http, "resolve", lambda host, port: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
    ])
    assert deliveries_send_due().delivered == 1
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{receiver.port}"


@pytest.mark.django_db
def test_proxies_from_the_environment_are_ignored(settings, tenant, receiver, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    endpoint = endpoint_create(tenant=tenant, url=receiver.url).endpoint
    event_record(tenant_id=tenant.pk, event_type=EventType.PIN_FAILED, data={}, endpoints=[endpoint])
    assert deliveries_send_due().delivered == 1


@pytest.mark.django_db
@pytest.mark.parametrize("address, problem", NOT_PUBLIC_IPV6)
def test_a_name_resolving_to_an_ipv6_address_that_is_not_public_is_refused_when_connecting(
    settings, tenant, receiver, monkeypatch, address, problem
):
    _register_then_go_to_production(settings, tenant, f"http://hooks.example.com:{receiver.port}/in")
    monkeypatch.setattr(guarded_http, "resolve", lambda host, port: [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)),
    ])
    assert deliveries_send_due().failed_attempts == 1
    attempt = DeliveryAttempt.objects.get()
    shown = ipaddress.ip_address(address)
    assert attempt.error == (
        f"Not sent: hooks.example.com resolves to {shown}, {problem} (webhooks go to public addresses only)."
    )
    assert receiver.received == []
