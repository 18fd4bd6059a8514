"""The project's feed health on its planner page, in a real browser at 1400x900 and 390x844: a failing
feed's long address and reason wrap inside the card (no sideways scroll on a phone), in the error
colour, named for a screen reader (axe passes). Screenshots: ``artifacts/browser/planner/feeds-<test>-<width>/``."""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from feeds.models import Feed
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots
from tests.factories import make_connection, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="feeds-")


def test_a_failing_feed_is_named_with_its_reason_on_the_project_page(driver, live_server, steps):
    connection = make_connection()
    member = make_user(tenant=connection.tenant)
    member.set_password(PASSWORD)
    member.save()
    project = make_project(tenant=connection.tenant, connection=connection, name="Berlin kitchen")
    Feed.objects.create(project=project, url="https://www.lemon-kitchen.example/feed/", last_ok_at=timezone.now())
    Feed.objects.create(
        project=project, url="https://www.lemon-kitchen.example/category/recipes/weeknight-dinners/feed/atom/",
        consecutive_failures=2, last_error="The address answers with an HTML page, not a feed.",
    )
    log_in(driver, live_server, member)
    driver.get(f"{live_server.url}/planner/analytics/?project={project.pk}")
    line = driver.find_element(By.ID, "an-feeds")
    assert line.text.startswith("Feeds: 1 of 2 feed(s) failing: https://www.lemon-kitchen.example/category/")
    assert "pl-error" in line.get_attribute("class")
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "project page with a failing feed")
    steps.shot("failing feed")
