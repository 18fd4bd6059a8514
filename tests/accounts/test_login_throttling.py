"""Login throttling (django-axes): failures counted per username and per address, a clear 429 page
on the planner's and the admin's login, unlock by an owner (page, API) or an operator (command)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.client_ip import client_ip
from accounts.services.lockouts import member_unlock
from tests.accounts.conftest import NOT_OWNER, PASSWORD
from tests.factories import api_client, make_tenant, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttled")]

PLANNER = "/planner/login/"
ADMIN = "/admin/login/"


def attempt(client, username, password, *, url=PLANNER, ip="198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_planner_login_locks_the_account_after_the_limit_whatever_the_address(tenant):
    user = make_user(tenant)
    client = Client()
    for n in range(2):
        assert attempt(client, user.username, "wrong", ip=f"198.51.100.{n}").status_code == 200
    assert attempt(client, user.username, "wrong", ip="198.51.100.2").status_code == 429  # the third
    locked = attempt(Client(), user.username, PASSWORD, ip="203.0.113.50")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and user.username in page and "15 minutes" in page
    assert "_auth_user_id" not in Client().session


def test_one_address_is_locked_after_failures_across_usernames(tenant):
    people = [make_user(tenant) for _ in range(4)]
    for person in people[:3]:
        attempt(Client(), person.username, "wrong", ip="198.51.100.9")
    assert attempt(Client(), people[3].username, PASSWORD, ip="198.51.100.9").status_code == 429
    elsewhere = attempt(Client(), people[3].username, PASSWORD, ip="203.0.113.1")
    assert elsewhere.status_code == 302


def test_admin_login_is_locked_with_the_same_page(tenant):
    staff = make_user(tenant, is_staff=True)
    for _ in range(3):
        attempt(Client(), staff.username, "wrong", url=ADMIN)
    locked = attempt(Client(), staff.username, PASSWORD, url=ADMIN, ip="203.0.113.2")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


def test_failures_below_the_limit_then_a_success_start_the_count_again(tenant):
    user = make_user(tenant)
    for _ in range(2):
        attempt(Client(), user.username, "wrong")
    assert attempt(Client(), user.username, PASSWORD).status_code == 302
    for _ in range(2):
        attempt(Client(), user.username, "wrong")
    assert attempt(Client(), user.username, PASSWORD).status_code == 302


def test_a_lockout_ends_when_its_time_has_passed(tenant):
    user = make_user(tenant)
    for _ in range(3):
        attempt(Client(), user.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(Client(), user.username, PASSWORD, ip="203.0.113.3").status_code == 302


def lock(user):
    for _ in range(3):
        attempt(Client(), user.username, "wrong", ip="198.51.100.20")


def test_an_owner_unlocks_a_member_on_the_team_page(tenant):
    owner = make_user(tenant)
    member = make_user(tenant, role=NOT_OWNER)
    lock(member)
    page = Client()
    page.force_login(owner)
    team = page.get("/planner/team/")  # invitations and lockouts are sections of the Team page
    assert member.username in team.content.decode() and "Unlock" in team.content.decode()
    response = page.post(f"/planner/account/team/members/{member.pk}/unlock/")
    assert response.status_code == 302
    assert attempt(Client(), member.username, PASSWORD, ip="203.0.113.4").status_code == 302


def test_an_owner_unlocks_a_member_through_the_api(tenant):
    owner = make_user(tenant)
    member = make_user(tenant, role=NOT_OWNER)
    lock(member)
    response = api_client(owner).post(f"/api/members/{member.pk}/unlock/")
    assert response.status_code == 200, response.content
    assert response.json() == {"user_id": member.pk, "cleared": 1}
    assert attempt(Client(), member.username, PASSWORD, ip="203.0.113.5").status_code == 302


def test_a_member_who_is_no_owner_cannot_unlock(tenant):
    member = make_user(tenant, role=NOT_OWNER)
    other = make_user(tenant, role=NOT_OWNER)
    response = api_client(member).post(f"/api/members/{other.pk}/unlock/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_forbids"


def test_another_tenants_member_is_not_found(tenant):
    owner = make_user(tenant)
    stranger = make_user(make_tenant())
    lock(stranger)
    assert api_client(owner).post(f"/api/members/{stranger.pk}/unlock/").status_code == 404
    with pytest.raises(type(stranger).DoesNotExist):
        member_unlock(tenant=tenant, actor=owner, user_id=stranger.pk)
    assert attempt(Client(), stranger.username, PASSWORD, ip="203.0.113.6").status_code == 429


def test_an_operator_unlocks_with_the_axes_reset_username_command(tenant):
    member = make_user(tenant)
    lock(member)
    call_command("axes_reset_username", member.username, stdout=open("/dev/null", "w"))
    assert attempt(Client(), member.username, PASSWORD, ip="203.0.113.7").status_code == 302


def test_an_api_key_keeps_working_while_its_owner_is_locked_out(tenant):
    owner = make_user(tenant)
    lock(owner)
    assert api_client(owner).get("/api/invitations/").status_code == 200


def test_the_client_address_is_the_peers_unless_proxies_are_declared(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.LOGIN_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, never the client's own first entry
    settings.LOGIN_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"


def test_deploy_checks_warn_when_throttling_is_off_or_its_backend_not_first(settings):
    from accounts.checks import check_login_throttling

    assert check_login_throttling(None) == []
    settings.AXES_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert [problem.id for problem in check_login_throttling(None)] == ["accounts.W001", "accounts.W002"]
