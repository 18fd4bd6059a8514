"""The planner's Autopilot page (issue 28) in a real browser at 1400x900 and 390x844: an owner turns
autopilot on in queue mode with keyword rules and UTM parameters; a bad keyword line is refused on
its field and nothing is saved. Screenshots go to ``artifacts/browser/planner/<test>-<width>/``;
every page is checked with axe-core."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from autopilot.models import AutopilotRule
from publishing.models import Membership
from tests.browser.axe import assert_accessible
from tests.browser.test_planner_composer import (  # noqa: F401  (size: the widths' fixture)
    PASSWORD,
    message,
    no_sideways_scroll,
    page_shots,
    size,
)
from tests.factories import make_board, make_connection, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def steps(request, driver, size):  # noqa: F811
    return page_shots(request, driver, size)


@pytest.fixture
def world():
    connection = make_connection()
    soups = make_board(connection=connection, name="Soups")
    make_board(connection=connection, name="Baking")
    project = make_project(tenant=connection.tenant, connection=connection, name="Lemon kitchen")
    owner = make_user(tenant=connection.tenant, role=Membership.Role.OWNER, username="olivia")
    owner.set_password(PASSWORD)
    owner.save()
    return {"owner": owner, "project": project, "soups": soups}


def log_in(driver, live_server, user):
    driver.get(f"{live_server.url}/planner/login/")
    assert_accessible(driver, "login")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/planner/login/" not in d.current_url)


def click(driver, selector):
    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_an_owner_turns_autopilot_on_with_keyword_rules_and_a_bad_line_is_refused(driver, live_server, world, steps):
    log_in(driver, live_server, world["owner"])
    driver.get(f"{live_server.url}/planner/autopilot/")
    assert_accessible(driver, "autopilot off")
    assert no_sideways_scroll(driver)
    steps.shot("autopilot off")

    click(driver, "input[name=mode][value=queue]")
    click(driver, "input[name=templates][value=photo_band]")
    click(driver, "input[name=templates][value=collage]")
    click(driver, "input[name=board_choice][value=keywords]")
    box = driver.find_element(By.NAME, "keyword_rules")
    box.send_keys("stew, soup: Soups\npie: Pastry")
    driver.find_element(By.NAME, "utm_source").send_keys("pinterest")
    click(driver, ".ap-form button[type=submit]")
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-error"))
    assert "no board named 'Pastry'" in driver.find_element(By.CSS_SELECTOR, ".pl-has-error .pl-error").text
    assert not AutopilotRule.objects.exists()
    assert_accessible(driver, "refused")
    assert no_sideways_scroll(driver)
    steps.shot("a bad keyword line refused")

    box = driver.find_element(By.NAME, "keyword_rules")
    box.clear()
    box.send_keys("stew, soup: Soups")
    click(driver, ".ap-form button[type=submit]")
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "Autopilot of Lemon kitchen is saved" in message(driver)
    rule = AutopilotRule.objects.get(project=world["project"])
    assert (rule.mode, rule.board_choice, rule.utm_source) == ("queue", "keywords", "pinterest")
    assert rule.keyword_rules == [{"keywords": ["stew", "soup"], "board_id": world["soups"].pk}]
    assert rule.templates == ["photo_band", "collage"] and rule.active_since is not None
    assert_accessible(driver, "saved")
    assert no_sideways_scroll(driver)
    steps.shot("saved")
