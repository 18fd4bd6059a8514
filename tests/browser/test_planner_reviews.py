"""An owner reviews an editor's pins in the planner (issue 29), in a real browser at 1400x900 and
390x844: the review list with what each editor asked, "Send back" with a comment (the editor then
reads it on the pin), and "Approve" (the pin is scheduled at the time asked). Full-page screenshots
go to ``artifacts/browser/planner/<test>-<width>/``; every page is checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from publishing.acting import acting_as
from publishing.models import Membership, Pin, PinStatus
from publishing.services import content
from tests.browser.axe import assert_accessible
from tests.browser.test_planner_composer import (  # noqa: F401  (size: the widths' fixture)
    PASSWORD,
    message,
    no_sideways_scroll,
    page_shots,
    picture,
    size,
)
from tests.factories import make_article, make_pin, make_project, make_user
from tests.publishing.helpers import standin_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def steps(request, driver, size):  # noqa: F811
    return page_shots(request, driver, size)


def person(tenant, role, name):
    user = make_user(tenant=tenant, role=role, username=name, first_name=name.title())
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(standin, settings, tmp_path):
    """A project whose pins need approval, and two pins its editor asked to schedule."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    connection, (board,) = standin_account(standin)
    tenant = connection.tenant
    owner, editor = person(tenant, Membership.Role.OWNER, "olivia"), person(tenant, Membership.Role.EDITOR, "eddie")
    project = make_project(tenant=tenant, connection=connection, name="Berlin kitchen", timezone="Europe/Berlin",
                           requires_approval=True)
    make_project(tenant=tenant, connection=connection, name="Travel notes")
    pins = []
    for n, title in enumerate(("Lemon cake in 20 minutes", "Five summer salads for a crowd")):
        article = make_article(project=project, url=f"https://www.lemon-kitchen.example/recipes/{n}", title=title)
        pin = make_pin(project=project, board=board, article=article, title=title, status=PinStatus.DRAFT,
                       with_image=False)
        pin.image.save(f"review-{n}.png", ContentFile(picture(tmp_path, f"review-{n}.png").read_bytes()))
        with acting_as(editor):
            pins.append(content.pin_schedule(pin=pin, scheduled_at=timezone.now() + timedelta(days=2 + n)))
    return {"owner": owner, "editor": editor, "pins": pins}


def log_in(driver, live_server, user):
    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/planner/login/")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/planner/login/" not in d.current_url)


def test_an_owner_sends_one_pin_back_with_a_comment_and_approves_the_other(driver, live_server, world, steps):
    lemon, salads = world["pins"]
    assert {pin.status for pin in world["pins"]} == {PinStatus.IN_REVIEW}

    log_in(driver, live_server, world["owner"])
    driver.get(f"{live_server.url}/planner/reviews/")
    assert_accessible(driver, "review list")
    assert no_sideways_scroll(driver)
    cards = driver.find_elements(By.CSS_SELECTOR, "#review-list .pl-review")
    assert [card.get_attribute("data-pin") for card in cards] == [str(lemon.pk), str(salads.pk)]
    assert "Schedule for" in cards[0].text and "Asked by eddie" in cards[0].text
    steps.shot("review list")

    card = driver.find_element(By.CSS_SELECTOR, f'.pl-review[data-pin="{salads.pk}"]')
    summary = card.find_element(By.CSS_SELECTOR, "details summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    box = card.find_element(By.NAME, "comment")
    box.send_keys("Use the photo with the blue bowl, and say 'for 8 people' in the title.")
    assert_accessible(driver, "send back open")
    steps.shot("send back with a comment")
    reject = card.find_element(By.CSS_SELECTOR, "button[name=reject]")
    reject.click()
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(expected_conditions.staleness_of(reject))
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "sent back to draft" in message(driver)
    assert "blue bowl" in driver.find_element(By.ID, "sent-back").text
    assert no_sideways_scroll(driver)
    steps.shot("sent back")

    approve = driver.find_element(By.CSS_SELECTOR, f'.pl-review[data-pin="{lemon.pk}"] button[name=approve]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", approve)
    approve.click()
    # The reject's message is still on the page until the approve's answer replaces it.
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(expected_conditions.staleness_of(approve))
    WebDriverWait(driver, 30).until(lambda d: "approved" in d.find_element(By.CSS_SELECTOR, ".pl-messages").text)
    assert driver.find_elements(By.ID, "review-empty")
    assert_accessible(driver, "review list empty")
    steps.shot("approved, nothing left")
    assert Pin.objects.get(pk=lemon.pk).status == PinStatus.READY_TO_SCHEDULE
    assert Pin.objects.get(pk=salads.pk).status == PinStatus.DRAFT

    log_in(driver, live_server, world["editor"])
    driver.get(f"{live_server.url}/planner/pins/{salads.pk}/")
    banner = driver.find_element(By.ID, "review-comment")
    assert "blue bowl" in banner.text and "olivia" in banner.text
    assert_accessible(driver, "pin sent back")
    assert no_sideways_scroll(driver)
    steps.shot("the editor reads the comment")
