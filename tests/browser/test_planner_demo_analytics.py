"""The demo's analytics page as ``make run`` shows it, in a real browser at 1400x900 and 390x844:
the stand-in's demo account with 30 days of past pins (``seed_demo_history``), recorded by the
demo's seed and synced by the real sync against the stand-in (no metric row written by hand). The
demo's owner sees 30 days of lines, the boards, the top pins with their pictures, and "Best times
to post" suggesting the weekend evenings with their evidence; axe passes, nothing scrolls sideways
on a phone. Full-page screenshots go to ``artifacts/browser/planner/demo-analytics-<test>-<width>/``."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from analytics.services.sync import connection_sync_analytics
from publishing.services.demo import demo_seed
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.nav import click_nav
from tests.browser.test_planner_composer import no_sideways_scroll, page_shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="demo-analytics-")


@pytest.fixture
def demo(settings, standin):
    """What ``make run`` starts with: the demo seeded with the stand-in's month of past pins, synced."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    standin.set_analytics_today(None)  # the stand-in's today is the page's today
    access, refresh = standin.issue_tokens(standin.seed_demo())
    history = standin.seed_demo_history(days=30)
    seeded = demo_seed(access_token=access, refresh_token=refresh, history=history)
    report = connection_sync_analytics(connection_id=seeded.connection.pk)
    assert report.pins_synced == len(history) and not report.error
    return seeded


def log_in_as_demo(driver, live_server, seeded):
    driver.get(f"{live_server.url}/planner/login/")
    driver.find_element(By.NAME, "username").send_keys(seeded.username)
    driver.find_element(By.NAME, "password").send_keys(seeded.password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "pin-cards"))


def test_the_demos_30_days_and_best_times_to_post(driver, live_server, demo, steps):
    log_in_as_demo(driver, live_server, demo)
    # The pins list still opens on today's demo pins; the past ones follow.
    first_cards = driver.find_element(By.ID, "pin-cards").text
    assert "Due now #1" in first_cards and "Draft #1" in first_cards
    # The pictures load lazily: load them all now, for the whole-page picture.
    driver.execute_script("document.querySelectorAll('#pin-cards img').forEach(img => { img.loading = 'eager'; })")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#pin-cards img')].every(img => img.complete)"))
    steps.shot("pins list")
    click_nav(driver, "Analytics")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "an-over-time"))

    assert driver.find_element(By.CSS_SELECTOR, "[data-metric=impressions]").text not in ("", "0")
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) == 4
    sizes = [(chart.size["width"], chart.size["height"]) for chart in charts]
    assert all(width > 200 and height > 60 for width, height in sizes), sizes
    top = driver.find_elements(By.CSS_SELECTOR, "#an-top li")
    assert len(top) >= 10
    # The thumbnails load lazily: scrolled to, every one of them shows its picture.
    driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", top[-1])
    WebDriverWait(driver, 10).until(lambda d: all(
        img.get_property("naturalWidth") > 0 for img in d.find_elements(By.CSS_SELECTOR, "img.an-thumb")))
    assert len(driver.find_elements(By.CSS_SELECTOR, "img.an-thumb")) == len(top)
    card = driver.find_element(By.ID, "an-best")
    cells = [item.text.splitlines()[0] for item in card.find_elements(By.CSS_SELECTOR, "#an-best-cells li")]
    assert cells == ["Saturday 19:00", "Sunday 20:00", "Wednesday 19:00"]
    assert driver.find_element(By.ID, "an-use-slots").is_displayed()
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "demo analytics")
    steps.shot("demo analytics 30 days")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    steps.directory.mkdir(parents=True, exist_ok=True)
    card.screenshot(str(steps.directory / "00-demo-best-times-card.png"))
