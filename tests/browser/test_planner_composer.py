"""A marketer composes in the planner, in a real browser at 1400x900 and at 390x844 (a phone):
an image pin saved as a draft with the preview and the counters following the typing, scheduled in
the project's zone, published now against the stand-in, and a failed pin retried from its banner.
Full-page screenshots of each step go to ``artifacts/browser/planner/<test>-<width>/``; every page
is checked with axe-core (``tests.browser.axe``)."""

from __future__ import annotations

import base64
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_q.conf import Conf
from PIL import Image, ImageDraw
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from publishing.models import Pin, PinStatus
from publishing.services.queue_slots import project_slots_replace
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Steps, artifacts_dir
from tests.factories import make_article, make_pin, make_project, make_user, png_bytes
from tests.publishing.helpers import standin_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-planner-password"
BERLIN = ZoneInfo("Europe/Berlin")
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES))
def size(request, driver):
    width, height = SIZES[request.param]
    driver.set_window_size(width, height)
    yield request.param
    driver.set_window_size(1400, 1000)


class PageShots(Steps):
    """Steps whose screenshots are the whole page, not only the window (a phone's page is long)."""

    def shot(self, name: str):
        self.count += 1
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
        # From the top, so the sticky bar and preview sit where a person sees them first.
        self.driver.execute_script("window.scrollTo(0, 0)")
        content = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = self.driver.execute_script("return window.innerWidth")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": content["height"], "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))
        self.saved.append(path)
        return path


def page_shots(request, driver, size, prefix: str = "") -> PageShots:
    """A test's screenshots, fresh, under ``artifacts/browser/planner/<prefix><test>-<width>/``, and
    the driver signed out."""
    test = request.node.originalname.removeprefix("test_")
    directory = artifacts_dir() / "planner" / f"{prefix}{test}-{SIZES[size][0]}"
    for old in directory.glob("*.png"):
        old.unlink()
    driver.delete_all_cookies()
    return PageShots(driver, directory)


@pytest.fixture
def steps(request, driver, size):
    """This module's steps (the name the conftest's hook looks for, to save FAILED.png there)."""
    return page_shots(request, driver, size)


