"""A tenant owner's day in the admin, in a real browser at 1400 px: log in, read the dashboard,
mark drafts ready, publish now and watch the batch finish (against the stand-in), retry a failed
pin, check a connection's health. Each step leaves a screenshot (tests/browser/conftest.py)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pinterest.models import Health
from publishing.models import Pin, PinStatus, PublishBatch
from publishing.services.queue_slots import project_slots_replace
from tests.factories import make_connection, make_pin, make_project, make_user
from tests.publishing.helpers import standin_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-password"


@pytest.fixture
def world(standin, settings, monkeypatch):
    """A tenant with a staff owner, a project on a stand-in account and pins in every status.
    django-q2 tasks run in the server's thread, unpaced, so a batch finishes while we watch."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    connection, (board,) = standin_account(standin)
    tenant = connection.tenant
    project = make_project(tenant=tenant, connection=connection)
    # Drafts without a time join the queue when marked ready.
    project_slots_replace(project=project, slots=[(day, time(9)) for day in range(7)])
    owner = make_user(tenant=tenant, is_staff=True)
    owner.set_password(PASSWORD)
    owner.save()
    soon = timezone.now() + timedelta(hours=1)
    pins = {
        "drafts": [make_pin(project=project, board=board, status=PinStatus.DRAFT, title=f"Draft {n}")
                   for n in range(3)],
        "ready": make_pin(project=project, board=board, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=soon,
                          title="Ready and scheduled"),
        "published": make_pin(project=project, board=board, status=PinStatus.PUBLISHED, title="Already out",
                              pinterest_pin_id="123", pinterest_pin_url="https://www.pinterest.com/pin/123/",
                              published_at=timezone.now()),
        "failed": make_pin(project=project, board=board, status=PinStatus.ERROR, title="Refused once",
                           error_message="Pinterest refused the image: it is too small (at least 100 px)."),
    }
    make_pin(status=PinStatus.ERROR, title="Another tenant's pin")  # never shown to this owner
    return {"owner": owner, "connection": connection, "pins": pins}


def log_in(driver, live_server, owner):
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(owner.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "pin-dashboard"))


def run_action(driver, live_server, *, status, titles, action):
    driver.get(f"{live_server.url}/admin/publishing/pin/" + (f"?status__exact={status}" if status else ""))
    for row in driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"):
        if any(title in row.text for title in titles):
            row.find_element(By.CSS_SELECTOR, "input.action-select").click()
    Select(driver.find_element(By.NAME, "action")).select_by_value(action)
    driver.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    return WebDriverWait(driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "ul.messagelist")).text


def fits(driver, selector):
    """Every column of the element is visible: it overflows neither its box (the admin's list
    scrolls sideways inside ``.results``) nor the window."""
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]); const box = el.parentElement;"
        "return el.getBoundingClientRect().right <= window.innerWidth"
        " && box.scrollWidth <= box.clientWidth + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth;",
        selector,
    )


def test_an_owner_logs_in_and_the_dashboard_counts_their_pins_by_status(driver, live_server, world, steps):
    log_in(driver, live_server, world["owner"])
    counts = {el.get_attribute("data-status"): el.text
              for el in driver.find_elements(By.CSS_SELECTOR, "#pin-dashboard .status-count")}
    assert counts == {
        "draft": "3", "in_review": "0", "ready_to_schedule": "1", "publishing": "0", "published": "1", "error": "1",
    }
    # A label is one line, never a letter per line.
    heights = driver.execute_script(
        "return [...document.querySelectorAll('#pin-dashboard .pp-label')].map(e => e.getBoundingClientRect().height)"
    )
    assert max(heights) < 30, heights
    body = driver.find_element(By.ID, "pin-dashboard").text
    assert "Ready and scheduled" in body and "UTC" in body and "too small" in body
    assert "Another tenant's pin" not in driver.page_source
    steps.shot("dashboard")


