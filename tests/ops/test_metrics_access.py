"""Who may read /metrics: the bearer token, an allowed network (by the caller's address as the
login throttling reads it), or both; neither set is off."""

import pytest

from ops.checks import metrics_networks_check, metrics_token_check

TOKEN = "metrics-access-token-0123456789"
pytestmark = pytest.mark.django_db


def get(client, remote="10.1.2.3", token=None, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.get("/metrics", **headers).status_code


@pytest.fixture
def internal_only(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8", "192.168.1.5"]


def test_an_allowed_network_reads_metrics_without_a_token(client, internal_only):
    assert get(client, remote="10.1.2.3") == 200
    assert get(client, remote="192.168.1.5") == 200
    assert get(client, remote="fd00::17") == 200


def test_a_caller_outside_the_allowed_networks_is_refused_with_403(client, internal_only):
    assert get(client, remote="203.0.113.9") == 403
    assert get(client, remote="192.168.1.6") == 403
    assert get(client, remote="not-an-address") == 403


def test_behind_a_proxy_the_address_is_the_one_the_outermost_proxy_saw_never_the_clients_own_claim(
    client, internal_only, settings
):
    settings.LOGIN_PROXY_COUNT = 1
    # The proxy (10.0.0.2, allowed) forwards an outside caller that claims an internal address first.
    assert get(client, remote="10.0.0.2", forwarded="10.9.9.9, 203.0.113.9") == 403
    assert get(client, remote="10.0.0.2", forwarded="203.0.113.9, 10.4.4.4") == 200
    settings.LOGIN_PROXY_COUNT = 0  # without the setting the proxy's own address is the caller's
    assert get(client, remote="203.0.113.9", forwarded="10.4.4.4") == 403


def test_with_a_token_and_networks_both_are_required(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = TOKEN, ["10.0.0.0/8"]
    assert get(client, remote="10.1.2.3", token=TOKEN) == 200
    assert get(client, remote="10.1.2.3") == 401
    assert get(client, remote="10.1.2.3", token="wrong") == 401
    assert get(client, remote="203.0.113.9", token=TOKEN) == 403


def test_the_token_alone_still_serves_any_address(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = TOKEN, []
    assert get(client, remote="203.0.113.9", token=TOKEN) == 200
    assert get(client, remote="10.1.2.3") == 401


def test_neither_a_token_nor_networks_is_off_and_warned_in_production(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = False, "", []
    assert get(client, remote="127.0.0.1") == 404
    assert [m.id for m in metrics_token_check()] == ["ops.W001"]
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert metrics_token_check() == []


def test_a_network_that_is_not_one_fails_the_checks_naming_it(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "10.0.0.0/33"]
    (error,) = metrics_networks_check()
    assert error.id == "ops.E002" and "10.0.0.0/33" in error.msg
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert metrics_networks_check() == []
