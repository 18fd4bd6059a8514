"""A tenant owner plans and publishes beyond one image, in a real browser at 1400 px: the
calendar (week and month, per project and across the tenant), posting slots and "Add to
queue", a carousel pin, a video pin published against the stand-in, a board section.
Each step leaves a screenshot (tests/browser/conftest.py)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_q.conf import Conf
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pinterest.models import BoardSection
from publishing.models import CarouselItem, Pin, PinKind, PinStatus, PostingSlot, PublishBatch
from publishing.services import content
from publishing.services.demo import DEMO_VIDEO
from tests.browser.test_admin_flows import PASSWORD, fits, log_in, run_action
from tests.factories import image_upload, make_article, make_pin, make_project, make_user
from tests.publishing.helpers import standin_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
# A summer week (Berlin is UTC+2): Monday 2 June to Sunday 8 June 2025.
WEEK = "2025-06-04"


@pytest.fixture
def planner(standin, settings, monkeypatch):
    """A tenant's staff owner and a Berlin project on a stand-in account with two boards.
    django-q2 tasks run in the server's thread, unpaced, so a publish finishes while we watch."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    connection, boards = standin_account(standin, boards=2)
    tenant = connection.tenant
    owner = make_user(tenant=tenant, is_staff=True)
    owner.set_password(PASSWORD)
    owner.save()
    project = make_project(tenant=tenant, connection=connection, name="Berlin kitchen", timezone="Europe/Berlin")
    return {"owner": owner, "tenant": tenant, "connection": connection, "project": project, "boards": boards}


def open_admin(driver, live_server, path):
    driver.get(f"{live_server.url}{path}")


def save(driver, name="_continue"):
    driver.find_element(By.NAME, name).click()
    WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist, .errornote")
    )


def calendar_days(driver):
    """{"YYYY-MM-DD": [pin id (str), ...]} of the calendar grid on the page."""
    return {
        cell.get_attribute("data-date"): [
            entry.get_attribute("data-pin") for entry in cell.find_elements(By.CSS_SELECTOR, ".pp-entry")
        ]
        for cell in driver.find_elements(By.CSS_SELECTOR, ".pp-cal-grid td.pp-day")
    }


def border_colour(driver, pin):
    return driver.execute_script(
        "return getComputedStyle(document.querySelector(`.pp-entry[data-pin='${arguments[0]}'] a`)).borderLeftColor;",
        str(pin.pk),
    )


# --- Calendar --------------------------------------------------------------------------------


