"""Log out everywhere: every session of the user ends (other browsers and this one), others' stay."""

import pytest
from django.test import Client

from accounts.models import UserSession
from accounts.services.sessions import user_sessions_end
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/planner/pins/").status_code == 200
    return client


def test_log_out_everywhere_ends_the_other_sessions_and_this_one(tenant):
    user = make_user(tenant)
    here, phone = signed_in(user), signed_in(user)
    colleague = signed_in(make_user(tenant))
    response = here.post("/planner/account/sessions/end/")
    assert response.status_code == 302 and response["Location"] == "/planner/login/"
    for client in (here, phone):
        assert client.get("/planner/pins/")["Location"].startswith("/planner/login/")
    assert colleague.get("/planner/pins/").status_code == 200
    assert not UserSession.objects.filter(user=user).exists()


def test_the_service_ends_a_users_sessions_for_other_callers(tenant):
    user = make_user(tenant)
    browser = signed_in(user)
    assert user_sessions_end(user_id=user.pk) == 1
    assert browser.get("/api/projects/").status_code in (401, 403)


def test_logging_out_forgets_the_session(tenant):
    user = make_user(tenant)
    browser = signed_in(user)
    browser.post("/planner/logout/")
    assert not UserSession.objects.filter(user=user).exists()
