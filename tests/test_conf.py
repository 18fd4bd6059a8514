"""Each app's settings object: defaults once, overrides honoured, unknown names refused."""

import pytest

from apikeys.conf import apikeys_settings
from pinpublisher.conf import project_settings
from pinpublisher.task_times import q_cluster_times
from pinterest.conf import pinterest_settings
from publishing.conf import publishing_settings
from webhooks.conf import webhooks_settings


def test_an_unset_setting_takes_the_apps_default(settings):
    settings.PUBLISH_LEASE_SECONDS = None
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = None
    assert publishing_settings.PUBLISH_LEASE_SECONDS == 600
    assert pinterest_settings.PINTEREST_PUBLISH_INTERVAL_SECONDS == 10.0


def test_a_set_value_wins_including_zero(settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    settings.PUBLISH_RATE_LIMIT_RETRIES = 0
    assert pinterest_settings.PINTEREST_PUBLISH_INTERVAL_SECONDS == 0
    assert publishing_settings.PUBLISH_RATE_LIMIT_RETRIES == 0


def test_the_sweep_budget_follows_the_task_timeout_unless_set(settings):
    settings.PUBLISH_SWEEP_BUDGET_SECONDS = None
    settings.PUBLISH_TASK_TIMEOUT_SECONDS = 300
    assert publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS == 210
    settings.PUBLISH_TASK_TIMEOUT_SECONDS = 60
    assert publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS == 30
    settings.PUBLISH_SWEEP_BUDGET_SECONDS = 45
    assert publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS == 45


def test_a_name_the_app_does_not_own_is_refused():
    with pytest.raises(AttributeError, match="not a setting of the publishing app"):
        getattr(publishing_settings, "PINTEREST_API_BASE")  # noqa: B009
    with pytest.raises(AttributeError, match="not a setting of the pinterest app"):
        getattr(pinterest_settings, "PUBLISH_LEASE_SECONDS")  # noqa: B009


def test_django_q_retries_only_after_the_task_timeout():
    assert q_cluster_times(None) == {"timeout": 600, "retry": 720}
    assert q_cluster_times(100) == {"timeout": 100, "retry": 220}


def test_djangos_own_settings_are_read_through_the_conf_objects_as_they_are(settings):
    settings.DEBUG = True
    settings.MEDIA_URL = "/uploads/"
    assert project_settings.DEBUG is True
    assert project_settings.MEDIA_URL == "/uploads/"
    assert webhooks_settings.DEBUG is True
    settings.DEBUG = False
    assert project_settings.DEBUG is False
    assert webhooks_settings.DEBUG is False
    assert publishing_settings.AUTH_USER_MODEL == apikeys_settings.AUTH_USER_MODEL == "auth.User"


def test_a_name_the_project_package_or_apikeys_does_not_read_is_refused():
    with pytest.raises(AttributeError, match="not a setting the project package reads"):
        getattr(project_settings, "PUBLISH_LEASE_SECONDS")  # noqa: B009
    with pytest.raises(AttributeError, match="not a setting of the apikeys app"):
        getattr(apikeys_settings, "DEBUG")  # noqa: B009
