"""``manage.py create_api_key``: prints the key once, stores only its hash."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apikeys.keys import key_hash
from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from publishing.models import Membership
from tests.apikeys.helpers import tables_holding
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def acme():
    tenant = make_tenant(name="Acme")
    make_user(tenant=tenant, username="member", role=Membership.Role.EDITOR)
    owner = make_user(tenant=tenant, username="boss")
    return tenant, owner


def test_the_key_is_printed_once_and_acts_as_the_tenants_owner(acme):
    tenant, owner = acme
    output = run("--tenant", "acme", "--name", "Zapier", "--scopes", "read,pins:write", "--expires-in-days", "30")
    key = next(line.split()[2] for line in output.splitlines() if line.startswith("API key:"))
    api_key = ApiKey.objects.get()
    assert api_key.tenant == tenant and api_key.owner == owner and api_key.scopes == ["read", "pins:write"]
    assert api_key.hashed_key == key_hash(key) and "shown once" in output and output.count(key) == 1
    assert timedelta(days=29) < api_key.expires_at - timezone.now() <= timedelta(days=30)
    assert tables_holding(key) == []


def test_json_output_and_every_scope_with_all(acme):
    data = json.loads(run("--tenant", "Acme", "--name", "All", "--scopes", "all", "--owner", "boss", "--json"))
    api_key = ApiKey.objects.get(pk=data["id"])
    assert data["scopes"] == list(ALL_SCOPES) and data["owner"] == "boss" and data["expires_at"] is None
    assert api_key.hashed_key == key_hash(data["key"]) and data["prefix"] == api_key.prefix


def test_all_for_an_editor_is_every_scope_an_editor_may_use(acme):
    data = json.loads(run("--tenant", "Acme", "--name", "All", "--scopes", "all", "--owner", "member", "--json"))
    assert data["scopes"] == ["read", "pins:write", "publish"]


def test_a_scope_beyond_the_owners_role_is_refused_naming_it(acme):
    with pytest.raises(CommandError, match="editor: their role does not allow keys:write"):
        run("--tenant", "Acme", "--name", "x", "--scopes", "read,keys:write", "--owner", "member")
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--tenant", "Nope", "--name", "x", "--scopes", "read"], "No tenant named 'Nope'"),
        (["--tenant", "Acme", "--name", "x", "--scopes", "read,root"], "Unknown scope: root"),
        (["--tenant", "Acme", "--name", "x", "--scopes", "read", "--expires-in-days", "0"], "1..3650"),
        (["--tenant", "Acme", "--name", "x", "--scopes", "read", "--owner", "ghost"], "No user named 'ghost'"),
        (["--tenant", "Acme", "--name", "x", "--scopes", "read", "--owner", "outsider"], "not an active member"),
    ],
)
def test_refusals_are_one_line_and_create_nothing(acme, args, message):
    make_user(username="outsider")
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiKey.objects.exists()
