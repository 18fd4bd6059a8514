"""A marketer turns an article into pin designs in a real browser at 1400x900 and 390x844: the
article's four designs side by side (its photos from its pins), one regenerated with another
template, the project's colours and footer saved, two designs picked and made into draft pins;
axe passes and a phone never scrolls sideways. Full-page screenshots go to
``artifacts/browser/planner/designs-<test>-<width>/``."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from publishing.models import Pin, PinStatus
from tests.browser import test_planner_composer
from tests.browser.axe import assert_accessible
from tests.browser.nav import click_nav
from tests.browser.test_planner_composer import PASSWORD, log_in, no_sideways_scroll, page_shots
from tests.factories import make_article, make_pin, make_project, make_tenant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

size = test_planner_composer.size  # the fixture: 1400x900, then 390x844
COLOURS = [(214, 96, 64), (64, 140, 200), (90, 170, 90), (230, 190, 60)]


@pytest.fixture
def steps(request, driver, size):
    return page_shots(request, driver, size, prefix="designs-")


def photo(colour):
    """A photo-like JPEG: a diagonal gradient in ``colour``."""
    image = Image.linear_gradient("L").rotate(45, expand=False).resize((1200, 900)).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, colour), 0.55)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture
def world(settings):
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    tenant = make_tenant()
    member = make_user(tenant=tenant)
    member.set_password(PASSWORD)
    member.save()
    project = make_project(tenant=tenant, name="Lemon kitchen")
    article = make_article(project=project, url="https://www.lemon-kitchen.example/weeknight-dinners",
                           title="Ten easy weeknight dinners your whole family will actually love")
    for n, colour in enumerate(COLOURS):
        pin = make_pin(project=project, article=article, with_image=False, status=PinStatus.DRAFT, title=f"Photo {n}")
        pin.image.save(f"ds-{n}.jpg", ContentFile(photo(colour)))
    return {"member": member, "article": article}


def test_an_articles_designs_regenerated_styled_and_picked(driver, live_server, world, steps):
    article = world["article"]
    log_in(driver, live_server, world["member"])
    click_nav(driver, "Designs")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "ds-articles"))
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "designs list")
    steps.shot("articles")

    driver.find_element(By.CSS_SELECTOR, "#ds-articles a.pl-btn").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "ds-grid"))
    cards = driver.find_elements(By.CSS_SELECTOR, ".ds-card")
    assert [card.get_attribute("data-template") for card in cards] == ["photo_band", "split", "text", "collage"]
    thumbnails = driver.find_elements(By.CSS_SELECTOR, ".ds-thumb img")
    assert all(img.get_property("naturalWidth") == 400 for img in thumbnails)
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "designs")
    steps.shot("four designs side by side")

    Select(driver.find_element(By.ID, "ds-template-2")).select_by_visible_text("Collage")
    regenerate = driver.find_elements(By.CSS_SELECTOR, ".ds-card")[2].find_element(By.CSS_SELECTOR, "button.pl-btn")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", regenerate)
    regenerate.click()
    WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException, IndexError)).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".ds-card")[2].get_attribute("data-template") == "collage")
    steps.shot("third design regenerated as a collage")

    for name, value in (("background_color", "#14532d"), ("accent_color", "#facc15")):
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.NAME, name), value)
    footer = driver.find_element(By.NAME, "footer_text")
    footer.clear()
    footer.send_keys("lemon-kitchen.example")
    save = driver.find_element(By.ID, "ds-style-save")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
    save.click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pl-messages"))
    assert "design style of Lemon kitchen is saved" in driver.find_element(By.CSS_SELECTOR, ".pl-messages").text
    assert driver.find_elements(By.CSS_SELECTOR, ".ds-card")[2].get_attribute("data-template") == "collage"
    steps.shot("style saved, designs in the new colours")

    for index in (0, 3):
        box = driver.find_elements(By.CSS_SELECTOR, ".ds-card input[name=pick]")[index]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    make = driver.find_element(By.ID, "make-pins")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", make)
    make.click()
    WebDriverWait(driver, 20).until(lambda d: "draft pins made" in d.page_source)
    made = Pin.objects.filter(article=article, design__isnull=False)
    assert made.count() == 2 and {pin.design.template for pin in made} == {"photo_band", "collage"}
    assert no_sideways_scroll(driver)
    assert_accessible(driver, "designs picked")
    steps.shot("two designs made into draft pins")