def test_the_calendar_puts_each_pin_on_its_local_day_in_week_and_month_views(driver, live_server, planner, steps):
    project, board = planner["project"], planner["boards"][0]
    utc = lambda *args: datetime(*args, tzinfo=UTC)  # noqa: E731
    # Each moment is just before midnight UTC: on the next day in Berlin.
    scheduled = make_pin(project=project, board=board, title="Scheduled soup",
                         status=PinStatus.READY_TO_SCHEDULE, scheduled_at=utc(2025, 6, 2, 22, 30))
    published = make_pin(project=project, board=board, title="Published salad", status=PinStatus.PUBLISHED,
                         published_at=utc(2025, 6, 4, 23, 15), pinterest_pin_id="77",
                         pinterest_pin_url="https://www.pinterest.com/pin/77/")
    failed = make_pin(project=project, board=board, title="Failed stew", status=PinStatus.ERROR,
                      scheduled_at=utc(2025, 6, 6, 22, 45), error_message="Pinterest refused the image.")
    make_pin(project=project, board=board, title="Just a draft", status=PinStatus.DRAFT)
    other = make_project(tenant=planner["tenant"], connection=planner["connection"], name="Garden notes")
    other_pin = make_pin(project=other, board=board, title="Garden pin", status=PinStatus.READY_TO_SCHEDULE,
                         scheduled_at=utc(2025, 6, 5, 10, 0))
    make_pin(status=PinStatus.READY_TO_SCHEDULE, title="Another tenant's pin", scheduled_at=utc(2025, 6, 5, 10, 0))
    log_in(driver, live_server, planner["owner"])

    open_admin(driver, live_server, f"/admin/publishing/blogproject/{project.pk}/calendar/?view=week&date={WEEK}")
    days = calendar_days(driver)
    assert list(days) == [f"2025-06-0{n}" for n in range(2, 9)]
    assert days == {"2025-06-02": [], "2025-06-03": [str(scheduled.pk)], "2025-06-04": [],
                    "2025-06-05": [str(published.pk)], "2025-06-06": [], "2025-06-07": [str(failed.pk)],
                    "2025-06-08": []}
    note = driver.find_element(By.CSS_SELECTOR, ".pp-cal-zone .pp-zone-note")
    assert note.text == "Times in Europe/Berlin, the project's time zone." and note.rect["height"] < 30
    soup = driver.find_element(By.CSS_SELECTOR, f".pp-entry[data-pin='{scheduled.pk}']").text
    assert "00:30 CEST" in soup and "Scheduled soup" in soup, soup
    colours = {border_colour(driver, pin) for pin in (scheduled, published, failed)}
    assert len(colours) == 3, colours
    assert "Garden pin" not in driver.page_source and "Just a draft" not in driver.page_source
    assert fits(driver, ".pp-cal-grid"), "the week view needs sideways scrolling at 1400 px"
    steps.shot("project week")

    open_admin(driver, live_server, f"/admin/publishing/blogproject/{project.pk}/calendar/?view=month&date={WEEK}")
    days = calendar_days(driver)
    assert (len(days), min(days), max(days)) == (42, "2025-05-26", "2025-07-06")  # 1 June is a Sunday
    assert {day: pins for day, pins in days.items() if pins} == {
        "2025-06-03": [str(scheduled.pk)], "2025-06-05": [str(published.pk)], "2025-06-07": [str(failed.pk)]}
    assert driver.find_element(By.CSS_SELECTOR, ".pp-cal-period").text == "June 2025"
    assert fits(driver, ".pp-cal-grid"), "the month view needs sideways scrolling at 1400 px"
    steps.shot("project month")

    driver.find_element(By.CSS_SELECTOR, f".pp-entry[data-pin='{failed.pk}'] a").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith(f"/admin/publishing/pin/{failed.pk}/change/"))
    assert "Pinterest refused the image." in driver.find_element(By.ID, "content-main").text
    steps.shot("pin opened from the calendar")

    open_admin(driver, live_server, f"/admin/publishing/blogproject/calendar/?view=week&date={WEEK}")
    days = calendar_days(driver)
    assert days["2025-06-05"] == [str(published.pk), str(other_pin.pk)]  # 01:15 Berlin, then 10:00 UTC
    garden = driver.find_element(By.CSS_SELECTOR, f".pp-entry[data-pin='{other_pin.pk}']").text
    assert "Garden notes" in garden and "10:00 UTC" in garden, garden
    assert "Berlin kitchen" in driver.find_element(By.CSS_SELECTOR, f".pp-entry[data-pin='{published.pk}']").text
    assert "Another tenant's pin" not in driver.page_source
    assert fits(driver, ".pp-cal-grid"), "the tenant's calendar needs sideways scrolling at 1400 px"
    steps.shot("tenant week")


# --- Posting slots and the queue ---------------------------------------------------------------


def add_slot_row(driver, row, *, weekday, at):
    driver.find_element(By.CSS_SELECTOR, "#posting_slots-group .add-row a").click()
    Select(driver.find_element(By.NAME, f"posting_slots-{row}-weekday")).select_by_value(str(weekday))
    field = driver.find_element(By.NAME, f"posting_slots-{row}-local_time")
    field.clear()
    field.send_keys(at)


