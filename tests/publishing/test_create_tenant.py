import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apikeys.keys import key_hash
from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from publishing.models import Membership, Tenant
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.django_db


def run(*args, **env):
    out = io.StringIO()
    call_command("create_tenant", *args, stdout=out)
    return out.getvalue()


def printed_key(output):
    return next(line.split()[2] for line in output.splitlines() if line.startswith("API key:"))


def test_create_tenant_creates_tenant_owner_and_api_key_and_prints_generated_password():
    output = run("Acme", "--owner", "alice", "--email", "a@example.com")
    tenant = Tenant.objects.get(name="Acme")
    user = get_user_model().objects.get(username="alice")
    assert user.membership.tenant == tenant and user.membership.role == Membership.Role.OWNER
    assert user.is_staff and not user.is_superuser
    api_key = ApiKey.objects.get(owner=user)
    key = printed_key(output)
    assert api_key.tenant == tenant and api_key.scopes == list(ALL_SCOPES)
    assert api_key.hashed_key == key_hash(key) and key.startswith(api_key.prefix) and "shown once" in output
    password = next(line.split()[1] for line in output.splitlines() if line.startswith("Password:"))
    assert user.check_password(password)


def test_create_tenant_json_output_parses_and_reads_password_from_environment(monkeypatch):
    monkeypatch.setenv("OWNER_PW", "a-long-password-from-env")
    data = json.loads(run("Beta", "--owner", "bob", "--password-env", "OWNER_PW", "--json"))
    assert data["tenant"]["name"] == "Beta"
    assert data["password"] is None
    user = get_user_model().objects.get(username="bob")
    assert user.check_password("a-long-password-from-env")
    assert ApiKey.objects.get(owner=user).hashed_key == key_hash(data["api_key"])


def test_create_tenant_refuses_an_existing_tenant_and_changes_nothing():
    make_tenant(name="Acme")
    users_before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="tenant named 'Acme' already exists"):
        run("acme", "--owner", "newuser")
    assert get_user_model().objects.count() == users_before


def test_create_tenant_refuses_an_existing_username_and_changes_nothing():
    make_user(username="taken")
    tenants_before = Tenant.objects.count()
    with pytest.raises(CommandError, match="user named 'taken' already exists"):
        run("Gamma", "--owner", "taken")
    assert Tenant.objects.count() == tenants_before


def test_create_tenant_refuses_an_unset_password_variable(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(CommandError, match="NOPE is not set"):
        run("Delta", "--owner", "dan", "--password-env", "NOPE")
    assert not Tenant.objects.filter(name="Delta").exists()
