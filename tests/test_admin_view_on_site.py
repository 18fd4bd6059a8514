"""The admin's "view on site" shortcut (/admin/r/<content type>/<id>/): it resolves only what the
user may see, and answers the same plain 404 for every id they may not, whatever DEBUG says, so
neither its status nor its text tells whether another tenant's object exists."""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from publishing.models import Pin
from tests.factories import make_pin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    """A client logged in as staff of a tenant with one pin; that pin and another tenant's."""
    own = make_pin(title="Our own pin")
    other = make_pin(title="Another tenant's secret pin")
    client.force_login(make_user(tenant=own.project.tenant, is_staff=True))
    client.raise_request_exception = False
    return client, own, other


def shortcut_url(object_id, model=Pin):
    return f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{object_id}/"


@pytest.mark.parametrize("debug", [False, True])
def test_a_malformed_id_another_tenants_pin_and_a_missing_one_get_the_same_plain_404(staff, settings, debug):
    settings.DEBUG = debug
    client, _own, other = staff
    answers = [
        client.get(shortcut_url(object_id))
        for object_id in ("not-a-uuid", other.pk, uuid.uuid4())
    ]
    assert [response.status_code for response in answers] == [404, 404, 404]
    bodies = {response.content for response in answers}
    assert len(bodies) == 1
    (body,) = bodies
    assert b"secret pin" not in body and str(other.pk).encode() not in body


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_content_type_is_the_same_plain_404(staff, settings, debug):
    settings.DEBUG = debug
    client, _own, other = staff
    missing = client.get(shortcut_url(uuid.uuid4()))
    for url in (f"/admin/r/999999/{other.pk}/", f"/admin/r/not-a-number/{other.pk}/"):
        response = client.get(url)
        assert (response.status_code, response.content) == (404, missing.content)


def test_the_users_own_pin_leads_to_its_page(staff):
    client, own, _other = staff
    response = client.get(shortcut_url(own.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:publishing_pin_change", args=[own.pk])


def test_a_superuser_reaches_any_tenants_pin(admin_client):
    pin = make_pin()
    response = admin_client.get(shortcut_url(pin.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:publishing_pin_change", args=[pin.pk])


def test_someone_not_logged_in_is_sent_to_the_login_page(client):
    pin = make_pin()
    response = client.get(shortcut_url(pin.pk))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
