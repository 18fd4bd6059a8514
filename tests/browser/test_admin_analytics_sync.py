"""An owner syncs one account's analytics from the admin, in a real browser at 1400 px: "Sync
analytics now" among the connections' actions, the sync queued (run at once here, against the
stand-in) and said so; while a sync of the account runs, the action answers "already syncing".
Screenshots under ``artifacts/browser/<test>/`` (tests/browser/conftest.py)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from analytics.models import ConnectionAnalyticsState
from analytics.services.lease import sync_lease_take
from tests.browser.test_admin_flows import log_in, world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sync_analytics_now(driver, live_server, connection):
    driver.get(f"{live_server.url}/admin/pinterest/pinterestconnection/")
    for row in driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"):
        if connection.username in row.text:
            row.find_element(By.CSS_SELECTOR, "input.action-select").click()
    actions = Select(driver.find_element(By.NAME, "action"))
    assert "Sync analytics now" in [option.text for option in actions.options]
    actions.select_by_value("sync_analytics_now")
    driver.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    return WebDriverWait(driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "ul.messagelist")).text


def test_an_owner_syncs_an_accounts_analytics_now_and_a_second_one_is_refused(driver, live_server, world, steps):  # noqa: F811
    connection = world["connection"]
    log_in(driver, live_server, world["owner"])

    message = sync_analytics_now(driver, live_server, connection)
    steps.shot("analytics sync queued")
    assert f"Analytics sync of {connection} queued" in message
    state = ConnectionAnalyticsState.objects.get(connection=connection)
    assert state.last_synced_at is not None and state.sync_started_at is None  # ran (tasks run at once here)

    sync_lease_take(connection_id=connection.pk)  # a sync of the account is running (the daily job's)
    message = sync_analytics_now(driver, live_server, connection)
    steps.shot("already syncing")
    assert f"Not synced: Pinterest account {connection} is already syncing its analytics" in message
