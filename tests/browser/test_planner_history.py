"""A marketer reads who changed a pin and its project (issue 29's audit trail) in a real browser at
1400x900 and 390x844: the pin was imported by a job, retitled through the API with a key, then
edited in the planner by the marketer; its page's History names each (the key by its prefix), when
(in the project's zone) and each field before -> after; the project's page shows its own History
(created, slots changed). axe passes, no sideways scroll on a phone. Screenshots (the whole page and
the History card alone) go to ``artifacts/browser/planner/history-<test>-<width>/``."""

from __future__ import annotations

from datetime import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from audit.actors import acting_as_job
from publishing.services.content import pin_create, project_create
from publishing.services.queue_slots import project_slots_replace
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots, press
from tests.factories import api_client, image_upload, make_article, make_board, make_connection, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="history-")


@pytest.fixture
def world(settings):
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    connection = make_connection(username="lemonkitchen")
    tenant = connection.tenant
    member = make_user(tenant=tenant, username="maria.k")
    member.set_password(PASSWORD)
    member.save()
    board = make_board(connection=connection, name="Summer recipes")
    with acting_as_job("manage.py import_pins"):
        project = project_create(tenant=tenant, name="Berlin kitchen", pinterest_connection_id=connection.pk,
                                 timezone="Europe/Berlin")
        project_slots_replace(project=project, slots=[(0, time(9, 0)), (3, time(18, 30))])
        article = make_article(project=project, url="https://www.lemon-kitchen.example/lemon-cake")
        pin = pin_create(tenant=tenant, project_id=project.pk, article_id=article.pk, board_id=board.pk,
                         title="Lemon cake", description="Bright and easy.", image=image_upload())
    automation = make_user(tenant=tenant, username="zapier-bot")
    api_client(automation).patch(f"/api/pins/{pin.pk}/", {"title": "Lemon cake in 20 minutes"}, format="json")
    return {"member": member, "pin": pin, "project": project}


def _history_card(driver, steps, element_id, name):
    card = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
    steps.directory.mkdir(parents=True, exist_ok=True)
    card.screenshot(str(steps.directory / f"00-{name}.png"))
    return card


def test_a_pins_and_a_projects_history(driver, live_server, world, steps):
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/{world['pin'].pk}/")
    description = driver.find_element(By.NAME, "description")
    description.clear()
    description.send_keys("Bright, easy and done before the oven is hot.")
    press(driver, "draft")

    card = _history_card(driver, steps, "pin-history", "pin-history-card")
    items = card.find_elements(By.CSS_SELECTOR, ".pl-history-item")
    assert [item.find_element(By.TAG_NAME, "strong").text for item in items] == [
        "maria.k", world_key_prefix(world), "manage.py import_pins"]
    assert "Bright and easy." in items[0].text and "done before the oven is hot" in items[0].text
    assert "API KEY" in items[1].text.upper() and "Lemon cake in 20 minutes" in items[1].text
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pin history")
    steps.shot("pin page with history")

    driver.find_element(By.PARTIAL_LINK_TEXT, "the project's page").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "project-history"))
    card = _history_card(driver, steps, "project-history", "project-history-card")
    assert "changed the weekly slots" in card.text and "Thursday 18:30" in card.text
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "project history")
    steps.shot("project page with history")


def world_key_prefix(world):
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(actor_kind="api_key").values_list("actor_label", flat=True).get()
