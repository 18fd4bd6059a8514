"""The API key admin: a key is shown on the page after its creation and nowhere else; staff
of a tenant see their tenant's keys and make keys for themselves; keys are revoked, not
deleted."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from tests.apikeys.helpers import tables_holding
from tests.factories import make_api_key, make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:apikeys_apikey_add")
CHANGELIST = reverse("admin:apikeys_apikey_changelist")


def shown_key(response) -> str:
    return re.search(r'value="(pp_[A-Za-z0-9]+)"', response.content.decode()).group(1)


def test_a_key_made_in_the_admin_is_shown_once_then_only_its_prefix(admin_user_client, tenant):
    owner = make_user(tenant=tenant, is_staff=True)
    client = admin_user_client
    me = client.get(ADD).wsgi_request.user
    chosen = owner if me.is_superuser else me
    response = client.post(ADD, {"owner": chosen.pk, "name": "Zapier", "scopes": ["read", "pins:write"],
                                 "expires_in_days": "30"})
    assert response.status_code == 200, response.content
    assert "only time it is shown" in response.content.decode() and "no-store" in response["Cache-Control"]
    key = shown_key(response)
    api_key = ApiKey.objects.get(name="Zapier")
    assert api_key.owner == chosen and api_key.scopes == ["read", "pins:write"] and api_key.expires_at
    assert tables_holding(key) == []  # not in the session, the admin log or a message
    # The index lists recent actions: the creation is named there by the key's name and prefix.
    for url in (CHANGELIST, reverse("admin:apikeys_apikey_change", args=[api_key.pk]), reverse("admin:index")):
        body = client.get(url).content.decode()
        assert key not in body and api_key.hashed_key not in body
    assert api_key.prefix in client.get(CHANGELIST).content.decode()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/pins/").status_code == 200


def test_tenant_staff_make_keys_only_for_themselves(client, tenant):
    staff = make_user(tenant=tenant, is_staff=True)
    colleague = make_user(tenant=tenant, is_staff=True)
    client.force_login(staff)
    response = client.post(ADD, {"owner": colleague.pk, "name": "As someone else", "scopes": ["read"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_superuser_is_offered_every_tenants_members(admin_client, tenant):
    member, elsewhere = make_user(tenant=tenant), make_user()
    body = admin_client.get(ADD).content.decode()
    assert f"{tenant} / {member.username}" in body and f"/ {elsewhere.username}" in body


def test_tenant_staff_see_and_revoke_only_their_tenants_keys(client, tenant):
    staff = make_user(tenant=tenant, is_staff=True)
    mine, theirs = make_api_key(staff), make_api_key()
    client.force_login(staff)
    body = client.get(CHANGELIST).content.decode()
    assert mine.api_key.prefix in body and theirs.api_key.prefix not in body
    assert client.get(reverse("admin:apikeys_apikey_change", args=[theirs.api_key.pk])).status_code == 302
    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [mine.api_key.pk, theirs.api_key.pk]}, follow=True
    )
    assert "Revoked 1 API key(s)." in response.content.decode()
    assert ApiKey.objects.get(pk=mine.api_key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=theirs.api_key.pk).revoked_at is None
    assert APIClient(HTTP_AUTHORIZATION=f"Token {mine.key}").get("/api/pins/").status_code == 401


def test_keys_are_read_only_and_never_deleted_in_the_admin(admin_client):
    created = make_api_key()
    change = reverse("admin:apikeys_apikey_change", args=[created.api_key.pk])
    body = admin_client.get(change).content.decode()
    assert 'name="name"' not in body and "hashed_key" not in body
    assert admin_client.get(reverse("admin:apikeys_apikey_delete", args=[created.api_key.pk])).status_code == 403
    assert "delete_selected" not in admin_client.get(CHANGELIST).content.decode()


def test_a_refused_creation_says_why_and_saves_nothing(admin_client, tenant):
    owner = make_user(tenant=tenant)
    response = admin_client.post(ADD, {"owner": owner.pk, "name": "   ", "scopes": ["read"]})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_status_filter_tells_active_expired_and_revoked_keys(admin_client):
    active = make_api_key(name="active one")
    expired = make_api_key(name="expired one")
    ApiKey.objects.filter(pk=expired.api_key.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked = make_api_key(name="revoked one")
    ApiKey.objects.filter(pk=revoked.api_key.pk).update(revoked_at=timezone.now())
    for status, name in (("active", active), ("expired", expired), ("revoked", revoked)):
        body = admin_client.get(f"{CHANGELIST}?status={status}").content.decode()
        assert name.api_key.name in body
        assert sum(other.api_key.name in body for other in (active, expired, revoked)) == 1, status
