"""The admin: endpoints registered through the service (the secret shown once, in a message),
rotation, tenant scoping, deliveries with their attempts and a redeliver action."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_q.conf import Conf

from tests.factories import make_tenant, make_user
from webhooks.models import Delivery, Endpoint, EventType
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create
from webhooks.services.events import event_record

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_adding_an_endpoint_shows_its_secret_once_in_a_message(admin_user_client, tenant, receiver):
    response = admin_user_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"tenant": tenant.pk, "url": receiver.url, "description": "", "event_types": ["pin.failed"],
         "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.tenant == tenant and endpoint.event_types == ["pin.failed"]
    (secret_message,) = [m for m in messages_of(response) if "signing secret" in m]
    secret = secret_message.split(" is ")[1].split(" ")[0]
    assert secret.startswith("whsec_")
    page = admin_user_client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()


def test_the_admin_refuses_a_local_url_in_production_on_the_url_field(admin_user_client, tenant, settings):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    response = admin_user_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"tenant": tenant.pk, "url": "https://192.168.0.10/hooks", "is_active": "on"},
    )
    assert response.status_code == 200 and not Endpoint.objects.exists()
    assert "a private address" in str(response.context["adminform"].form.errors["url"])


def test_rotating_from_the_admin_shows_the_new_secret(admin_user_client, tenant, receiver):
    endpoint = endpoint_create(tenant=tenant, url=receiver.url).endpoint
    response = admin_user_client.post(
        reverse("admin:webhooks_endpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True,
    )
    assert any("new signing secret" in m and "whsec_" in m for m in messages_of(response))
    assert endpoint.secrets.count() == 2


def test_tenant_staff_see_only_their_endpoints_and_deliveries(client, tenant, receiver):
    mine = endpoint_create(tenant=tenant, url=receiver.url).endpoint
    theirs = endpoint_create(tenant=make_tenant(), url=receiver.url + "/theirs").endpoint
    for endpoint in (mine, theirs):
        event_record(tenant_id=endpoint.tenant_id, event_type=EventType.PIN_FAILED, data={}, endpoints=[endpoint])
    client.force_login(make_user(tenant=tenant, is_staff=True))
    endpoints = client.get(reverse("admin:webhooks_endpoint_changelist")).content.decode()
    deliveries = client.get(reverse("admin:webhooks_delivery_changelist")).content.decode()
    assert mine.url in endpoints and theirs.url not in endpoints
    assert client.get(reverse("admin:webhooks_endpoint_change", args=[theirs.pk])).status_code == 302
    theirs_delivery = Delivery.objects.get(endpoint=theirs)
    assert f"/{theirs_delivery.pk}/change/" not in deliveries


def test_a_delivery_page_shows_the_payload_and_attempts_and_redeliver_sends_it_again(
    admin_user_client, tenant, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)
    endpoint = endpoint_create(tenant=tenant, url=receiver.url).endpoint
    event = event_record(tenant_id=tenant.pk, event_type=EventType.PIN_FAILED, data={"error": "Refused"},
                         endpoints=[endpoint])
    receiver.fail_next(status=500, body=b"oops from the receiver")
    deliveries_send_due()
    delivery = Delivery.objects.get()
    page = admin_user_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])).content.decode()
    assert str(event.id) in page and "oops from the receiver" in page and "Refused" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_user_client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True,
        )
    assert any("queued to be sent again" in m for m in messages_of(response))
    assert len(receiver.received) == 2 and Delivery.objects.get().status == "delivered"