@pytest.fixture
def world(standin, settings, monkeypatch):
    """A plain member (not staff) of a tenant whose Berlin project publishes to a stand-in account
    with two boards; publish-now runs unpaced against the stand-in. Uploaded files are served."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    connection, boards = standin_account(standin, boards=2)
    tenant = connection.tenant
    member = make_user(tenant=tenant)
    member.set_password(PASSWORD)
    member.save()
    project = make_project(tenant=tenant, connection=connection, name="Berlin kitchen", timezone="Europe/Berlin")
    project_slots_replace(project=project, slots=[(day, time(9)) for day in range(7)])
    article = make_article(project=project, url="https://www.lemon-kitchen.example/recipes/lemon-cake",
                           title="Lemon cake")
    return {"member": member, "project": project, "boards": boards, "article": article}


def picture(tmp_path, name="lemon-cake.png"):
    """A 1000x1500 picture (2:3, as Pinterest likes them) that looks like something in a screenshot."""
    image = Image.new("RGB", (1000, 1500), (250, 204, 21))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1500, 60):
        draw.rectangle([0, step, 1000, step + 30], fill=(253, 224, 71))
    draw.ellipse([200, 450, 800, 1050], fill=(255, 255, 255))
    draw.ellipse([300, 550, 700, 950], fill=(234, 179, 8))
    path = tmp_path / name
    image.save(path)
    return path


def log_in(driver, live_server, member):
    driver.get(f"{live_server.url}/planner/login/")
    assert_accessible(driver, "login")
    driver.find_element(By.NAME, "username").send_keys(member.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "pin-cards") or "No pins here" in d.page_source)


def no_sideways_scroll(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def press(driver, action):
    button = driver.find_element(By.CSS_SELECTOR, f"button[name=action][value={action}]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages, .pl-error"))


def message(driver):
    return driver.find_element(By.CSS_SELECTOR, ".pl-messages").text


def test_compose_an_image_pin_and_save_a_draft(driver, live_server, world, steps, tmp_path):
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/new/")
    assert no_sideways_scroll(driver)
    assert driver.find_element(By.ID, "zone-name").text.startswith("Europe/Berlin")
    # Only the image's fields show.
    assert driver.find_element(By.NAME, "image").is_displayed()
    assert not driver.find_element(By.NAME, "video").is_displayed()
    assert_accessible(driver, "composer new")
    steps.shot("empty composer")

    # The image rules are checked as a file is picked.
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (60, 60), (0, 0, 0)).save(tiny)
    driver.find_element(By.NAME, "image").send_keys(str(tiny))
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-field=image] .pl-error"))
    assert "at least 100 px" in driver.find_element(By.CSS_SELECTOR, "[data-field=image] .pl-error").text
    steps.shot("too small an image")
    driver.find_element(By.NAME, "image").send_keys(str(picture(tmp_path)))
    WebDriverWait(driver, 5).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-field=image] .pl-error"))
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-media img[src^='blob:']"))
    title = driver.find_element(By.NAME, "title")
    title.send_keys("Lemon cake in 20 minutes")
    assert driver.find_element(By.ID, "preview-title").text == "Lemon cake in 20 minutes"
    assert driver.find_element(By.CSS_SELECTOR, "[data-counter-for=title]").text == "24 / 100"
    driver.find_element(By.NAME, "description").send_keys("Bright, easy and done before the oven is hot.")
    assert "before the oven" in driver.find_element(By.ID, "preview-description").text
    Select(driver.find_element(By.NAME, "article")).select_by_visible_text("Lemon cake")
    assert driver.find_element(By.ID, "preview-link").text.endswith("lemon-kitchen.example")
    Select(driver.find_element(By.NAME, "board")).select_by_index(1)
    steps.shot("typed, previewed")

    # Near Pinterest's cut the counter warns, past it it says what will be cut.
    title.send_keys(" " + "x" * 66)
    counter = driver.find_element(By.CSS_SELECTOR, "[data-counter-for=title]")
    assert counter.text == "91 / 100" and "is-near" in counter.get_attribute("class")
    assert "9 characters left" in driver.find_element(By.CSS_SELECTOR, "[data-warning-for=title]").text
    title.send_keys("y" * 20)
    assert "is-over" in counter.get_attribute("class")
    assert "will cut this to 100" in driver.find_element(By.CSS_SELECTOR, "[data-warning-for=title]").text
    assert len(driver.find_element(By.ID, "preview-title").get_attribute("textContent")) == 100
    assert_accessible(driver, "composer counter past the cut")
    steps.shot("counter past the cut")

    press(driver, "draft")
    assert "Draft saved." in message(driver)
    pin = Pin.objects.get(project=world["project"])
    assert pin.status == PinStatus.DRAFT and pin.image and len(pin.title) == 111
    assert driver.current_url.endswith(f"/planner/pins/{pin.pk}/")
    assert driver.find_element(By.CSS_SELECTOR, "#preview-media img").get_attribute("naturalWidth") != "0"
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "composer edit draft")
    steps.shot("draft saved")


def test_schedule_a_draft_in_the_projects_zone(driver, live_server, world, steps):
    pin = make_pin(project=world["project"], board=world["boards"][0], article=world["article"],
                   status=PinStatus.DRAFT, title="Lemon cake in 20 minutes")
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/{pin.pk}/")
    assert "Europe/Berlin" in driver.find_element(By.ID, "zone-name").text
    day = (timezone.now() + timedelta(days=2)).astimezone(BERLIN).date()
    field = driver.find_element(By.NAME, "scheduled_at")
    driver.execute_script("arguments[0].value = arguments[1]", field, f"{day:%Y-%m-%d}T18:45")
    steps.shot("time typed")
    press(driver, "schedule")
    assert "Scheduled for" in message(driver)
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE
    assert pin.scheduled_at == datetime.combine(day, time(18, 45), tzinfo=BERLIN)
    assert driver.find_element(By.NAME, "scheduled_at").get_attribute("value") == f"{day:%Y-%m-%d}T18:45"
    assert driver.find_element(By.ID, "pin-status").text == "Scheduled"
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "composer edit scheduled")
    steps.shot("scheduled")
    driver.get(f"{live_server.url}/planner/pins/")
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pins list after scheduling")
    steps.shot("pins list")


def test_publish_a_pin_now_against_the_standin(driver, live_server, world, steps, standin):
    pin = make_pin(project=world["project"], board=world["boards"][0], article=world["article"],
                   status=PinStatus.DRAFT, title="Lemon cake, published now")
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/{pin.pk}/")
    # The queue's next free slot is shown on its button.
    assert "9:00" in driver.find_element(By.ID, "queue-slot-note").text or "9 a.m." in driver.find_element(
        By.ID, "queue-slot-note").text
    assert_accessible(driver, "composer before publishing")
    steps.shot("before publishing")
    press(driver, "publish")
    assert "Published on Pinterest." in message(driver)
    pin.refresh_from_db()
    assert pin.status == PinStatus.PUBLISHED and standin.created_count() == 1
    assert driver.find_element(By.LINK_TEXT, "View on Pinterest")
    assert not driver.find_elements(By.CSS_SELECTOR, "button[name=action]")
    assert_accessible(driver, "composer published")
    steps.shot("published")


def test_a_failed_pin_shows_its_failure_and_is_retried(driver, live_server, world, steps):
    pin = make_pin(project=world["project"], board=world["boards"][0], article=world["article"],
                   status=PinStatus.ERROR, title="Refused once",
                   error_message="Pinterest refused the image: it is too small (at least 100 px).")
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/{pin.pk}/")
    banner = driver.find_element(By.ID, "failure-banner")
    assert "too small" in banner.text and banner.location["y"] < 200
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "composer failed pin")
    steps.shot("failure banner")
    banner.find_element(By.NAME, "retry").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "Retrying" in message(driver)
    assert not driver.find_elements(By.ID, "failure-banner")
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.error_message == ""
    assert_accessible(driver, "composer retried")
    steps.shot("retried")


def test_the_pins_list_shows_cards_filtered_by_status(driver, live_server, world, steps):
    colors = [(244, 114, 182), (96, 165, 250), (52, 211, 153), (251, 191, 36), (167, 139, 250), (248, 113, 113)]
    statuses = [PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHED, PinStatus.DRAFT,
                PinStatus.ERROR, PinStatus.READY_TO_SCHEDULE]
    soon = timezone.now() + timedelta(days=1)
    for n, (color, status) in enumerate(zip(colors, statuses, strict=True)):
        pin = make_pin(project=world["project"], board=world["boards"][n % 2], article=world["article"],
                       status=status, title=f"Summer recipe {n + 1}", with_image=False,
                       scheduled_at=soon + timedelta(hours=n) if status == PinStatus.READY_TO_SCHEDULE else None,
                       published_at=timezone.now() if status == PinStatus.PUBLISHED else None)
        pin.image.save(f"summer{n}.png", ContentFile(png_bytes(400, 600, color=color)))
    log_in(driver, live_server, world["member"])
    cards = driver.find_elements(By.CSS_SELECTOR, "#pin-cards .pl-pin-card")
    assert len(cards) == 6 and no_sideways_scroll(driver)
    assert_accessible(driver, "pins list")
    steps.shot("all pins")
    Select(driver.find_element(By.NAME, "status")).select_by_value("draft")
    driver.find_element(By.CSS_SELECTOR, ".pl-filters button").click()
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#pin-cards .pl-pin-card")) == 2)
    assert {card.get_attribute("data-status") for card in driver.find_elements(By.CSS_SELECTOR, ".pl-pin-card")} == {
        "draft"}
    assert_accessible(driver, "pins list filtered")
    steps.shot("drafts only")


def test_a_carousel_previews_as_swipeable_items(driver, live_server, world, steps, tmp_path):
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/new/")
    driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=carousel]").click()
    assert not driver.find_element(By.NAME, "image").is_displayed()
    for index in range(3):
        driver.find_element(By.NAME, f"carousel-{index}-image").send_keys(str(picture(tmp_path, f"item{index}.png")))
    WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview-swipe img")) == 3)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#preview-dots span")) == 3
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "composer carousel preview")
    steps.shot("carousel preview")