def test_an_owner_sets_the_zone_and_slots_then_queues_two_drafts_into_the_next_free_slots(
    driver, live_server, planner, steps
):
    project, board = planner["project"], planner["boards"][0]
    project.timezone = "UTC"
    project.save()
    first = make_pin(project=project, board=board, status=PinStatus.DRAFT, title="Queue me first")
    second = make_pin(project=project, board=board, status=PinStatus.DRAFT, title="Queue me second")
    make_pin(project=project, board=board, status=PinStatus.DRAFT, title="Stay a draft")
    # Slots two and four days ahead (Berlin days): which slots come next does not depend on the hour.
    today = timezone.now().astimezone(BERLIN).date()
    soon, later = today + timedelta(days=2), today + timedelta(days=4)
    log_in(driver, live_server, planner["owner"])

    open_admin(driver, live_server, f"/admin/publishing/blogproject/{project.pk}/change/")
    zone = driver.find_element(By.NAME, "timezone")
    zone.clear()
    zone.send_keys("Europe/Berlin")
    add_slot_row(driver, 0, weekday=later.weekday(), at="18:30")
    add_slot_row(driver, 1, weekday=soon.weekday(), at="09:00")
    steps.shot("zone and slots")
    save(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, ".errornote"), driver.find_element(By.ID, "content-main").text
    project.refresh_from_db()
    assert project.timezone == "Europe/Berlin"
    assert sorted(PostingSlot.objects.filter(project=project).values_list("weekday", "local_time")) == sorted(
        [(later.weekday(), time(18, 30)), (soon.weekday(), time(9, 0))])
    steps.shot("project saved")

    message = run_action(driver, live_server, status="draft", titles=["Queue me first", "Queue me second"],
                         action="add_to_queue")
    steps.shot("two drafts queued")
    expected = [datetime.combine(soon, time(9, 0), BERLIN), datetime.combine(later, time(18, 30), BERLIN)]
    for pin, at in zip((first, second), expected, strict=True):
        pin.refresh_from_db()
        assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at == at
        assert f"“{pin.title}” queued for {at:%a %d %b %Y %H:%M} Europe/Berlin." in message, message
    assert Pin.objects.get(title="Stay a draft").scheduled_at is None

    open_admin(driver, live_server, "/admin/publishing/pin/?status__exact=ready_to_schedule")
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr") if "Queue me first" in r.text)
    shown = row.find_element(By.CSS_SELECTOR, ".field-scheduled").text  # Berlin's wall time, its zone named
    assert "9 a.m." in shown and shown.endswith(expected[0].tzname()), shown
    assert fits(driver, "#result_list")
    steps.shot("queued pins listed")


# --- Carousel ----------------------------------------------------------------------------------


def fill_new_pin(driver, *, project, article, board, title):
    Select(driver.find_element(By.NAME, "project")).select_by_value(str(project.pk))
    Select(driver.find_element(By.NAME, "article")).select_by_value(str(article.pk))
    Select(driver.find_element(By.NAME, "board")).select_by_value(str(board.pk))
    driver.find_element(By.NAME, "title").send_keys(title)


def fill_carousel_row(driver, row, *, position, url, title=""):
    driver.find_element(By.NAME, f"carousel_items-{row}-position").send_keys(str(position))
    driver.find_element(By.NAME, f"carousel_items-{row}-image_url").send_keys(url)
    if title:
        driver.find_element(By.NAME, f"carousel_items-{row}-title").send_keys(title)


def test_an_owner_adds_a_carousel_pin_and_a_one_image_carousel_is_refused(driver, live_server, planner, steps):
    project, board = planner["project"], planner["boards"][0]
    article = make_article(project=project, title="Step by step bread")
    log_in(driver, live_server, planner["owner"])

    open_admin(driver, live_server, "/admin/publishing/pin/add/")
    fill_new_pin(driver, project=project, article=article, board=board, title="Bread in two steps")
    # Typed in the other order: the positions decide.
    fill_carousel_row(driver, 0, position=2, url="https://images.example.com/2.png", title="Bake")
    fill_carousel_row(driver, 1, position=1, url="https://images.example.com/1.png", title="Knead")
    steps.shot("carousel filled")
    save(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, ".errornote"), driver.find_element(By.ID, "content-main").text
    pin = Pin.objects.get(title="Bread in two steps")
    assert pin.kind == PinKind.CAROUSEL
    assert list(pin.carousel_items.values_list("image_url", "title")) == [
        ("https://images.example.com/1.png", "Knead"), ("https://images.example.com/2.png", "Bake")]

    open_admin(driver, live_server, f"/admin/publishing/pin/{pin.pk}/change/")
    rows = driver.find_elements(By.CSS_SELECTOR, "#carousel_items-group tr.form-row.has_original")
    assert [row.find_element(By.CSS_SELECTOR, "input[name$='-image_url']").get_attribute("value") for row in rows] == [
        "https://images.example.com/1.png", "https://images.example.com/2.png"]
    assert [row.find_element(By.CSS_SELECTOR, ".field-preview img").get_attribute("src") for row in rows] == [
        "https://images.example.com/1.png", "https://images.example.com/2.png"]
    assert driver.find_element(By.CSS_SELECTOR, ".field-kind .readonly").text == "Carousel"
    title_width = driver.find_element(By.NAME, "carousel_items-0-title").rect["width"]
    assert fits(driver, "#carousel_items-group table") and title_width >= 120, title_width
    driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.ID, "carousel_items-group"))
    steps.shot("carousel reopened")

    open_admin(driver, live_server, "/admin/publishing/pin/add/")
    fill_new_pin(driver, project=project, article=article, board=board, title="Bread in one step")
    fill_carousel_row(driver, 0, position=1, url="https://images.example.com/1.png")
    save(driver)
    steps.shot("one image refused")
    errors = driver.find_element(By.ID, "content-main").text
    assert "carousel: A carousel has 2 to 5 images; 1 given." in errors, errors
    assert not Pin.objects.filter(title="Bread in one step").exists()
    assert CarouselItem.objects.count() == 2


