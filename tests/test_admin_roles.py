"""The admin follows the member's role (issue 29): a viewer reads every page and changes nothing,
an editor writes content but not the team, keys, webhooks or connections; actions follow too."""

import pytest
from django.urls import reverse

from publishing.models import Pin, PinStatus
from publishing.roles import Role
from tests.factories import make_article, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tenant):
    project = make_project(tenant=tenant)
    pin = make_pin(project=project, article=make_article(project=project), status=PinStatus.DRAFT)
    return {"project": project, "pin": pin}


def staff_client(client, tenant, role):
    client.force_login(make_user(tenant=tenant, role=role, is_staff=True))
    return client


def test_a_viewer_sees_the_pins_but_gets_no_add_change_delete_or_action(client, tenant, content):
    client = staff_client(client, tenant, Role.VIEWER)
    changelist = client.get(reverse("admin:publishing_pin_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None or not changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert not changelist.context["has_add_permission"]
    page = client.get(reverse("admin:publishing_pin_change", args=[content["pin"].pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    delete = reverse("admin:publishing_pin_delete", args=[content["pin"].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:publishing_pin_add")).status_code == 403
    assert Pin.objects.filter(pk=content["pin"].pk).exists()


def test_a_viewer_cannot_run_an_action_by_posting_it(client, tenant, content):
    client = staff_client(client, tenant, Role.VIEWER)
    response = client.post(
        reverse("admin:publishing_pin_changelist"),
        {"action": "mark_ready", "_selected_action": [str(content["pin"].pk)]},
    )
    assert response.status_code in (200, 302)
    content["pin"].refresh_from_db()
    assert content["pin"].status == PinStatus.DRAFT


def test_an_editor_changes_content_but_not_the_team_keys_webhooks_or_connections(client, tenant, content):
    client = staff_client(client, tenant, Role.EDITOR)
    page = client.get(reverse("admin:publishing_pin_change", args=[content["pin"].pk]))
    assert page.context["has_change_permission"]
    for name in ("publishing_membership", "apikeys_apikey", "webhooks_endpoint", "pinterest_pinterestconnection"):
        assert client.get(reverse(f"admin:{name}_add")).status_code in (302, 403), name
    membership = tenant.memberships.first()
    response = client.post(reverse("admin:publishing_membership_change", args=[membership.pk]), {"role": "viewer"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role != Role.VIEWER


def test_an_owner_manages_members_in_the_admin(client, tenant):
    client = staff_client(client, tenant, Role.OWNER)
    assert client.get(reverse("admin:publishing_membership_add")).status_code == 200


def test_the_last_owner_can_be_neither_demoted_nor_deleted_in_the_admin(client, tenant):
    owner = make_user(tenant=tenant, role=Role.OWNER, is_staff=True)
    client.force_login(owner)
    membership = owner.membership
    url = reverse("admin:publishing_membership_change", args=[membership.pk])
    response = client.post(url, {"user": owner.pk, "tenant": tenant.pk, "role": "editor"})
    assert response.status_code == 200
    assert "last owner" in str(response.context["adminform"].form.errors["role"])
    delete = reverse("admin:publishing_membership_delete", args=[membership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_removing_a_member_in_the_admin_revokes_their_keys(client, tenant):
    from apikeys.models import ApiKey
    from tests.factories import make_api_key

    client.force_login(make_user(tenant=tenant, role=Role.OWNER, is_staff=True))
    editor = make_user(tenant=tenant, role=Role.EDITOR)
    key = make_api_key(editor).api_key
    delete = reverse("admin:publishing_membership_delete", args=[editor.membership.pk])
    response = client.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
