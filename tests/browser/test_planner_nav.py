"""The planner's top navigation in a real browser at 1400x900 and 390x844: on a desktop every link
shows on one line; on a phone a compact bar (the brand, "New pin", a "Menu" button) that opens the
links as a panel with the keyboard or a tap, says its state (aria-expanded), moves focus into the
menu, gives it back on Escape and closes when the focus leaves it; one line, no sideways scroll,
axe passes. Full-page screenshots go to ``artifacts/browser/planner/nav-<test>-<width>/``."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.nav import click_nav
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots
from tests.factories import make_article, make_pin, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="nav-")


def bar_height(driver):
    return driver.execute_script("return document.querySelector('.pl-top').getBoundingClientRect().height")


def test_the_top_bar_is_one_line_and_its_menu_works_by_keyboard(driver, live_server, steps, size):
    user = make_user(username="olivia", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    project = make_project(tenant=user.membership.tenant, name="Lemon Kitchen blog")
    make_pin(project=project, article=make_article(project=project), title="Lemon cake in 20 minutes")
    log_in(driver, live_server, user)
    button = driver.find_element(By.CSS_SELECTOR, ".pl-menu-btn")
    nav = driver.find_element(By.ID, "pl-nav")
    assert bar_height(driver) < 70  # one line at both widths
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pins")
    steps.shot("pins")
    if size == "desktop":
        assert not button.is_displayed() and nav.is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, ".pl-top-new").is_displayed()  # "New pin" once
        assert [a.text for a in nav.find_elements(By.TAG_NAME, "a")] == [
            "Pins", "Calendar", "Bulk", "Designs", "Autopilot", "Analytics", "Review", "Account", "Team", "Admin",
            "New pin"]
    else:
        assert button.is_displayed() and not nav.is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, ".pl-top-new").is_displayed()
        assert button.get_attribute("aria-expanded") == "false"
        button.send_keys(Keys.ENTER)  # the keyboard opens it, focus goes to the first link
        WebDriverWait(driver, 5).until(lambda d: nav.is_displayed())
        assert button.get_attribute("aria-expanded") == "true"
        assert driver.switch_to.active_element.text == "Pins"
        assert not nav.find_element(By.CSS_SELECTOR, ".pl-nav-new").is_displayed()  # "New pin" once, in the bar
        assert no_sideways_scroll(driver)
        assert_accessible(driver, "pins, menu open")
        steps.shot("menu open")
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # Escape closes it, focus back on the button
        WebDriverWait(driver, 5).until(lambda d: not nav.is_displayed())
        assert button.get_attribute("aria-expanded") == "false"
        assert driver.switch_to.active_element == button
        button.click()  # a tap opens it again; tabbing past its last item ("Log out") closes it
        WebDriverWait(driver, 5).until(lambda d: nav.is_displayed())
        log_out = nav.find_element(By.CSS_SELECTOR, "button.pl-link")
        assert log_out.text == "Log out"
        driver.execute_script("arguments[0].focus()", log_out)
        log_out.send_keys(Keys.TAB)
        WebDriverWait(driver, 5).until(lambda d: not nav.is_displayed())
        assert button.get_attribute("aria-expanded") == "false"
    click_nav(driver, "Calendar")
    WebDriverWait(driver, 10).until(lambda d: "/planner/calendar" in d.current_url)
    assert bar_height(driver) < 70 and no_sideways_scroll(driver)
    assert_accessible(driver, "calendar")
    steps.shot("calendar")
