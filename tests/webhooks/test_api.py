"""/api/webhooks/: register, list, change, delete endpoints; rotate the secret; deliveries and
their attempts; redeliver. The secret is shown once; another tenant's endpoint is a 404."""

import pytest
from django_q.conf import Conf

from tests.factories import api_client, make_tenant, make_user
from webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointSecret, EventType
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.events import event_record
from webhooks.signing import verify

pytestmark = pytest.mark.django_db

API = "/api/webhooks/"


def create(api, url, **fields):
    return api.post(API, {"url": url, **fields}, format="json")


def test_registering_an_endpoint_returns_its_secret_once(tenant_api, receiver):
    response = create(tenant_api, receiver.url, event_types=["pin.failed", "pin.published", "pin.failed"],
                      description="CRM sync")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["event_types"] == ["pin.published", "pin.failed"]  # each once, in the documented order
    assert body["is_active"] is True and body["description"] == "CRM sync"
    detail = tenant_api.get(f"{API}{body['id']}/").json()
    listed = tenant_api.get(API).json()["results"]
    assert "secret" not in detail and all("secret" not in item for item in listed)
    assert body["secret"] not in str(detail) + str(listed)


def test_by_default_an_endpoint_gets_every_event_type(tenant_api, receiver):
    body = create(tenant_api, receiver.url).json()
    assert body["event_types"] == []
    assert Endpoint.objects.get(pk=body["id"]).wants(EventType.CONNECTION_RECOVERED)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"url": "http://hooks.example.com/in"}, "url"),
        ({"url": "https://127.0.0.1/in"}, "url"),
        ({"url": "https://localhost:8443/in"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://hooks.example.com/in", "event_types": ["pin.exploded"]}, "event_types.0"),
        ({}, "url"),
    ],
)
def test_in_production_an_endpoint_must_be_a_public_https_url(tenant_api, settings, payload, field):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    response = tenant_api.post(API, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::a00:1", "2002:a9fe:a9fe::", "::127.0.0.1",
     "::ffff:0:7f00:1", "::ffff:127.0.0.1", "2001:0:7f00:1::", "fec0::1", "2001:db8::1"],
)
def test_in_production_an_ipv6_address_carrying_a_local_one_or_not_public_is_refused_naming_url(
    tenant_api, settings, address
):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    response = create(tenant_api, f"https://[{address}]/hooks")
    assert response.status_code == 400, response.json()
    assert "public addresses only" in response.json()["error"]["fields"]["url"][0]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("address", ["[2606:4700:4700::1111]", "[64:ff9b::5db8:d822]", "[2002:5db8:d822::1]",
                                     "93.184.216.34"])
def test_in_production_a_public_address_may_be_registered(tenant_api, settings, address):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    response = create(tenant_api, f"https://{address}/hooks")
    assert response.status_code == 201, response.json()


def test_a_tenant_may_have_a_limited_number_of_endpoints(tenant_api, settings, receiver):
    settings.WEBHOOKS_MAX_ENDPOINTS_PER_TENANT = 2
    assert create(tenant_api, receiver.url).status_code == 201
    assert create(tenant_api, receiver.url).status_code == 201
    response = create(tenant_api, receiver.url)
    assert response.status_code == 409 and response.json()["error"]["code"] == "endpoint_limit_reached"


