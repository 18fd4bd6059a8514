"""The admin's "Sync analytics now" on Pinterest connections: the same service as the API's
sync-now (queued for a worker; an inactive account or one being synced refused, in a message),
tenant-scoped like the rest of the connections' admin."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from analytics.services.lease import sync_lease_take
from tests.factories import make_connection, make_tenant, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:pinterest_pinterestconnection_changelist")


def run_action(client, *connections):
    return client.post(
        CHANGELIST, {"action": "sync_analytics_now", "_selected_action": [c.pk for c in connections]}, follow=True
    )


def shown(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def staff_client(client):
    tenant = make_tenant()
    client.force_login(make_user(tenant=tenant, is_staff=True))
    client.tenant = tenant
    return client


def test_the_connections_admin_offers_sync_analytics_now(admin_client):
    make_connection()
    body = admin_client.get(CHANGELIST).content.decode()
    assert 'value="sync_analytics_now"' in body and "Sync analytics now" in body


def test_sync_analytics_now_queues_the_connections_sync_as_the_api_does(admin_client):
    connection = make_connection()

    response = run_action(admin_client, connection)

    assert response.status_code == 200
    assert shown(response) == [f"Analytics sync of {connection} queued: the numbers appear once it has run."]
    (queued,) = OrmQ.objects.all()
    assert queued.func() == "analytics.tasks.sync_connection_analytics" and queued.args() == (connection.pk,)


def test_sync_analytics_now_refuses_a_connection_being_synced_and_an_inactive_one(admin_client):
    running, inactive, idle = make_connection(), make_connection(is_active=False), make_connection()
    sync_lease_take(connection_id=running.pk)

    response = run_action(admin_client, running, inactive, idle)

    messages = shown(response)
    assert f"Not synced: Pinterest account {running} is already syncing its analytics" in messages[0]
    assert messages[1] == f"Not synced: Pinterest account {inactive} is not connected; reconnect it first."
    assert messages[2].startswith(f"Analytics sync of {idle} queued")
    assert [task.args() for task in OrmQ.objects.all()] == [(idle.pk,)]


def test_tenant_staff_sync_only_their_own_tenants_connections(staff_client):
    own, other = make_connection(tenant=staff_client.tenant), make_connection()

    run_action(staff_client, own, other)

    assert [task.args() for task in OrmQ.objects.all()] == [(own.pk,)]
