"""The one role rule (issue 29): what owner, editor and viewer may do, and the migration that
made every old "member" an editor."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apikeys.scopes import ALL_SCOPES
from publishing.models import Membership
from publishing.roles import Action, Role, RoleForbids, actions_of, may, refusal, require, role_may
from tests.factories import make_tenant, make_user


def test_an_owner_may_do_everything_an_editor_content_and_publishing_a_viewer_reads():
    assert actions_of(Role.OWNER) == list(Action.values)
    assert actions_of(Role.EDITOR) == ["read", "pins:write", "publish"]
    assert actions_of(Role.VIEWER) == ["read"]


def test_every_api_key_scope_is_an_action_of_the_same_name():
    assert set(ALL_SCOPES) == set(Action.values)


def test_an_unknown_role_or_action_allows_nothing_and_no_membership_nothing():
    assert not role_may("member", Action.READ)
    assert not role_may(Role.OWNER, "root")
    assert not may(None, Action.READ)


def test_a_refusal_names_the_role_and_what_was_asked():
    assert refusal(Role.VIEWER, Action.PUBLISH) == (
        "Your role (viewer) may not publish pins now, one or in bulk; ask an owner of your team."
    )
    with pytest.raises(RoleForbids) as caught:
        require(None, Action.READ)
    assert caught.value.http_status == 403 and caught.value.action == "read"


@pytest.mark.django_db
def test_membership_may_asks_the_rule():
    editor = make_user(make_tenant(), role=Role.EDITOR).membership
    assert editor.may(Action.WRITE_CONTENT) and not editor.may(Action.MANAGE_TEAM)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_every_member_an_editor_and_keeps_owners():
    tenant = make_tenant("Old shape")
    owner, member = make_user(tenant, username="own"), make_user(tenant, username="mem", role=Role.EDITOR)
    executor = MigrationExecutor(connection)
    executor.migrate([("publishing", "0008_publishbatchitem_skipped")])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE publishing_membership SET role='member' WHERE user_id=%s", [member.pk])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Membership.objects.get(user=member).role == Role.EDITOR
    assert Membership.objects.get(user=owner).role == Role.OWNER
