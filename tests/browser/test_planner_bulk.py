"""A marketer works in bulk and composes each kind, in a real browser at 1400x900 and 390x844: a
carousel composed, its items reordered by dragging and by the keyboard, and published against the
stand-in in the order shown; a video pin composed and published; images dropped on the bulk page
(Selenium cannot synthesise an operating system's file drag, so the paths are sent to the page's
``multiple`` file input, which the drop fills in a person's browser); many pins selected on the
list and scheduled spaced apart, then deleted. Every page is checked with axe-core
(``tests.browser.axe``). Full-page screenshots go to ``artifacts/browser/planner/bulk-<test>-<width>/``.
"""

from __future__ import annotations

import time as time_module
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from publishing.models import Pin, PinKind, PinStatus
from publishing.services.demo import DEMO_VIDEO, demo_seed
from tests.browser import test_planner_composer as composer_tests
from tests.browser.axe import assert_accessible
from tests.browser.conftest import artifacts_dir
from tests.browser.test_planner_composer import BERLIN, PASSWORD, SIZES, PageShots, message, no_sideways_scroll, press
from tests.factories import make_pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The composer's tests' world (a member, a Berlin project publishing to the stand-in) and sizes.
world = composer_tests.world
size = composer_tests.size
COLORS = [(244, 114, 182), (96, 165, 250), (52, 211, 153), (251, 191, 36), (167, 139, 250)]


@pytest.fixture
def steps(request, driver, size):  # this module's directory
    test = request.node.originalname.removeprefix("test_").replace("_", "-")
    directory = artifacts_dir() / "planner" / f"bulk-{test}-{SIZES[size][0]}"
    for old in directory.glob("*.png"):
        old.unlink()
    driver.delete_all_cookies()
    return PageShots(driver, directory)


