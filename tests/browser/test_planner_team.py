"""An owner manages the team in a real browser at 1400x900 and at 390x844 (issue 29): the Team
page lists each member with their role; the owner makes a viewer an editor, is told why the last
owner keeps the role, removes a member (after confirming); axe passes and a phone never scrolls
sideways. A viewer then sees the pins without a write button. Full-page screenshots go to
``artifacts/browser/planner/team-<test>-<width>/``."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from publishing.models import Membership, PinStatus
from publishing.roles import Role
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.nav import click_nav
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots
from tests.factories import make_article, make_pin, make_project, make_tenant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="team-")


def person(tenant, username, role, first, last):
    user = make_user(tenant, username=username, role=role, first_name=first, last_name=last,
                     email=f"{username}@lemon-kitchen.example")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world():
    tenant = make_tenant("Lemon Kitchen")
    project = make_project(tenant=tenant, name="Lemon Kitchen blog")
    article = make_article(project=project, url="https://www.lemon-kitchen.example/lemon-cake")
    make_pin(project=project, article=article, status=PinStatus.DRAFT, title="Lemon cake in 20 minutes")
    return {
        "owner": person(tenant, "olivia", Role.OWNER, "Olivia", "Baker"),
        "editor": person(tenant, "eddie", Role.EDITOR, "Eddie", "Writer"),
        "viewer": person(tenant, "vera", Role.VIEWER, "Vera", "Client"),
        "intern": person(tenant, "ines.with.a.rather.long.username", Role.VIEWER, "", ""),
    }


def wait_for_message(driver, text):
    """Until the page (reloaded after a POST) tells ``text``; the old page's message may go stale."""
    def told(d):
        try:
            return any(text in m.text for m in d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
        except StaleElementReferenceException:
            return False

    WebDriverWait(driver, 10).until(told)


def row(driver, user):
    return driver.find_element(By.CSS_SELECTOR, f".tm-row[data-member='{user.membership.pk}']")


def test_an_owner_manages_the_team(driver, live_server, world, steps):
    log_in(driver, live_server, world["owner"])
    click_nav(driver, "Team")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "team-members"))
    assert [r.get_attribute("data-role") for r in driver.find_elements(By.CSS_SELECTOR, ".tm-row")] == [
        "owner", "editor", "viewer", "viewer"
    ]
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "team")
    steps.shot("team page")

    Select(row(driver, world["viewer"]).find_element(By.NAME, "role")).select_by_value("editor")
    row(driver, world["viewer"]).find_element(By.CSS_SELECTOR, ".tm-role-form button").click()
    wait_for_message(driver, "vera is now editor.")
    assert Membership.objects.get(user=world["viewer"]).role == Role.EDITOR
    steps.shot("viewer made an editor")

    Select(row(driver, world["owner"]).find_element(By.NAME, "role")).select_by_value("viewer")
    row(driver, world["owner"]).find_element(By.CSS_SELECTOR, ".tm-role-form button").click()
    wait_for_message(driver, "is the last owner of Lemon Kitchen")
    assert no_sideways_scroll(driver)
    steps.shot("the last owner keeps the role")

    remove = row(driver, world["intern"]).find_element(By.CSS_SELECTOR, ".tm-remove")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", remove)
    remove.click()
    driver.switch_to.alert.accept()
    wait_for_message(driver, "was removed")
    assert not Membership.objects.filter(user=world["intern"]).exists()
    assert len(driver.find_elements(By.CSS_SELECTOR, ".tm-row")) == 3
    assert_accessible(driver, "team after removal")
    steps.shot("member removed")


def test_a_viewer_sees_pins_without_write_buttons(driver, live_server, world, steps):
    log_in(driver, live_server, world["viewer"])
    assert driver.find_element(By.ID, "read-only-note").is_displayed()
    assert not driver.find_elements(By.ID, "bulk-bar") and not driver.find_elements(By.LINK_TEXT, "New pin")
    assert not driver.find_elements(By.LINK_TEXT, "Team")
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "viewer pins")
    steps.shot("viewer pins list")
    driver.find_element(By.CSS_SELECTOR, ".pl-pin-link").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "read-only-actions"))
    assert not driver.find_elements(By.CSS_SELECTOR, "button[name=action]")
    steps.shot("viewer pin page")
