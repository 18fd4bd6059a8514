"""The key rules: what is stored, when a key authenticates, what a key may grant."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.errors import ApiKeyRejected, InsufficientScope
from apikeys.keys import KEY_MARK, PREFIX_LENGTH, key_hash
from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES, Scope
from apikeys.services import LAST_USED_RESOLUTION, api_key_authenticate, api_key_create, api_key_revoke
from pinpublisher.errors import InvalidRequest
from publishing.models import Membership
from tests.apikeys.helpers import tables_holding
from tests.factories import make_api_key, make_tenant, make_user

pytestmark = pytest.mark.django_db


def test_a_new_key_is_stored_as_its_prefix_and_hash_and_nowhere_whole():
    created = make_api_key(scopes=[Scope.READ])
    key, row = created.key, ApiKey.objects.get(pk=created.api_key.pk)
    assert key.startswith(KEY_MARK) and len(key) == 55
    assert row.prefix == key[:PREFIX_LENGTH] and row.hashed_key == key_hash(key)
    assert tables_holding(key) == []
    assert tables_holding(key[PREFIX_LENGTH:PREFIX_LENGTH + 16]) == []  # not even a piece of the secret


def test_keys_are_random_and_their_prefixes_unique():
    user = make_user()
    keys = [make_api_key(user).key for _ in range(20)]
    assert len({key[:PREFIX_LENGTH] for key in keys}) == 20


def test_a_key_authenticates_reading_owner_membership_and_tenant_in_one_query():
    created = make_api_key()
    api_key_authenticate(key=created.key)  # the first use is recorded (one UPDATE)
    with CaptureQueriesContext(connection) as queries:
        api_key = api_key_authenticate(key=created.key)
        tenant = api_key.owner.membership.tenant
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert api_key.pk == created.api_key.pk and tenant == created.api_key.tenant


def test_last_used_is_recorded_at_most_once_a_minute():
    created = make_api_key()
    start = timezone.now()
    api_key_authenticate(key=created.key, now=start)
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at == start
    with CaptureQueriesContext(connection) as queries:
        api_key_authenticate(key=created.key, now=start + timedelta(seconds=59))
    assert len(queries) == 1 and ApiKey.objects.get(pk=created.api_key.pk).last_used_at == start
    later = start + LAST_USED_RESOLUTION + timedelta(seconds=1)
    api_key_authenticate(key=created.key, now=later)
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at == later


@pytest.mark.parametrize(
    "presented",
    ["short", "x" * 129, "pp_" + "é" * 40, "pp_unknownprefix0000000000000000000000000000000000000000"],
)
def test_a_string_that_is_no_stored_key_is_refused_as_invalid(presented):
    make_api_key()
    with pytest.raises(ApiKeyRejected, match="^Invalid API key.$"):
        api_key_authenticate(key=presented)


def test_a_malformed_key_costs_no_query():
    with CaptureQueriesContext(connection) as queries, pytest.raises(ApiKeyRejected) as refused:
        api_key_authenticate(key="too-short")
    assert len(queries) == 0 and refused.value.reason == "malformed" and refused.value.prefix is None


def test_the_right_prefix_with_a_wrong_secret_is_refused():
    created = make_api_key()
    forged = created.key[:PREFIX_LENGTH] + "A" * (len(created.key) - PREFIX_LENGTH)
    with pytest.raises(ApiKeyRejected, match="^Invalid API key.$") as refused:
        api_key_authenticate(key=forged)
    assert refused.value.reason == "unknown" and refused.value.prefix == created.api_key.prefix


def test_revocation_takes_effect_at_once_and_keeps_its_first_time():
    created = make_api_key()
    api_key_authenticate(key=created.key)
    first = api_key_revoke(api_key_id=created.api_key.pk).revoked_at
    with pytest.raises(ApiKeyRejected, match="revoked") as refused:
        api_key_authenticate(key=created.key)
    assert refused.value.reason == "revoked"
    assert api_key_revoke(api_key_id=created.api_key.pk, now=first + timedelta(days=1)).revoked_at == first


def test_expiry_takes_effect_at_the_moment_it_names():
    expires = timezone.now() + timedelta(hours=1)
    created = make_api_key(expires_at=expires)
    api_key_authenticate(key=created.key, now=expires - timedelta(seconds=1))
    with pytest.raises(ApiKeyRejected, match="expired") as refused:
        api_key_authenticate(key=created.key, now=expires)
    assert refused.value.reason == "expired"


def test_a_key_stops_working_when_its_owner_is_inactive_or_leaves_the_tenant():
    owner = make_user()
    created = make_api_key(owner)
    owner.is_active = False
    owner.save()
    with pytest.raises(ApiKeyRejected, match="owner") as refused:
        api_key_authenticate(key=created.key)
    assert refused.value.reason == "owner"
    owner.is_active = True
    owner.save()
    Membership.objects.filter(user=owner).update(tenant=make_tenant())
    with pytest.raises(ApiKeyRejected, match="no longer belongs"):
        api_key_authenticate(key=created.key)
    Membership.objects.filter(user=owner).delete()
    with pytest.raises(ApiKeyRejected, match="no longer belongs"):
        api_key_authenticate(key=created.key)


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"name": "  "}, "name", "Give the key a name"),
        ({"name": "x" * 101}, "name", "at most 100"),
        ({"scopes": []}, "scopes", "at least one scope"),
        ({"scopes": ["read", "admin"]}, "scopes", "Unknown scope: admin"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expires_at", "in the future"),
    ],
)
def test_create_refuses_what_makes_no_key_naming_the_field(change, field, message):
    owner = make_user()
    arguments = {"tenant": owner.membership.tenant, "owner": owner, "name": "CI", "scopes": ["read"], **change}
    with pytest.raises(InvalidRequest, match=message) as refused:
        api_key_create(**arguments)
    assert refused.value.field == field and not ApiKey.objects.exists()


def test_create_refuses_an_owner_of_another_tenant_or_an_inactive_one():
    stranger = make_user()
    with pytest.raises(InvalidRequest, match="not an active member") as refused:
        api_key_create(tenant=make_tenant(), owner=stranger, name="CI", scopes=["read"])
    assert refused.value.field == "owner"
    idle = make_user(is_active=False)
    with pytest.raises(InvalidRequest, match="not an active member"):
        api_key_create(tenant=idle.membership.tenant, owner=idle, name="CI", scopes=["read"])


def test_scopes_are_kept_once_each_in_the_catalogues_order():
    created = make_api_key(scopes=["publish", "read", "publish"])
    assert created.api_key.scopes == ["read", "publish"]


def test_a_key_grants_only_scopes_it_has():
    granter = make_api_key(scopes=[Scope.READ, Scope.KEYS_WRITE]).api_key
    owner = granter.owner
    with pytest.raises(InsufficientScope, match="cannot grant the scope publish") as refused:
        api_key_create(tenant=granter.tenant, owner=owner, name="x", scopes=["read", "publish"], granted_by=granter)
    assert refused.value.scope == "publish"
    narrower = api_key_create(tenant=granter.tenant, owner=owner, name="x", scopes=["read"], granted_by=granter)
    assert narrower.api_key.scopes == ["read"]


def test_a_key_that_expires_creates_only_keys_that_expire_no_later():
    expires = timezone.now() + timedelta(days=2)
    granter = make_api_key(scopes=list(ALL_SCOPES), expires_at=expires).api_key
    arguments = {
        "tenant": granter.tenant, "owner": granter.owner, "name": "x", "scopes": ["read"], "granted_by": granter
    }
    for later in (None, expires + timedelta(seconds=1)):
        with pytest.raises(InvalidRequest, match="must expire no later") as refused:
            api_key_create(**arguments, expires_at=later)
        assert refused.value.field == "expires_at"
    assert api_key_create(**arguments, expires_at=expires).api_key.expires_at == expires
