"""Members and login in a real browser at 1400x900 and 390x844 (issue 29): the lockout page after
repeated failures (planner and admin), two-factor set up from its QR page then asked at the next
login, and an invitation accepted with a password the validators first refuse. axe checks every
page; no page scrolls sideways. Screenshots: ``artifacts/browser/planner/accounts-<test>-<width>/``."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import TwoFactorDevice
from accounts.services import invitations
from publishing.models import Membership
from tests.accounts.conftest import NOT_OWNER
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.test_planner_composer import PASSWORD, no_sideways_scroll, page_shots
from tests.factories import make_tenant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="accounts-")


@pytest.fixture
def member(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(make_tenant("Lemon Kitchen"), username="maria.lopez", email="maria@lemon-kitchen.example",
                     is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def press_submit_of(driver, field_name):
    """The submit button of the form holding ``field_name`` (the top bar has its own Log out form)."""
    driver.find_element(By.XPATH, f"//*[@name='{field_name}']/ancestor::form//button[@type='submit']").click()


def submit_login(driver, url, username, password):
    driver.get(url)
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    button = driver.find_element(By.CSS_SELECTOR, "[type=submit]")
    button.click()
    # The answer's page replaced the form (signed in, refused or locked out) before the next step
    # navigates: otherwise the login's redirect can land after, and on top of, the next page.
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(expected_conditions.staleness_of(button))


def test_repeated_failures_show_the_lockout_page(driver, live_server, member, steps):
    for _ in range(3):
        submit_login(driver, f"{live_server.url}/planner/login/", member.username, "not-my-password")
    WebDriverWait(driver, 10).until(lambda d: "Too many failed logins" in d.page_source)
    assert "15 minutes" in driver.page_source and member.username in driver.page_source
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "lockout")
    steps.shot("planner lockout")
    submit_login(driver, f"{live_server.url}/admin/login/", member.username, PASSWORD)
    WebDriverWait(driver, 10).until(lambda d: "Too many failed logins" in d.page_source)
    steps.shot("admin lockout")


def test_set_up_two_factor_then_log_in_with_a_code(driver, live_server, member, steps):
    submit_login(driver, f"{live_server.url}/planner/login/", member.username, PASSWORD)
    driver.get(f"{live_server.url}/planner/account/")
    assert_accessible(driver, "account security")
    steps.shot("account security")
    driver.find_element(By.LINK_TEXT, "Set up two-factor").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".ac-qr svg"))
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "two-factor setup")
    steps.shot("two-factor setup")
    secret = driver.find_element(By.CSS_SELECTOR, "[data-secret]").text.replace(" ", "")
    assert secret == TwoFactorDevice.objects.get(user=member).secret
    driver.find_element(By.NAME, "code").send_keys(pyotp.TOTP(secret).now())
    press_submit_of(driver, "code")
    WebDriverWait(driver, 10).until(lambda d: "Two-factor is on" in d.page_source)
    steps.shot("two-factor on")

    driver.delete_all_cookies()
    TwoFactorDevice.objects.filter(user=member).update(last_step=0)  # the same 30 s may come round again
    submit_login(driver, f"{live_server.url}/planner/login/", member.username, PASSWORD)
    WebDriverWait(driver, 10).until(lambda d: "/two-factor/verify/" in d.current_url)
    assert_accessible(driver, "two-factor code")
    steps.shot("code asked at login")
    driver.find_element(By.NAME, "code").send_keys(pyotp.TOTP(secret).now())
    press_submit_of(driver, "code")
    WebDriverWait(driver, 10).until(lambda d: "/planner/pins/" in d.current_url)


def test_accept_an_invitation(driver, live_server, member, steps):
    tenant = member.membership.tenant
    invitations.invitation_create(tenant=tenant, invited_by=member, email="sam@lemon-kitchen.example",
                                  role=NOT_OWNER, site_url=live_server.url)
    submit_login(driver, f"{live_server.url}/planner/login/", member.username, PASSWORD)
    driver.get(f"{live_server.url}/planner/team/")
    assert_accessible(driver, "team invitations")
    steps.shot("team invitations")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    driver.delete_all_cookies()
    driver.get(link)
    driver.find_element(By.NAME, "username").send_keys("sam")
    for name in ("password", "password_again"):
        driver.find_element(By.NAME, name).send_keys("12345678")
    steps.shot("accept form")
    press_submit_of(driver, "username")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-error"))
    assert "too common" in driver.page_source
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "invitation refused password")
    steps.shot("password refused")
    for name in ("password", "password_again"):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys("lemon-tart-in-june")
    press_submit_of(driver, "username")
    WebDriverWait(driver, 10).until(lambda d: "Welcome to" in d.page_source)
    steps.shot("accepted")
    assert Membership.objects.get(user__username="sam").tenant == tenant