def test_patch_changes_the_fields_sent_and_disabling_and_enabling_is_recorded(tenant_api, receiver):
    endpoint_id = create(tenant_api, receiver.url).json()["id"]
    url = f"{API}{endpoint_id}/"
    response = tenant_api.patch(url, {"event_types": ["batch.finished"], "is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["event_types"] == ["batch.finished"] and response.json()["is_active"] is False
    assert response.json()["disabled_reason"] == "Disabled by a person."
    enabled = tenant_api.patch(url, {"is_active": True}, format="json").json()
    assert enabled["is_active"] is True and enabled["disabled_at"] is None and enabled["failing_since"] is None


def test_delete_removes_the_endpoint_and_its_deliveries(tenant_api, tenant, receiver):
    endpoint_id = create(tenant_api, receiver.url).json()["id"]
    event_record(tenant_id=tenant.pk, event_type="pin.failed", data={}, endpoints=[Endpoint.objects.get()])
    assert tenant_api.delete(f"{API}{endpoint_id}/").status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists() and not EndpointSecret.objects.exists()


def test_another_tenants_endpoint_and_deliveries_are_404_whatever_the_method(tenant_api, receiver):
    other = api_client(make_user(make_tenant()))
    theirs = create(other, receiver.url).json()["id"]
    event_record(tenant_id=Endpoint.objects.get().tenant_id, event_type="pin.failed", data={},
                 endpoints=[Endpoint.objects.get()])
    delivery = Delivery.objects.get()
    for method, path in [
        ("get", f"{API}{theirs}/"), ("patch", f"{API}{theirs}/"), ("delete", f"{API}{theirs}/"),
        ("post", f"{API}{theirs}/rotate-secret/"), ("get", f"{API}{theirs}/deliveries/"),
        ("get", f"{API}{theirs}/deliveries/{delivery.pk}/"),
        ("post", f"{API}{theirs}/deliveries/{delivery.pk}/redeliver/"),
    ]:
        response = getattr(tenant_api, method)(path, {}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert tenant_api.get(API).json()["results"] == []
    assert Endpoint.objects.filter(pk=theirs).exists()


def test_rotate_secret_returns_the_new_secret_and_both_sign_meanwhile(tenant_api, tenant, receiver):
    created = create(tenant_api, receiver.url).json()
    response = tenant_api.post(f"{API}{created['id']}/rotate-secret/")
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["secret"] != created["secret"] and rotated["overlap_ends_at"]
    event_record(tenant_id=tenant.pk, event_type="pin.failed", data={}, endpoints=[Endpoint.objects.get()])
    deliveries_send_due()
    request = receiver.received[0]
    for secret in (created["secret"], rotated["secret"]):
        verify(header=request.headers["Pinpublisher-Signature"], body=request.body, secret=secret)


def test_deliveries_list_their_event_and_a_delivery_its_attempts(tenant_api, tenant, receiver):
    endpoint_id = create(tenant_api, receiver.url).json()["id"]
    event = event_record(tenant_id=tenant.pk, event_type="pin.failed", data={"error": "Refused"},
                         endpoints=[Endpoint.objects.get()])
    receiver.fail_next(status=502, body=b"bad gateway")
    deliveries_send_due()
    listed = tenant_api.get(f"{API}{endpoint_id}/deliveries/?status=pending").json()
    (item,) = listed["results"]
    assert item["event"]["id"] == str(event.id) and item["event"]["data"] == {"error": "Refused"}
    assert item["status"] == "pending" and item["attempts"] == 1 and item["next_attempt_at"]
    assert tenant_api.get(f"{API}{endpoint_id}/deliveries/?status=delivered").json()["results"] == []
    detail = tenant_api.get(f"{API}{endpoint_id}/deliveries/{item['id']}/").json()
    (attempt,) = detail["attempt_log"]
    assert attempt["status_code"] == 502 and attempt["response_body"] == "bad gateway" and not attempt["success"]
    assert tenant_api.get(f"{API}{endpoint_id}/deliveries/?status=nope").status_code == 400


def test_redeliver_sends_it_again_now(tenant_api, tenant, receiver, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", True)
    endpoint_id = create(tenant_api, receiver.url).json()["id"]
    event_record(tenant_id=tenant.pk, event_type="pin.failed", data={}, endpoints=[Endpoint.objects.get()])
    deliveries_send_due()
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_api.post(f"{API}{endpoint_id}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert len(receiver.received) == 2
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_redeliver_to_a_disabled_endpoint_is_a_409(tenant_api, tenant, receiver):
    endpoint_id = create(tenant_api, receiver.url, is_active=False).json()["id"]
    event_record(tenant_id=tenant.pk, event_type="pin.failed", data={}, endpoints=[Endpoint.objects.get()])
    delivery = Delivery.objects.get()
    response = tenant_api.post(f"{API}{endpoint_id}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "endpoint_disabled"


def test_a_key_without_the_webhooks_scope_may_read_but_not_write(tenant, receiver):
    user = make_user(tenant)
    reader = api_client(user, scopes=["read"])
    assert reader.get(API).status_code == 200
    assert create(reader, receiver.url).status_code == 403