# --- Video -------------------------------------------------------------------------------------


def test_an_owner_sees_a_video_pin_and_publishes_it_now(driver, live_server, planner, standin, steps):
    project, board = planner["project"], planner["boards"][0]
    video = content.pin_create(
        tenant=planner["tenant"], project_id=project.pk, article_id=make_article(project=project).pk,
        board_id=board.pk, title="Soup in four seconds",
        video=SimpleUploadedFile("demo-video.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4"),
        cover_image=image_upload("cover.png"),
    )
    log_in(driver, live_server, planner["owner"])

    open_admin(driver, live_server, f"/admin/publishing/pin/{video.pk}/change/")
    player = driver.find_element(By.CSS_SELECTOR, ".field-video_player video")
    assert player.get_attribute("src").endswith(video.video.url)
    assert player.get_attribute("poster").endswith(video.cover_image.url)
    assert driver.find_element(By.CSS_SELECTOR, ".field-kind .readonly").text == "Video"
    assert driver.find_element(By.CSS_SELECTOR, ".field-media_state .readonly").text == "Not registered"
    assert driver.find_element(By.CSS_SELECTOR, "img.pp-preview").get_attribute("src").endswith(video.cover_image.url)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", player)
    steps.shot("video pin")

    message = run_action(driver, live_server, status=None, titles=["Soup in four seconds"], action="publish_now")
    assert "Publishing 1 pin in the background" in message, message
    steps.shot("publish now")
    driver.find_element(By.CSS_SELECTOR, "ul.messagelist a").click()
    batch = PublishBatch.objects.get()
    for _ in range(40):
        batch.refresh_from_db()
        if batch.finished_at and "published" in driver.find_element(By.ID, "content-main").text:
            break
        driver.refresh()
    steps.shot("batch finished")
    video.refresh_from_db()
    assert video.status == PinStatus.PUBLISHED, (video.status, video.error_message)
    open_admin(driver, live_server, "/admin/publishing/pin/?status__exact=published")
    listed = driver.find_element(By.ID, "result_list").text
    assert "Soup in four seconds" in listed and "Published" in listed
    steps.shot("video published")
    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert standin.created_count() == 1 and standin.creations[-1].media_kind == "video"
    assert standin.creations[-1].media_id == video.media_id

    open_admin(driver, live_server, f"/admin/publishing/pin/{video.pk}/change/")
    assert driver.find_element(By.CSS_SELECTOR, ".field-media_state .readonly").text == "Processed"
    assert not driver.find_elements(By.NAME, "_save")  # a record now, not a draft
    steps.shot("published video pin")


# --- Board section -----------------------------------------------------------------------------


def test_the_section_field_lists_only_the_pins_boards_sections_and_saves_the_choice(
    driver, live_server, planner, standin, steps
):
    board, other_board = planner["boards"]
    sections = {
        name: BoardSection.objects.create(
            board=board, name=name,
            pinterest_section_id=standin.add_board_section(board.pinterest_board_id, name))
        for name in ("Soups", "Breads")
    }
    BoardSection.objects.create(board=other_board, name="Elsewhere", pinterest_section_id="999")
    BoardSection.objects.create(board=board, name="Gone", pinterest_section_id="998", is_archived=True)
    pin = make_pin(project=planner["project"], board=board, status=PinStatus.DRAFT, title="Lentil soup")
    log_in(driver, live_server, planner["owner"])

    open_admin(driver, live_server, f"/admin/publishing/pin/{pin.pk}/change/")
    select = Select(driver.find_element(By.NAME, "board_section"))
    assert [option.text for option in select.options][1:] == [f"{board.name} › Breads", f"{board.name} › Soups"]
    select.select_by_visible_text(f"{board.name} › Soups")
    steps.shot("section chosen")
    save(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, ".errornote"), driver.find_element(By.ID, "content-main").text
    pin.refresh_from_db()
    assert pin.board_section == sections["Soups"]
    assert Select(driver.find_element(By.NAME, "board_section")).first_selected_option.text == f"{board.name} › Soups"
    steps.shot("section saved")
