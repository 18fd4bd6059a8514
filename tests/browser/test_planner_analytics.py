"""A marketer reads a project's analytics in a real browser at 1400x900 and at 390x844: the totals,
the lines over 30 days, the bars per board and per kind, the top pins with their pictures, all
named for a screen reader (axe passes) and without sideways scrolling on a phone; then a pin's own
sparkline on its page; the "Best times to post" card (pictured alone too, ``00-best-times-card.png``)
and its "Use these as the weekly slots". 30 days of synthetic rows are written directly (``bulk_create``). Full-page
screenshots go to ``artifacts/browser/planner/analytics-<test>-<width>/``."""

from __future__ import annotations

import math
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from analytics.models import PinDailyMetrics
from analytics.services.rollup import daily_rows_store, rollups_rebuild
from planner.analytics_reads import last_day
from publishing.models import CarouselItem, PinKind, PinStatus
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.nav import click_nav
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots
from tests.factories import make_article, make_board, make_connection, make_pin, make_project, make_user, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLORS = [(244, 114, 182), (96, 165, 250), (52, 211, 153), (251, 191, 36), (167, 139, 250)]


size = test_planner_composer.size  # the fixture: 1400x900, then 390x844


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="analytics-")


@pytest.fixture
def world(settings):
    """A member's Berlin project with four published pins on three boards (an image, a carousel, a
    video and another image) and 30 days of rising, weekly-waving numbers for each."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    connection = make_connection()
    member = make_user(tenant=connection.tenant)
    member.set_password(PASSWORD)
    member.save()
    project = make_project(tenant=connection.tenant, connection=connection, name="Berlin kitchen",
                           timezone="Europe/Berlin")
    article = make_article(project=project, url="https://www.lemon-kitchen.example/recipes")
    boards = [make_board(connection=connection, name=name)
              for name in ("Summer recipes", "Quick weeknight dinners for busy families", "Cakes")]
    published = timezone.now() - timedelta(days=40)
    specs = [("Lemon cake in 20 minutes", PinKind.IMAGE, boards[2], 1.0),
             ("Five summer salads", PinKind.CAROUSEL, boards[0], 0.6),
             ("Pasta in 10 minutes (video)", PinKind.VIDEO, boards[1], 1.6),
             ("Berry tart", PinKind.IMAGE, boards[2], 0.3)]
    pins = []
    for n, (title, kind, board, weight) in enumerate(specs):
        pin = make_pin(project=project, board=board, article=article, with_image=False, title=title, kind=kind,
                       status=PinStatus.PUBLISHED, pinterest_pin_id=f"9{n}", published_at=published)
        picture = ContentFile(png_bytes(400, 600, color=COLORS[n]))
        if kind == PinKind.CAROUSEL:
            CarouselItem(pin=pin, position=0).image.save(f"an-c{n}.png", picture)
        elif kind == PinKind.VIDEO:
            pin.cover_image.save(f"an-v{n}.png", picture)
        else:
            pin.image.save(f"an-i{n}.png", picture)
        pins.append((pin, weight))
    end = last_day(project, timezone.now())
    rows = []
    for pin, weight in pins:
        for back in range(30):
            wave = 1 + 0.35 * math.sin((29 - back) / 7 * 2 * math.pi) + (29 - back) / 40
            impressions = round(1200 * weight * wave)
            rows.append(PinDailyMetrics(
                pin=pin, project=project, board=pin.board, kind=pin.kind, date=end - timedelta(days=back),
                impressions=impressions, saves=impressions // 40, pin_clicks=impressions // 25,
                outbound_clicks=round(impressions / 60 * weight)))
    daily_rows_store(rows=rows)
    return {"member": member, "project": project, "pins": [pin for pin, _ in pins]}


def test_a_projects_analytics_and_a_pins_sparkline(driver, live_server, world, steps):
    log_in(driver, live_server, world["member"])
    assert "impressions" in driver.find_element(By.ID, "pins-week").text
    assert no_sideways_scroll(driver)
    steps.shot("pins list with the last 7 days")
    click_nav(driver, "Analytics")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "an-over-time"))

    assert driver.find_element(By.CSS_SELECTOR, "[data-metric=impressions]").text != "0"
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) == 4
    assert all(chart.size["width"] > 200 and chart.size["height"] > 60 for chart in charts)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#an-top li")) == 4
    assert all(img.get_property("naturalWidth") > 0 for img in driver.find_elements(By.CSS_SELECTOR, ".an-thumb"))
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "analytics")
    steps.shot("project analytics 30 days")

    driver.find_element(By.ID, "an-sync-now").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "queued" in driver.find_element(By.CSS_SELECTOR, ".pl-messages").text
    steps.shot("sync now queued")

    driver.find_element(By.CSS_SELECTOR, "#an-top li a").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "pin-spark"))
    spark = driver.find_element(By.CSS_SELECTOR, "#pin-spark svg[role=img]")
    assert spark.size["width"] > 100
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "pin with sparkline")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", spark)
    steps.shot("pin sparkline")


def test_a_project_without_analytics(driver, live_server, world, steps):
    PinDailyMetrics.objects.all().delete()
    rollups_rebuild()
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/analytics/?project={world['project'].pk}&days=90")
    assert "No analytics yet: synced daily after publishing." in driver.find_element(By.ID, "an-empty").text
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "analytics empty")
    steps.shot("no analytics yet")


def test_best_times_to_post(driver, live_server, world, steps):
    """Twelve more pins, three in each of four hours (Berlin), with outbound clicks that differ by
    hour: the card suggests the best three with their evidence, and "Use these" makes them the
    project's weekly slots. The world's four pins, each alone in its hour, are too little evidence."""
    project, board = world["project"], world["pins"][0].board
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for n, pin in enumerate(world["pins"]):
        pin.published_at = datetime(2026, 10, 4, 6 + n, tzinfo=berlin)  # a Sunday, one pin an hour
        pin.save(update_fields=["published_at"])
    end = last_day(project, timezone.now())
    rows = []
    for day, hour, clicks in ((1, 18, 40), (3, 20, 25), (5, 9, 12), (0, 7, 3)):
        monday = datetime(2026, 10, 5, tzinfo=berlin)
        for n in range(3):
            pin = make_pin(project=project, board=board, with_image=False, status=PinStatus.PUBLISHED,
                           pinterest_pin_id=f"8{day}{n}", published_at=monday + timedelta(days=day + 7 * n, hours=hour))
            rows.append(PinDailyMetrics(pin=pin, project=project, board=board, kind=pin.kind, date=end,
                                        impressions=900, saves=clicks // 2 + n, pin_clicks=30,
                                        outbound_clicks=clicks + n))
    daily_rows_store(rows=rows)
    log_in(driver, live_server, world["member"])
    driver.get(f"{live_server.url}/planner/analytics/?project={project.pk}")

    card = driver.find_element(By.ID, "an-best")
    cells = [item.text for item in card.find_elements(By.CSS_SELECTOR, "#an-best-cells li")]
    assert [text.splitlines()[0] for text in cells] == ["Tuesday 18:00", "Thursday 20:00", "Saturday 09:00"]
    assert "3 pins · 41.0 outbound clicks" in cells[0]
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "best times to post")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    steps.directory.mkdir(parents=True, exist_ok=True)
    card.screenshot(str(steps.directory / "00-best-times-card.png"))
    steps.shot("best times to post")

    driver.find_element(By.ID, "an-use-slots").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "are now Tuesday 18:00, Thursday 20:00, Saturday 09:00" in driver.find_element(
        By.CSS_SELECTOR, ".pl-messages").text
    assert sorted(project.posting_slots.values_list("weekday", "local_time")) == [
        (1, time(18)), (3, time(20)), (5, time(9))]
    steps.shot("slots applied")
