"""Invitations: owners only, emailed, single use, expiring (INVITATION_TTL_HOURS), the invitee's
password judged by Django's validators; the API (list, invite, withdraw) and the pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.errors import InvitationUnusable, OwnerRequired
from accounts.models import Invitation
from accounts.services import invitations
from publishing.models import Membership
from tests.accounts.conftest import NOT_OWNER
from tests.factories import api_client, make_tenant, make_user

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "lemon-tart-in-june"


def invite(tenant, owner=None, email="ana@example.com", role=NOT_OWNER):
    return invitations.invitation_create(tenant=tenant, invited_by=owner or make_user(tenant), email=email,
                                         role=role, site_url="https://pins.example.com/")


def link_token(message) -> str:
    return re.search(r"/planner/account/invitations/([^/\s]+)/", message.body).group(1)


def test_an_owner_invites_and_the_email_holds_the_only_copy_of_the_link(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = invite(tenant)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]
    assert "https://pins.example.com/planner/account/invitations/" in mail.outbox[0].body
    token = link_token(mail.outbox[0])
    assert token == sent.token and token not in Invitation.objects.values_list("token_hash", flat=True).get()


def test_a_member_who_is_no_owner_cannot_invite(tenant):
    with pytest.raises(OwnerRequired):
        invite(tenant, owner=make_user(tenant, role=NOT_OWNER))


def test_accepting_creates_the_user_and_the_membership_with_the_role(tenant):
    sent = invite(tenant, role=Membership.Role.OWNER)
    user = invitations.invitation_accept(token=sent.token, username="ana", password=GOOD_PASSWORD)
    assert user.email == "ana@example.com" and user.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(user=user).tenant == tenant
    assert Membership.objects.get(user=user).role == Membership.Role.OWNER


def test_a_link_works_once(tenant):
    sent = invite(tenant)
    invitations.invitation_accept(token=sent.token, username="ana", password=GOOD_PASSWORD)
    with pytest.raises(InvitationUnusable, match="already been used"):
        invitations.invitation_accept(token=sent.token, username="ana2", password=GOOD_PASSWORD)
    assert not get_user_model().objects.filter(username="ana2").exists()


def test_a_link_expires_after_the_ttl(tenant, settings):
    settings.INVITATION_TTL_HOURS = 1
    sent = invite(tenant)
    assert sent.invitation.expires_at - sent.invitation.created_at == timedelta(hours=1)
    Invitation.objects.update(expires_at=timezone.now())  # the very moment it expires
    with pytest.raises(InvitationUnusable, match="expired"):
        invitations.invitation_accept(token=sent.token, username="ana", password=GOOD_PASSWORD)


def test_the_default_ttl_is_72_hours(tenant):
    sent = invite(tenant)
    assert sent.invitation.expires_at - sent.invitation.created_at == timedelta(hours=72)


@pytest.mark.parametrize("password, says", [
    ("short1", "too short"),
    ("password123", "too common"),
    ("48151623429", "entirely numeric"),
    ("ana-example", "too similar"),
])
def test_the_password_validators_judge_the_invitees_password(tenant, password, says):
    sent = invite(tenant)
    with pytest.raises(ValidationError) as refused:
        invitations.invitation_accept(token=sent.token, username="ana-example", password=password)
    assert says in " ".join(refused.value.message_dict["password"])
    assert not get_user_model().objects.filter(username="ana-example").exists()
    assert Invitation.objects.get().used_at is None


def test_a_taken_username_is_refused_on_its_field(tenant):
    make_user(make_tenant(), username="ana")
    sent = invite(tenant)
    with pytest.raises(ValidationError) as refused:
        invitations.invitation_accept(token=sent.token, username="Ana", password=GOOD_PASSWORD)
    assert "username" in refused.value.message_dict


def test_a_new_invitation_to_the_same_address_withdraws_the_earlier(tenant):
    owner = make_user(tenant)
    first = invite(tenant, owner)
    invite(tenant, owner)
    with pytest.raises(InvitationUnusable, match="withdrawn"):
        invitations.invitation_accept(token=first.token, username="ana", password=GOOD_PASSWORD)


def test_an_existing_member_is_not_invited_again(tenant):
    make_user(tenant, email="ana@example.com")
    with pytest.raises(ValidationError) as refused:
        invite(tenant)
    assert "email" in refused.value.message_dict


def test_the_api_invites_lists_and_withdraws_and_never_shows_the_link(tenant, django_capture_on_commit_callbacks):
    owner = make_user(tenant)
    client = api_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/invitations/", {"email": "bo@example.com", "role": NOT_OWNER}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["invited_by"] == owner.username
    assert link_token(mail.outbox[0]) not in created.content.decode()
    listed = client.get("/api/invitations/").json()
    assert [row["email"] for row in listed["results"]] == ["bo@example.com"]
    revoked = client.post(f"/api/invitations/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_the_api_refuses_bad_input_by_field_and_other_tenants_invitations(tenant):
    owner = make_user(tenant)
    bad = api_client(owner).post("/api/invitations/", {"email": "nope", "role": "boss"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"email", "role"}
    elsewhere = invite(make_tenant())
    assert api_client(owner).post(f"/api/invitations/{elsewhere.invitation.pk}/revoke/").status_code == 404


def test_the_api_needs_the_members_write_scope_and_an_owner(tenant):
    owner = make_user(tenant)
    read_only = api_client(owner, scopes=["read"]).post("/api/invitations/", {"email": "c@example.com",
                                                                              "role": NOT_OWNER}, format="json")
    assert read_only.status_code == 403 and read_only.json()["error"]["code"] == "insufficient_scope"
    member = make_user(tenant, role=NOT_OWNER)
    assert api_client(member).get("/api/invitations/").json()["error"]["code"] == "role_forbids"


def test_the_pages_invite_and_accept(tenant, django_capture_on_commit_callbacks):
    owner = make_user(tenant)
    client = Client()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/planner/account/team/", {"email": "di@example.com", "role": NOT_OWNER})
    assert sent.status_code == 302
    token = link_token(mail.outbox[0])
    visitor = Client()
    page = visitor.get(f"/planner/account/invitations/{token}/")
    assert page.status_code == 200 and tenant.name in page.content.decode()
    refused = visitor.post(f"/planner/account/invitations/{token}/",
                           {"username": "di", "password": "12345678", "password_again": "12345678"})
    assert refused.status_code == 200 and "too common" in refused.content.decode()
    accepted = visitor.post(f"/planner/account/invitations/{token}/",
                            {"username": "di", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == "/planner/login/"
    assert visitor.get(f"/planner/account/invitations/{token}/").status_code == 410
    assert Client().get("/planner/account/invitations/not-a-token/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_of_one_link_at_once_create_one_user(tenant):
    from tests.publishing.helpers import in_threads

    sent = invite(tenant)
    outcomes = in_threads([
        lambda name=name: invitations.invitation_accept(token=sent.token, username=name, password=GOOD_PASSWORD)
        for name in ("ana", "ana-bis")
    ])
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InvitationUnusable", "User"]
    assert Membership.objects.filter(tenant=tenant).count() == 2  # the inviting owner and one invitee


def test_a_mail_server_that_refuses_leaves_the_invitation_and_answers_201(tenant, settings, caplog,
                                                                          django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.accounts.test_invitations.RefusingBackend"
    owner = make_user(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client(owner).post("/api/invitations/", {"email": "ro@example.com", "role": NOT_OWNER},
                                        format="multipart")
    assert answer.status_code == 201, answer.content
    assert Invitation.objects.filter(email="ro@example.com", revoked_at=None).exists()
    assert "its email could not be sent" in caplog.text


class RefusingBackend:
    """A mail backend whose server refuses every message (as SMTP does when none listens)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")