def numbered(tmp_path, name, n, dimensions=(1000, 1500)):
    """A picture of one color with a white disc, so a screenshot shows which is which."""
    width, height = dimensions
    image = Image.new("RGB", dimensions, COLORS[n % len(COLORS)])
    draw = ImageDraw.Draw(image)
    draw.ellipse([width // 4, height // 3, 3 * width // 4, height // 3 + width // 2], fill=(255, 255, 255))
    draw.text((width // 2 - 10, height // 3 + width // 4 - 10), str(n + 1), fill=(17, 24, 39))
    path = tmp_path / name
    image.save(path)
    return path


def log_in(driver, live_server, member, steps=None):
    """The planner's login, checked with axe before signing in."""
    driver.get(f"{live_server.url}/planner/login/")
    assert_accessible(driver, "login")
    if steps is not None:
        steps.shot("login")
    driver.find_element(By.NAME, "username").send_keys(member.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/planner/pins/" in d.current_url)


def order_shown(driver):
    return [row.get_attribute("data-carousel-row")
            for row in driver.find_elements(By.CSS_SELECTOR, "#carousel-rows > li") if row.is_displayed()]


def center(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)


def test_compose_a_carousel_reorder_it_by_drag_and_keyboard_and_publish_it(driver, live_server, world, steps, standin,
                                                                           tmp_path):
    log_in(driver, live_server, world["member"], steps)
    driver.get(f"{live_server.url}/planner/pins/new/")
    driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=carousel]").click()
    for index in range(3):
        picked = numbered(tmp_path, f"s{index}.png", index)
        driver.find_element(By.NAME, f"carousel-{index}-image").send_keys(str(picked))
        driver.find_element(By.NAME, f"carousel-{index}-title").send_keys(f"Step {index + 1}")
        driver.find_element(By.NAME, f"carousel-{index}-link").send_keys(f"https://www.kitchen.example/s{index + 1}")
    WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview-swipe img")) == 3)
    driver.find_element(By.NAME, "title").send_keys("Lemon cake in three steps")
    Select(driver.find_element(By.NAME, "article")).select_by_visible_text("Lemon cake")
    Select(driver.find_element(By.NAME, "board")).select_by_index(1)
    assert order_shown(driver) == ["0", "1", "2", "3"]  # three filled, one to fill
    assert_accessible(driver, "composer new carousel")
    steps.shot("carousel composed")

    # Drag the second item by its picture above the first.
    first = driver.find_element(By.CSS_SELECTOR, "[data-carousel-row='0'] [data-drag-handle]")
    second = driver.find_element(By.CSS_SELECTOR, "[data-carousel-row='1'] [data-drag-handle]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -90)", first)
    ActionChains(driver).click_and_hold(second).move_to_element_with_offset(first, 0, -first.size["height"] // 2 + 4) \
        .pause(0.2).release().perform()
    assert order_shown(driver)[:3] == ["1", "0", "2"]
    assert driver.find_element(By.NAME, "carousel-order").get_attribute("value").startswith("1,0,2")
    assert "moved to position 1" in driver.find_element(By.ID, "carousel-moved").get_attribute("textContent")
    steps.shot("dragged second to first")

    # The keyboard alternative: the third item's "Move up", pressed with the keyboard.
    button = driver.find_element(By.CSS_SELECTOR, "[data-carousel-row='2'] [data-move='-1']")
    center(driver, button)
    assert button.get_attribute("aria-label") == "Move image 3 up"
    driver.execute_script("arguments[0].focus()", button)
    ActionChains(driver).send_keys(Keys.SPACE).perform()
    assert order_shown(driver)[:3] == ["1", "2", "0"]
    assert driver.switch_to.active_element.get_attribute("data-move") == "-1"  # focus stays on the button
    steps.shot("moved up by keyboard")

    press(driver, "publish")
    assert "Published on Pinterest." in message(driver), message(driver)
    pin = Pin.objects.get(project=world["project"])
    assert pin.kind == PinKind.CAROUSEL and pin.status == PinStatus.PUBLISHED and standin.created_count() == 1
    items = list(pin.carousel_items.order_by("position"))
    assert [(item.title, item.link[-2:]) for item in items] == [("Step 2", "s2"), ("Step 3", "s3"), ("Step 1", "s1")]
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "composer published carousel")
    steps.shot("carousel published")


def test_compose_a_video_pin_and_publish_it(driver, live_server, world, steps, standin, tmp_path):
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/pins/new/")
    driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=video]").click()
    driver.find_element(By.NAME, "video").send_keys(str(DEMO_VIDEO))
    driver.find_element(By.NAME, "cover_image").send_keys(str(numbered(tmp_path, "cover.png", 3)))
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-media video[poster^='blob:']"))
    driver.find_element(By.NAME, "title").send_keys("Soup in four seconds")
    Select(driver.find_element(By.NAME, "article")).select_by_visible_text("Lemon cake")
    Select(driver.find_element(By.NAME, "board")).select_by_index(1)
    assert_accessible(driver, "composer new video")
    steps.shot("video composed")
    press(driver, "publish")
    said = message(driver)
    assert "Published on Pinterest." in said or "in the background" in said, said
    pin = Pin.objects.get(project=world["project"])
    for _ in range(30):
        pin.refresh_from_db()
        if pin.status == PinStatus.PUBLISHED:
            break
        time_module.sleep(1)
    assert pin.kind == PinKind.VIDEO and pin.status == PinStatus.PUBLISHED, (pin.status, pin.error_message)
    assert standin.creations[-1].media_kind == "video"
    driver.refresh()
    assert_accessible(driver, "composer published video")
    steps.shot("video published")


def test_drop_images_on_the_bulk_page(driver, live_server, world, steps, tmp_path):
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/bulk/")
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "bulk page")
    steps.shot("bulk page")
    files = [numbered(tmp_path, name, n, dimensions=(400, 600)) for n, name in enumerate(
        ["lemon_cake-slice.png", "summer--salad.png", "green-smoothie.png"])]
    files.insert(2, numbered(tmp_path, "tiny_icon.png", 4, dimensions=(60, 60)))
    Select(driver.find_element(By.NAME, "article")).select_by_visible_text("Lemon cake")
    Select(driver.find_element(By.NAME, "board")).select_by_index(1)
    # What a drop does in a person's browser: the files go into the page's multiple file input.
    driver.find_element(By.NAME, "images").send_keys("\n".join(str(path) for path in files))
    WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#bulk-files li")) == 4)
    titles = [node.text for node in driver.find_elements(By.CSS_SELECTOR, "#bulk-files strong")]
    assert titles == ["lemon cake slice", "summer salad", "tiny icon", "green smoothie"]
    assert driver.find_element(By.ID, "bulk-count").text.startswith("4 images")
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#bulk-files li.is-refused"))
    assert "at least 100 px" in driver.find_element(By.CSS_SELECTOR, "#bulk-files li.is-refused").text
    assert no_sideways_scroll(driver)
    steps.shot("images chosen")
    button = driver.find_element(By.ID, "bulk-create")
    center(driver, button)
    button.click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "summary"))
    summary = driver.find_element(By.ID, "summary")
    assert "3 of 4 images made drafts" in summary.text
    refused = summary.find_elements(By.CSS_SELECTOR, ".is-refused")
    assert len(refused) == 1 and "tiny_icon.png" in refused[0].text and "100" in refused[0].text
    assert sorted(Pin.objects.filter(project=world["project"]).values_list("title", flat=True)) == [
        "green smoothie", "lemon cake slice", "summer salad"]
    assert Select(driver.find_element(By.NAME, "article")).first_selected_option.text == "Lemon cake"  # kept
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "bulk page summary")
    steps.shot("drafts made, one refused")


