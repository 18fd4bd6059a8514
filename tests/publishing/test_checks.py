"""A lease shorter than a create in flight is refused at start-up."""

import os
import subprocess
import sys
from pathlib import Path

from publishing.checks import check_lease_outlasts_a_create, longest_create_seconds
from publishing.engine.lease import FRESH_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def test_longest_create_adds_timeouts_grace_and_the_longest_rate_limit_wait(settings):
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS = 5
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 30
    settings.PUBLISH_RECONCILE_GRACE_SECONDS = 5
    settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS = 120
    settings.PUBLISH_RATE_LIMIT_RETRIES = 3
    assert longest_create_seconds() == 160
    settings.PUBLISH_RATE_LIMIT_RETRIES = 0  # a 429 is never waited out
    assert longest_create_seconds() == 40


def test_a_lease_equal_to_the_longest_create_is_an_error_naming_the_settings(settings):
    settings.PUBLISH_LEASE_SECONDS = int(longest_create_seconds())
    (error,) = check_lease_outlasts_a_create(None)
    assert error.is_serious() and error.id == "publishing.E001"
    for name in ("PUBLISH_LEASE_SECONDS", "PINTEREST_READ_TIMEOUT_SECONDS", "PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS"):
        assert name in error.msg


def test_a_lease_longer_than_the_longest_create_and_the_fresh_window_passes(settings):
    settings.PUBLISH_LEASE_SECONDS = int(longest_create_seconds() + FRESH_SECONDS) + 1
    assert check_lease_outlasts_a_create(None) == []


def test_a_lease_that_a_fresh_unrenewed_claim_could_outlive_is_an_error(settings):
    """A dispatcher calls Pinterest without renewing a lease stamped under FRESH_SECONDS ago: a
    lease only just longer than a create could expire mid-call and be taken over."""
    settings.PUBLISH_LEASE_SECONDS = int(longest_create_seconds()) + 1
    (error,) = check_lease_outlasts_a_create(None)
    assert error.id == "publishing.E001" and "without renewal" in error.msg


def test_the_defaults_pass(settings):
    assert check_lease_outlasts_a_create(None) == []


def test_migrate_refuses_to_start_with_a_lease_below_the_read_timeout(tmp_path):
    env = {
        **os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PUBLISH_LEASE_SECONDS": "20", "PINTEREST_READ_TIMEOUT_SECONDS": "30",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "publishing.E001" in done.stderr and "PUBLISH_LEASE_SECONDS (20)" in done.stderr
