"""A connection's health, visible: the API's fields and filter, the admin's column, filter and
change page, the admin index's "Connection health" block; the SQL (selectors) and the model
method agree on every value, and no token is ever shown."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pinterest.models import Health, PinterestConnection
from pinterest.selectors import connection_health_filter, connections_needing_a_person_filter
from tests.factories import make_connection, make_tenant, make_user

pytestmark = pytest.mark.django_db

SECRET_MARK = "_secret"  # every factory token contains it
NO_REFRESH_TOKEN = "Expiry unknown: add a refresh token or connect with OAuth to keep it alive."


def make_connection_of(health, tenant, now=None, **fields):
    """A connection whose health is ``health``, named after it."""
    now = now or timezone.now()
    by_health = {
        Health.OK: {"access_token_expires_at": now + timedelta(days=20)},
        Health.REFRESH_FAILING: {
            "access_token_expires_at": now + timedelta(days=2, hours=1),
            "refresh_failing_since": now - timedelta(hours=30),
            "refresh_failures": 4,
            "next_refresh_at": now + timedelta(minutes=10),
            "last_error": "Pinterest is unavailable (503)",
            "last_error_at": now - timedelta(minutes=5),
        },
        Health.NEEDS_RECONNECT: {
            "is_active": False,
            "last_error": "Pinterest rejected the token (401): reconnect the account.",
            "last_error_at": now - timedelta(hours=1),
        },
        Health.SPAM_BLOCKED: {
            "access_token_expires_at": now + timedelta(days=20),
            "spam_blocked_at": now - timedelta(hours=1),
            "spam_blocked_until": now + timedelta(hours=23),
        },
        # A hand-added token: no expiry, no refresh token.
        Health.EXPIRY_UNKNOWN: {"access_token_expires_at": None, "refresh_token": ""},
    }
    return make_connection(tenant=tenant, **{"username": f"health_{health}", **by_health[health], **fields})


@pytest.fixture
def one_of_each(tenant):
    return {health: make_connection_of(health, tenant) for health in Health.values}


# --- the SQL and the model method agree --------------------------------------------------------


def test_health_filters_and_the_model_method_agree_for_every_value_and_edge(tenant):
    now = timezone.now()
    for health in Health.values:
        make_connection_of(health, tenant, now)
    # The edges of the method's order and of its time comparisons (a block always has its start:
    # the model's detail formats both).
    blocked_at = {"spam_blocked_at": now - timedelta(hours=2)}
    edges = [
        {"is_active": False, "spam_blocked_until": now + timedelta(hours=1), "refresh_failing_since": now},
        {"spam_blocked_until": now - timedelta(seconds=1), "refresh_failing_since": now},  # block ended
        {"spam_blocked_until": now, "access_token_expires_at": now},  # ends exactly now: not blocked
        {"spam_blocked_until": now + timedelta(hours=1), "refresh_failing_since": now - timedelta(days=3)},
        {"refresh_failing_since": now - timedelta(hours=1), "access_token_expires_at": None},  # failing < a day
        {"refresh_failing_since": now - timedelta(days=2), "access_token_expires_at": now - timedelta(hours=1)},
        {"access_token_expires_at": None},  # with a refresh token: expiry unknown until the first refresh
        {"access_token_expires_at": now - timedelta(days=1)},
    ]
    for fields in edges:
        make_connection(tenant=tenant, **blocked_at, **fields)
    connections = list(PinterestConnection.objects.all())
    for health in Health.values:
        by_sql = set(PinterestConnection.objects.filter(connection_health_filter(health=health, now=now))
                     .values_list("pk", flat=True))
        by_method = {c.pk for c in connections if c.health(now=now)[0] == health}
        assert by_sql == by_method, health
        assert by_method, f"no connection of health {health} was tried"
    needing_by_sql = set(PinterestConnection.objects.filter(connections_needing_a_person_filter(now=now))
                         .values_list("pk", flat=True))
    assert needing_by_sql == {c.pk for c in connections if c.needs_a_person(now=now)}


# --- API ---------------------------------------------------------------------------------------


def test_api_shows_each_connections_health_its_detail_and_timestamps_never_a_token(tenant_api, one_of_each):
    for health, connection in one_of_each.items():
        response = tenant_api.get(f"/api/connections/{connection.pk}/")
        assert response.status_code == 200
        body = response.json()
        assert body["health"] == health
        assert body["health_detail"] == connection.health()[1]
        assert {"last_error_at", "refresh_failing_since", "next_refresh_at", "spam_blocked_until"} <= set(body)
        assert SECRET_MARK not in response.content.decode()
        assert not {"access_token", "refresh_token"} & set(body)

    failing = tenant_api.get(f"/api/connections/{one_of_each[Health.REFRESH_FAILING].pk}/").json()
    assert failing["refresh_failing_since"] and failing["next_refresh_at"] and failing["last_error_at"]
    assert "Token refresh failing since" in failing["health_detail"]
    assert "the access token expires in 2.0 days" in failing["health_detail"]
    blocked = tenant_api.get(f"/api/connections/{one_of_each[Health.SPAM_BLOCKED].pk}/").json()
    assert blocked["spam_blocked_until"] and "suspected spam" in blocked["health_detail"]
    inactive = tenant_api.get(f"/api/connections/{one_of_each[Health.NEEDS_RECONNECT].pk}/").json()
    assert inactive["health_detail"] == "Pinterest rejected the token (401): reconnect the account."
    unknown = tenant_api.get(f"/api/connections/{one_of_each[Health.EXPIRY_UNKNOWN].pk}/").json()
    assert unknown["health_detail"] == NO_REFRESH_TOKEN
    ok = tenant_api.get(f"/api/connections/{one_of_each[Health.OK].pk}/").json()
    assert ok["health_detail"] == "" and ok["spam_blocked_until"] is None


def test_api_lists_connections_of_one_health(tenant_api, one_of_each):
    make_connection_of(Health.OK, make_tenant())  # another tenant's: never listed
    listed = tenant_api.get("/api/connections/").json()
    assert sorted(c["health"] for c in listed["results"]) == sorted(Health.values)
    for health, connection in one_of_each.items():
        response = tenant_api.get("/api/connections/", {"health": health})
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [connection.pk], health
        assert SECRET_MARK not in response.content.decode()


def test_api_refuses_an_unknown_health_naming_the_parameter(tenant_api, one_of_each):
    response = tenant_api.get("/api/connections/", {"health": "great"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["health"]


# --- admin: column, filter, change page -------------------------------------------------------


@pytest.fixture
def staff_client(client, tenant):
    client.force_login(make_user(tenant=tenant, is_staff=True))
    return client


CHANGELIST = "admin:pinterest_pinterestconnection_changelist"


def test_admin_changelist_shows_a_health_badge_with_the_detail_as_tooltip(admin_client, one_of_each):
    body = admin_client.get(reverse(CHANGELIST)).content.decode()
    for health, connection in one_of_each.items():
        value, detail = connection.health()
        if detail:
            assert f'title="{detail}"' in body.replace("&#x27;", "'"), health
        assert f">{Health(value).label}</span>" in body, health
    assert f'title="{NO_REFRESH_TOKEN}"' in body
    assert SECRET_MARK not in body


def test_admin_health_filter_shows_only_connections_of_that_health(staff_client, one_of_each):
    other = make_connection_of(Health.OK, make_tenant(), username="other_tenants_ok")
    for health, connection in one_of_each.items():
        response = staff_client.get(reverse(CHANGELIST), {"health": health})
        assert response.status_code == 200
        assert [c.pk for c in response.context["cl"].result_list] == [connection.pk], health
    body = staff_client.get(reverse(CHANGELIST), {"health": Health.OK}).content.decode()
    assert other.username not in body
    # An unknown value filters nothing (as Django's own filters ignore what they do not offer).
    response = staff_client.get(reverse(CHANGELIST), {"health": "great"})
    assert response.status_code == 200


def test_admin_change_page_shows_health_detail_and_timestamps_read_only(admin_client, one_of_each):
    connection = one_of_each[Health.REFRESH_FAILING]
    response = admin_client.get(reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk]))
    body = response.content.decode()
    assert "Refresh failing</span>" in body and "Token refresh failing since" in body
    for label in ("Refresh failing since", "Refresh failures", "Next refresh at", "Spam blocked until",
                  "Last error at"):
        assert label in body, label
    form = response.context["adminform"].form
    assert not {"refresh_failing_since", "next_refresh_at", "spam_blocked_until", "last_error_at"} & set(form.fields)
    unknown = one_of_each[Health.EXPIRY_UNKNOWN]
    body = admin_client.get(reverse("admin:pinterest_pinterestconnection_change", args=[unknown.pk])).content
    assert NO_REFRESH_TOKEN in body.decode() and SECRET_MARK not in body.decode()


# --- admin index: the "Connection health" block ------------------------------------------------


def health_block(response):
    body = response.content.decode()
    start = body.index('id="connection-health"')
    return body[start:body.index("<!-- end connection-health -->", start)]


def shown_counts(block):
    return {health: int(count) for health, count in re.findall(r'data-health="(\w+)"[^>]*>(\d+)</span>', block)}


def test_dashboard_counts_the_tenants_connections_by_health_and_lists_those_needing_a_person(
    staff_client, tenant, one_of_each
):
    make_connection_of(Health.OK, tenant, username="second_ok")
    make_connection_of(Health.REFRESH_FAILING, tenant, username="failing_an_hour",
                       refresh_failing_since=timezone.now() - timedelta(hours=1))
    make_connection_of(Health.NEEDS_RECONNECT, make_tenant(), username="other_tenants_inactive")
    block = health_block(staff_client.get(reverse("admin:index")))
    counts = {Health.OK: 2, Health.REFRESH_FAILING: 2, Health.NEEDS_RECONNECT: 1, Health.SPAM_BLOCKED: 1,
              Health.EXPIRY_UNKNOWN: 1}
    assert shown_counts(block) == counts
    # A person is needed by the inactive, the spam-blocked and the day-long failing refresh.
    for health in (Health.NEEDS_RECONNECT, Health.SPAM_BLOCKED, Health.REFRESH_FAILING):
        connection = one_of_each[health]
        assert reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk]) in block
        assert str(connection) in block
    assert "Pinterest rejected the token (401)" in block and "suspected spam" in block
    assert "failing_an_hour" not in block and "other_tenants_inactive" not in block
    assert str(one_of_each[Health.OK]) not in block
    assert SECRET_MARK not in block


def test_dashboard_of_a_superuser_counts_every_tenant(admin_client, one_of_each):
    make_connection_of(Health.NEEDS_RECONNECT, make_tenant(), username="other_tenants_inactive")
    block = health_block(admin_client.get(reverse("admin:index")))
    assert "other_tenants_inactive" in block and str(one_of_each[Health.NEEDS_RECONNECT]) in block
    assert shown_counts(block)[Health.NEEDS_RECONNECT] == 2


def test_dashboard_says_when_no_connection_needs_a_person(staff_client, tenant):
    make_connection_of(Health.OK, tenant)
    assert "No connection needs a person." in health_block(staff_client.get(reverse("admin:index")))
