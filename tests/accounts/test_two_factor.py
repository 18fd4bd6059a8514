"""Two-factor (TOTP): setup with the first code, the code step at login for the planner, the admin and
the API's session, codes used once, wrong codes locking like wrong passwords, and a tenant making its
owners use it."""

import pytest
from django.test import Client

from accounts.errors import TwoFactorRefused
from accounts.models import TwoFactorDevice
from accounts.services import two_factor
from tests.accounts.conftest import NOT_OWNER, PASSWORD, code_now
from tests.factories import make_user

pytestmark = pytest.mark.django_db

VERIFY = "/planner/account/two-factor/verify/"
SETUP = "/planner/account/two-factor/"


def with_two_factor(user) -> str:
    setup = two_factor.two_factor_begin(user=user)
    two_factor.two_factor_confirm(user=user, code=code_now(setup.secret, step_offset=-1))
    return setup.secret


def log_in(user, url="/planner/login/") -> Client:
    client = Client()
    response = client.post(url, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.30")
    assert response.status_code == 302, response.content
    return client


def test_setup_shows_the_secret_and_a_qr_code_and_the_first_code_turns_it_on(tenant):
    user = make_user(tenant)
    client = Client()
    client.force_login(user)
    page = client.get(SETUP).content.decode()
    device = TwoFactorDevice.objects.get(user=user)
    assert "<svg" in page and "otpauth://totp/" in page and device.confirmed_at is None
    refused = client.post(SETUP, {"code": "000000"})
    assert "does not match" in refused.content.decode()
    assert client.post(SETUP, {"code": code_now(device.secret)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed_at is not None


def test_the_secret_is_encrypted_at_rest(tenant):
    user = make_user(tenant)
    secret = with_two_factor(user)
    raw = TwoFactorDevice.objects.filter(user=user).values_list("secret", flat=True).get()
    assert secret not in raw and raw.startswith("gAAAAA")


def test_a_password_login_waits_for_the_code_on_every_page_and_the_api(tenant):
    user = make_user(tenant)
    secret = with_two_factor(user)
    client = log_in(user)
    pins = client.get("/planner/pins/")
    assert pins.status_code == 302 and pins["Location"].startswith(VERIFY)
    api = client.get("/api/projects/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    assert client.post(VERIFY + "?next=/planner/pins/", {"code": code_now(secret)})["Location"] == "/planner/pins/"
    assert client.get("/planner/pins/").status_code == 200
    assert client.get("/api/projects/").status_code == 200


def test_a_code_works_once(tenant):
    user = make_user(tenant)
    secret = with_two_factor(user)
    code = code_now(secret)
    assert two_factor.two_factor_check(user=user, code=code)
    assert not two_factor.two_factor_check(user=user, code=code)


def test_the_admin_login_asks_for_the_code_too(tenant):
    staff = make_user(tenant, is_staff=True)
    with_two_factor(staff)
    client = log_in(staff, url="/admin/login/")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_wrong_codes_lock_the_account_like_wrong_passwords(tenant, throttled):
    user = make_user(tenant)
    with_two_factor(user)
    client = log_in(user)
    for _ in range(2):
        assert client.post(VERIFY, {"code": "000000"}, REMOTE_ADDR="198.51.100.30").status_code == 200
    locked = client.post(VERIFY, {"code": "000000"}, REMOTE_ADDR="198.51.100.30")
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_owners_must_set_it_up_first_when_the_tenant_requires_it(tenant):
    owner = make_user(tenant)
    member = make_user(tenant, role=NOT_OWNER)
    two_factor.login_policy_set(tenant=tenant, actor=owner, owners_need_two_factor=True)
    client = Client()
    client.force_login(owner)
    pins = client.get("/planner/pins/")
    assert pins.status_code == 302 and pins["Location"].startswith(SETUP)
    assert client.get("/api/projects/").json()["error"]["code"] == "two_factor_setup_required"
    assert client.get(SETUP).status_code == 200
    secret = TwoFactorDevice.objects.get(user=owner).secret
    client.post(SETUP, {"code": code_now(secret)})
    assert client.get("/planner/pins/").status_code == 200
    with pytest.raises(TwoFactorRefused):
        two_factor.two_factor_disable(user=owner)
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get("/planner/pins/").status_code == 200


def test_only_an_owner_changes_the_policy(tenant):
    member = make_user(tenant, role=NOT_OWNER)
    client = Client()
    client.force_login(member)
    assert client.post("/planner/account/policy/", {"owners_need_two_factor": "on"}).status_code == 403


def test_turning_it_off_asks_no_code_at_the_next_login(tenant):
    user = make_user(tenant)
    with_two_factor(user)
    two_factor.two_factor_disable(user=user)
    assert log_in(user).get("/planner/pins/").status_code == 200


def test_rotate_token_keys_re_encrypts_the_two_factor_secrets(tenant, settings):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = settings.PINPUBLISHER_TOKEN_KEYS[0], Fernet.generate_key().decode()
    user = make_user(tenant)
    secret = with_two_factor(user)
    settings.PINPUBLISHER_TOKEN_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert "re-encrypted 1 of 1 two-factor secrets" in out.getvalue()
    settings.PINPUBLISHER_TOKEN_KEYS = [new]
    assert TwoFactorDevice.objects.get(user=user).secret == secret
