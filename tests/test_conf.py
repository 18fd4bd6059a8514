"""Each app's settings object: defaults once, overrides honoured, unknown names refused."""

import pytest

from pinterest.conf import pinterest_settings
from publishing.conf import publishing_settings, q_cluster_times


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