def test_select_many_pins_schedule_them_spaced_then_delete_them(driver, live_server, world, steps):
    pins = [make_pin(project=world["project"], board=world["boards"][0], article=world["article"],
                     status=PinStatus.DRAFT, title=f"Autumn recipe {n + 1}") for n in range(4)]
    published = make_pin(project=world["project"], board=world["boards"][0], article=world["article"],
                         status=PinStatus.PUBLISHED, published_at=timezone.now(), title="Already out")
    log_in(driver, live_server, world["member"])
    assert_accessible(driver, "pins list")
    steps.shot("pins list")
    for pin in pins[:3]:
        box = driver.find_element(By.CSS_SELECTOR, f"[data-pin='{pin.pk}'] input[name=pins]")
        center(driver, box)
        box.click()
    assert driver.find_element(By.ID, "selected-count").text == "3 selected"
    Select(driver.find_element(By.NAME, "action")).select_by_value("schedule")
    day = (timezone.now() + timedelta(days=2)).astimezone(BERLIN).date()
    start = driver.find_element(By.NAME, "start_at")
    assert start.is_displayed() and not driver.find_element(By.NAME, "board").is_displayed()
    driver.execute_script("arguments[0].value = arguments[1]", start, f"{day:%Y-%m-%d}T09:30")
    every = driver.find_element(By.NAME, "every")
    every.clear()
    every.send_keys("3")
    Select(driver.find_element(By.NAME, "unit")).select_by_value("hours")
    assert_accessible(driver, "pins list with selection")
    steps.shot("three selected, spaced schedule")
    apply = driver.find_element(By.ID, "bulk-apply")
    center(driver, apply)
    apply.click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "summary"))
    assert "Scheduled, spaced apart: 3 of 3 pins" in driver.find_element(By.ID, "summary").text
    shown = {pin.pk: pin for pin in Pin.objects.filter(pk__in=[pin.pk for pin in pins])}
    first = datetime.combine(day, time(9, 30), tzinfo=BERLIN)
    assert {shown[pin.pk].scheduled_at for pin in pins[:3]} == {first + timedelta(hours=3 * k) for k in range(3)}
    assert shown[pins[3].pk].status == PinStatus.DRAFT
    badges = [card.find_element(By.CSS_SELECTOR, ".pl-badge").text
              for card in driver.find_elements(By.CSS_SELECTOR, ".pl-pin-card[data-status=ready_to_schedule]")]
    assert badges == ["Scheduled"] * 3
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pins list summary")
    steps.shot("scheduled summary")

    # Delete two drafts and the published pin's record: asked first, then each line says what happened.
    for pin in (pins[3], published):
        box = driver.find_element(By.CSS_SELECTOR, f"[data-pin='{pin.pk}'] input[name=pins]")
        center(driver, box)
        box.click()
    Select(driver.find_element(By.NAME, "action")).select_by_value("delete")
    apply = driver.find_element(By.ID, "bulk-apply")
    center(driver, apply)
    apply.click()
    alert = WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
    assert "Delete 2 pins?" in alert.text
    alert.accept()
    WebDriverWait(driver, 20).until(lambda d: "Deleted" in d.find_element(By.ID, "summary").text)
    assert not Pin.objects.filter(pk__in=[pins[3].pk, published.pk]).exists()
    steps.shot("deleted summary")


def test_the_demo_opens_on_the_planner_with_its_pins(driver, live_server, steps, settings):
    """``make run``'s first page: the root, signed in as the demo's owner, is the planner's pins."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    seeded = demo_seed()
    driver.get(f"{live_server.url}/")
    assert "/planner/login/" in driver.current_url
    driver.find_element(By.NAME, "username").send_keys(seeded.username)
    driver.find_element(By.NAME, "password").send_keys(seeded.password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "pin-cards"))
    driver.get(f"{live_server.url}/")
    assert driver.current_url == f"{live_server.url}/planner/pins/"
    cards = driver.find_elements(By.CSS_SELECTOR, "#pin-cards .pl-pin-card")
    assert len(cards) == min(seeded.pins_total, 24)
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pins list of the demo")
    steps.shot("demo pins")


def test_select_many_pins_and_publish_them_now_against_the_standin(driver, live_server, world, steps, standin):
    pins = [make_pin(project=world["project"], board=world["boards"][n % 2], article=world["article"],
                     status=PinStatus.DRAFT, title=f"Winter soup {n + 1}") for n in range(2)]
    log_in(driver, live_server, world["member"])
    driver.find_element(By.ID, "select-all").click()
    assert driver.find_element(By.ID, "selected-count").text == "2 selected"
    Select(driver.find_element(By.NAME, "action")).select_by_value("publish")
    steps.shot("two selected, publish now")
    apply = driver.find_element(By.ID, "bulk-apply")
    center(driver, apply)
    apply.click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "summary"))
    summary = driver.find_element(By.ID, "summary").text
    assert "Published now: 2 of 2 pins" in summary, summary
    assert_accessible(driver, "pins list after publishing")
    steps.shot("published summary")
    # One batch, paced per account by the background publishers (run at once here): each pin once.
    for _ in range(30):
        if standin.created_count() == 2:
            break
        time_module.sleep(1)
    assert standin.created_count() == 2
    assert {pin.status for pin in Pin.objects.filter(pk__in=[pin.pk for pin in pins])} == {PinStatus.PUBLISHED}