def test_an_owner_marks_two_drafts_ready(driver, live_server, world, steps):
    log_in(driver, live_server, world["owner"])
    message = run_action(driver, live_server, status="draft", titles=["Draft 0", "Draft 1"], action="mark_ready")
    steps.shot("two drafts marked ready")
    assert "2 draft pins marked ready to schedule." in message
    assert Pin.objects.filter(title__in=["Draft 0", "Draft 1"], status=PinStatus.READY_TO_SCHEDULE).count() == 2
    assert Pin.objects.get(title="Draft 2").status == PinStatus.DRAFT


def test_an_owner_publishes_now_and_watches_the_batch_finish(driver, live_server, world, standin, steps):
    log_in(driver, live_server, world["owner"])
    driver.get(f"{live_server.url}/admin/publishing/pin/")
    assert fits(driver, "#result_list"), "the pins list needs sideways scrolling at 1400 px"
    message = run_action(driver, live_server, status=None, titles=["Ready and scheduled", "Already out"],
                         action="publish_now")
    steps.shot("publish now")
    assert "Publishing 1 pin in the background" in message and "1 pin already published: skipped" in message
    driver.find_element(By.CSS_SELECTOR, "ul.messagelist a").click()
    batch = PublishBatch.objects.get()
    for _ in range(40):
        if "already published: skipped" in driver.page_source and batch.finished_at:
            break
        driver.refresh()
        batch.refresh_from_db()
    steps.shot("batch finished")
    assert batch.finished_at is not None
    fields = driver.find_element(By.ID, "content-main").text
    assert "already published: skipped" in fields and "published" in fields
    assert standin.created_count() == 1
    ready = Pin.objects.get(title="Ready and scheduled")
    assert ready.status == PinStatus.PUBLISHED
    driver.get(f"{live_server.url}/admin/publishing/pin/?status__exact=published")
    assert fits(driver, "#result_list")
    assert driver.find_elements(By.CSS_SELECTOR, ".field-on_pinterest a")
    steps.shot("published pins")


def test_an_owner_retries_a_failed_pin(driver, live_server, world, steps):
    log_in(driver, live_server, world["owner"])
    driver.get(f"{live_server.url}/admin/publishing/pin/{world['pins']['failed'].pk}/change/")
    assert driver.find_elements(By.CSS_SELECTOR, "img.pp-preview")
    assert not driver.find_elements(By.NAME, "claimed_at") and not driver.find_elements(By.NAME, "claimed_at_0")
    steps.shot("failed pin")
    message = run_action(driver, live_server, status="error", titles=["Refused once"], action="retry_failed")
    steps.shot("retried")
    assert "1 failed pin is ready to schedule again." in message
    assert Pin.objects.get(title="Refused once").status == PinStatus.READY_TO_SCHEDULE


def test_an_owner_reads_a_connections_health(driver, live_server, world, steps):
    connection = world["connection"]
    make_connection(tenant=connection.tenant, is_active=False, username="needs_you",
                    last_error="Pinterest rejected the token (401): the person revoked access to the app, so "
                    "publishing stops until someone connects the account again from the admin.")
    log_in(driver, live_server, world["owner"])
    driver.get(f"{live_server.url}/admin/pinterest/pinterestconnection/")
    title = driver.find_element(By.CSS_SELECTOR, "#content h1").rect
    tools = driver.find_element(By.CSS_SELECTOR, ".object-tools").rect
    assert tools["y"] >= title["y"] + title["height"] or tools["x"] >= title["x"] + title["width"], (title, tools)
    assert fits(driver, "#result_list"), "the connections list needs sideways scrolling at 1400 px"
    assert "revoked access" in driver.find_element(By.ID, "result_list").text
    steps.shot("connections")
    driver.get(f"{live_server.url}/admin/pinterest/pinterestconnection/{connection.pk}/change/")
    health = Health(connection.health()[0]).label
    assert driver.find_element(By.CSS_SELECTOR, ".field-health_status .pp-badge").text == health
    steps.shot("connection health")
