"""A marketer plans on the calendar, in a real browser at 1400x900 and at 390x844 (a phone, where the
week is a list of days and the drafts a strip above it): a pin dragged to a new time is stored
there, a refused drag snaps back with the reason, a draft dragged from the sidebar onto a free
queue slot is scheduled there, the "move to" control does the same from the keyboard, and a click
on an empty time opens the composer at that time. The drag is driven with the mouse (pointer
events) at both widths; a phone's finger uses the "move to" control. Full-page screenshots go to
``artifacts/browser/planner/calendar-<test>-<width>/``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from publishing.models import CarouselItem, Pin, PinKind, PinStatus
from publishing.services.demo import DEMO_VIDEO
from publishing.services.queue_slots import project_slots_replace
from tests.browser.axe import assert_accessible
from tests.browser.conftest import artifacts_dir
from tests.browser.test_planner_composer import PASSWORD, SIZES, PageShots, no_sideways_scroll
from tests.factories import make_article, make_board, make_connection, make_pin, make_project, make_user, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
COLORS = [(244, 114, 182), (96, 165, 250), (52, 211, 153), (251, 191, 36), (167, 139, 250), (248, 113, 113)]


@pytest.fixture(params=list(SIZES))
def size(request, driver):
    width, height = SIZES[request.param]
    driver.set_window_size(width, height)
    yield request.param
    driver.set_window_size(1400, 1000)


@pytest.fixture
def steps(request, driver, size):
    test = request.node.originalname.removeprefix("test_")
    directory = artifacts_dir() / "planner" / f"calendar-{test}-{SIZES[size][0]}"
    for old in directory.glob("*.png"):
        old.unlink()
    driver.delete_all_cookies()
    return PageShots(driver, directory)


def monday_next_week() -> date:
    today = timezone.now().astimezone(BERLIN).date()
    return today + timedelta(days=7 - today.weekday())


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def pictured(pin: Pin, n: int) -> Pin:
    pin.image.save(f"cal{n}.png", ContentFile(png_bytes(400, 600, color=COLORS[n % len(COLORS)])))
    return pin


@pytest.fixture
def world(settings):
    """A member of a tenant whose Berlin project posts daily at 09:00, next week's pins of each kind
    (one on an archived board), and a draft."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    connection = make_connection()
    tenant = connection.tenant
    member = make_user(tenant=tenant)
    member.set_password(PASSWORD)
    member.save()
    board = make_board(connection=connection, name="Summer recipes")
    archived = make_board(connection=connection, name="Old board", is_archived=True)
    project = make_project(tenant=tenant, connection=connection, name="Berlin kitchen", timezone="Europe/Berlin")
    project_slots_replace(project=project, slots=[(day, time(9)) for day in range(7)])
    article = make_article(project=project, url="https://www.lemon-kitchen.example/recipes")
    monday = monday_next_week()

    def pin(n, **fields):
        return make_pin(project=project, board=fields.pop("board", board), article=article, with_image=False, **fields)

    lemon = pictured(pin(0, title="Lemon cake in 20 minutes", scheduled_at=berlin(monday, 10)), 0)
    salads = pin(1, title="Five summer salads", kind=PinKind.CAROUSEL, scheduled_at=berlin(monday + timedelta(1), 12))
    for position in range(3):
        item = CarouselItem(pin=salads, position=position)
        item.image.save(f"salad{position}.png", ContentFile(png_bytes(400, 400, color=COLORS[position + 1])))
    video = pin(2, title="Pasta in 10 minutes (video)", kind=PinKind.VIDEO,
                scheduled_at=berlin(monday + timedelta(2), 18))
    video.cover_image.save("cover.png", ContentFile(png_bytes(400, 600, color=COLORS[3])))
    video.video.save("pasta.mp4", ContentFile(DEMO_VIDEO.read_bytes()))
    old = pictured(pin(3, title="Pinned to an archived board", board=archived,
                       scheduled_at=berlin(monday + timedelta(2), 11)), 4)
    draft = pictured(pin(4, title="Berry tart", status=PinStatus.DRAFT), 5)
    return {"member": member, "project": project, "monday": monday, "lemon": lemon, "old": old, "draft": draft,
            "video": video, "salads": salads}


