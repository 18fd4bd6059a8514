"""Counts made in other processes (django-q2's workers, gunicorn's) reach /metrics: with
PROMETHEUS_MULTIPROC_DIR each process writes its own file there and the endpoint sums them."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

WORKER = """
import django
from datetime import datetime, timedelta, UTC
django.setup()
from ops.receivers import count_pin_failed, count_pin_published
from publishing.models import Pin
now = datetime.now(UTC)
# ops' receivers as the signals call them (webhooks' would need the pin's row).
count_pin_published(sender=Pin, pin_id="p", pinterest_pin_id="1", pinterest_pin_url="u", published_at=now,
                    scheduled_at=now - timedelta(seconds=3))
count_pin_failed(sender=Pin, pin_id="p", error="Pinterest says no", failed_at=now)
"""


def run_worker(directory):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "pinpublisher.settings", "DEBUG": "1",
           "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    result = subprocess.run([sys.executable, "-c", WORKER], cwd=django_settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_counts_of_two_worker_processes_are_summed_by_the_endpoint(client, settings, tmp_path, monkeypatch):
    run_worker(tmp_path)
    run_worker(tmp_path)
    assert len(list(tmp_path.glob("*.db"))) >= 2  # a file per process
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings.METRICS_TOKEN = "multi"
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer multi").content.decode()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("pinpublisher_pins_published_total", ())] == 2
    assert samples[("pinpublisher_pins_failed_total", (("reason", "refused"),))] == 2
    assert samples[("pinpublisher_pin_lateness_seconds_count", ())] == 2
    assert samples[("pinpublisher_pin_lateness_seconds_bucket", (("le", "5.0"),))] == 2
    assert ("pinpublisher_pins_due", ()) in samples  # the database's gauges beside them
