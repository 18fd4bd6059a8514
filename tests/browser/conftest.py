"""Browser tests: the admin's main flows in headless Chromium at 1400 px, against the live server.

Marked ``browser`` and left out of the default run (pyproject.toml): ``make test ARGS="-m browser"``.
They drive Debian's ``chromium`` with ``chromedriver`` (``apt-get install chromium
chromium-driver``); nothing is downloaded at run time (Selenium Manager is never asked). Without
them the tests skip saying so, unless ``BROWSER_TESTS_REQUIRED=1`` (CI sets it) turns that into a
failure.

Screenshots go to ``artifacts/browser/<test>/`` (``BROWSER_ARTIFACTS`` moves them): one per step a
test names (``steps.shot("dashboard")`` -> ``01-dashboard.png``), and ``FAILED.png`` of the page
as it was when a test failed. A new flow is a test taking ``steps`` (and ``owner``/``world``
for data); a new page check is one more ``steps.shot``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1400, 1000


def artifacts_dir() -> Path:
    return Path(os.environ.get("BROWSER_ARTIFACTS") or ROOT / "artifacts" / "browser")


def _binaries():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return chromium, driver


@pytest.fixture(scope="session")
def chromium_paths():
    chromium, driver = _binaries()
    missing = [name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -r requirements-dev.txt)")
    if missing:
        reason = f"browser tests need {', '.join(missing)}: apt-get install -y chromium chromium-driver"
        if os.environ.get("BROWSER_TESTS_REQUIRED", "") not in ("", "0"):
            pytest.fail(f"BROWSER_TESTS_REQUIRED is set but {reason}", pytrace=False)
        pytest.skip(reason)
    return chromium, driver


@pytest.fixture(scope="session")
def driver(chromium_paths):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = chromium_paths
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={WIDTH},{HEIGHT}", "--lang=en-US", "--hide-scrollbars",
                     "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    browser.set_window_size(WIDTH, HEIGHT)
    browser.implicitly_wait(0)
    yield browser
    browser.quit()


@pytest.fixture(scope="session")
def live_server(chromium_paths):
    """pytest-django's live server, speaking plain http: Django's security middleware reads these
    settings once, when the server's handler is built, so they are set before it starts."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    with plain_http:
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
        yield server
        server.stop()


class Steps:
    """Named screenshots of one test: ``shot(name)`` saves ``NN-name.png`` and returns its path."""

    def __init__(self, driver, directory: Path):
        self.driver = driver
        self.directory = directory
        self.count = 0
        self.saved: list[Path] = []

    def shot(self, name: str) -> Path:
        self.count += 1
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
        self.driver.save_screenshot(str(path))
        self.saved.append(path)
        return path


@pytest.fixture
def steps(request, driver):
    directory = artifacts_dir() / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    driver.delete_all_cookies()
    return Steps(driver, directory)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    steps = item.funcargs.get("steps") if hasattr(item, "funcargs") else None
    if report.failed and steps is not None:
        try:
            steps.directory.mkdir(parents=True, exist_ok=True)
            path = steps.directory / "FAILED.png"
            steps.driver.save_screenshot(str(path))
            report.sections.append(("browser", f"screenshot of the failed step: {path}"))
        except Exception as err:  # the browser itself may be what failed
            report.sections.append(("browser", f"no screenshot: {err!r}"))