def open_week(driver, live_server, world):
    driver.get(f"{live_server.url}/planner/login/")
    driver.find_element(By.NAME, "username").send_keys(world["member"].username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/planner/pins/" in d.current_url)
    driver.get(f"{live_server.url}/planner/calendar/?view=week&project={world['project'].pk}"
               f"&date={world['monday']:%Y-%m-%d}")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".cal-week"))


def pin_element(driver, pin):
    return driver.find_element(By.CSS_SELECTOR, f".cal-pin[data-pin='{pin.pk}']")


def drag(driver, element, target, *, top=False):
    """Drag with the mouse: press on ``element``, move a little, then onto ``target`` (its top edge
    when ``top``: the hour's first quarter), release."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    link = element.find_element(By.CSS_SELECTOR, ".cal-pin-link")
    offset = -target.size["height"] // 2 + 4 if top else 0
    (ActionChains(driver).move_to_element(link).click_and_hold().move_by_offset(12, 12)
     .move_to_element_with_offset(target, 0, offset).pause(0.1).release().perform())


def toast(driver):
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "cal-toast").is_displayed())
    return driver.find_element(By.ID, "cal-toast").text


def message(driver):
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    return driver.find_element(By.CSS_SELECTOR, ".pl-messages").text


def test_the_week_month_and_agenda(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    assert "Europe/Berlin" in driver.find_element(By.ID, "cal-zone").text
    assert no_sideways_scroll(driver)
    # Each kind looks like itself: the image, the carousel's first image, the video's cover.
    for pin in (world["lemon"], world["salads"], world["video"]):
        image = pin_element(driver, pin).find_element(By.CSS_SELECTOR, ".cal-thumb img")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0
    assert pin_element(driver, world["salads"]).find_elements(By.CSS_SELECTOR, ".cal-kind-carousel .cal-kind-badge")
    assert pin_element(driver, world["video"]).find_elements(By.CSS_SELECTOR, ".cal-kind-video .cal-kind-badge")
    assert driver.find_elements(By.CSS_SELECTOR, ".cal-free[data-exact]")
    assert_accessible(driver, "calendar week")
    steps.shot("week")
    driver.find_element(By.CSS_SELECTOR, "[data-view-link=month]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".cal-month"))
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "calendar month")
    steps.shot("month")
    driver.find_element(By.CSS_SELECTOR, "[data-view-link=agenda]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".cal-agenda"))
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "calendar agenda")
    steps.shot("agenda")
    # Across the tenant: the first project's zone, named.
    driver.get(f"{live_server.url}/planner/calendar/?view=month&date={world['monday']:%Y-%m-%d}")
    assert "the zone of Berlin kitchen" in driver.find_element(By.CSS_SELECTOR, ".cal-head").text
    assert no_sideways_scroll(driver)
    steps.shot("month across the tenant")
    # The account filter sits in the bar with the others and keeps the account's pins.
    Select(driver.find_element(By.ID, "cal-account")).select_by_visible_text(str(world["project"].pinterest_connection))
    driver.find_element(By.CSS_SELECTOR, ".cal-filters button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "account=" in d.current_url)
    assert pin_element(driver, world["lemon"]) and no_sideways_scroll(driver)
    steps.shot("month of one account")


def test_drag_a_pin_to_a_new_time(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    thursday = world["monday"] + timedelta(3)
    if driver.execute_script("return window.innerWidth") > 760:
        target = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{thursday}'] "
                                                      f".cal-hour[data-at^='{thursday}T14:00']")
        expected = berlin(thursday, 14)
    else:  # the phone's list: dropped on the next day, at the pin's own time
        thursday = world["monday"] + timedelta(1)
        target = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{thursday}']")
        expected = berlin(thursday, 10)
    drag(driver, pin_element(driver, world["lemon"]), target, top=True)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "Moved to" in message(driver)
    world["lemon"].refresh_from_db()
    assert world["lemon"].scheduled_at == expected
    assert driver.find_elements(By.CSS_SELECTOR, f".cal-wk-day[data-date='{thursday}'] "
                                                 f".cal-pin[data-pin='{world['lemon'].pk}']")
    assert no_sideways_scroll(driver)
    steps.shot("moved")


def test_a_refused_drag_snaps_back_with_its_reason(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    friday = world["monday"] + timedelta(4 if driver.execute_script("return window.innerWidth") > 760 else 3)
    before = Pin.objects.get(pk=world["old"].pk)
    pin = pin_element(driver, world["old"])
    origin = pin.find_element(By.XPATH, "ancestor::*[@data-at][1]").get_attribute("data-at")
    target = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{friday}']" + (
        f" .cal-hour[data-at^='{friday}T15:00']" if driver.execute_script("return window.innerWidth") > 760 else ""))
    drag(driver, pin, target)
    text = toast(driver)
    assert "Not moved" in text and "archived" in text
    WebDriverWait(driver, 5).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".cal-ghost"))
    pin = pin_element(driver, world["old"])
    assert pin.find_element(By.XPATH, "ancestor::*[@data-at][1]").get_attribute("data-at") == origin
    assert "archived" in pin.get_attribute("data-refused")
    assert Pin.objects.get(pk=world["old"].pk).scheduled_at == before.scheduled_at
    steps.shot("snapped back with the reason")


def test_drag_a_draft_from_the_sidebar_onto_a_free_slot(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    monday = world["monday"]
    slot = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{monday}'] .cal-free[data-exact]")
    steps.shot("a draft and free slots")
    drag(driver, pin_element(driver, world["draft"]), slot)
    assert "Scheduled for" in message(driver)
    world["draft"].refresh_from_db()
    assert world["draft"].status == PinStatus.READY_TO_SCHEDULE
    assert world["draft"].scheduled_at == berlin(monday, 9)
    assert not driver.find_elements(By.CSS_SELECTOR, f"#drafts .cal-pin[data-pin='{world['draft'].pk}']")
    steps.shot("the draft in the slot")


def test_the_keyboard_moves_a_pin_with_the_move_to_control(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    saturday = world["monday"] + timedelta(5)
    pin = pin_element(driver, world["video"])
    summary = pin.find_element(By.CSS_SELECTOR, ".cal-move summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", summary)
    summary.send_keys(Keys.ENTER)
    field = pin.find_element(By.CSS_SELECTOR, "input[name=at]")
    WebDriverWait(driver, 5).until(lambda d: field.is_displayed())
    assert field.get_attribute("value") == f"{world['monday'] + timedelta(2)}T18:00"
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].focus()", field, f"{saturday}T08:30")
    steps.shot("move to typed")
    field.send_keys(Keys.ENTER)
    assert "Moved to" in message(driver)
    world["video"].refresh_from_db()
    assert world["video"].scheduled_at == berlin(saturday, 8, 30)
    assert no_sideways_scroll(driver)
    steps.shot("moved by the keyboard")


def test_a_click_on_an_empty_time_opens_the_composer_there(driver, live_server, world, steps):
    open_week(driver, live_server, world)
    sunday = world["monday"] + timedelta(6)
    if driver.execute_script("return window.innerWidth") > 760:
        cell = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{sunday}'] "
                                                    f".cal-hour[data-at^='{sunday}T16:00'] .cal-add")
        expected = f"{sunday}T16:00"
    else:  # the phone's list shows the free times: a free slot is the empty time to tap
        cell = driver.find_element(By.CSS_SELECTOR, f".cal-wk-day[data-date='{sunday}'] .cal-free")
        expected = f"{sunday}T09:00"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    ActionChains(driver).move_to_element(cell).pause(0.1).perform()
    steps.shot("an empty time")
    cell.click()
    WebDriverWait(driver, 10).until(lambda d: "/planner/pins/new/" in d.current_url)
    assert driver.find_element(By.NAME, "scheduled_at").get_attribute("value") == expected
    assert driver.find_element(By.ID, "zone-name").text.startswith("Europe/Berlin")
    steps.shot("the composer at that time")
