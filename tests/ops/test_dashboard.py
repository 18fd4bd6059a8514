"""The Grafana dashboard in the repository queries only metrics /metrics exports."""

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

DASHBOARD = Path(__file__).resolve().parents[2] / "ops" / "grafana" / "pinpublisher.json"
#: The series a family of each type exports (prometheus' text format, as its parser names families).
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def queried_names():
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert exprs
    return {name for expr in exprs for name in re.findall(r"\bpinpublisher_[a-z_]+", expr)}


def exported_names(client, settings):
    settings.METRICS_TOKEN = "dashboard-test"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer dashboard-test")
    assert response.status_code == 200
    return {
        family.name + suffix
        for family in text_string_to_metric_families(response.content.decode())
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def test_every_metric_the_dashboard_queries_is_one_the_endpoint_exports(client, settings):
    missing = queried_names() - exported_names(client, settings)
    assert not missing, f"the dashboard queries metrics /metrics does not export: {sorted(missing)}"


def test_the_dashboard_shows_each_part_of_the_service():
    names = queried_names()
    for wanted in ("pins_published_total", "pins_failed_total", "pins_reconciled_total", "pin_lateness_seconds_bucket",
                   "pins_due", "runner_places", "pinterest_answers_total", "pinterest_spam_blocks_total",
                   "connections", "webhook_backlog", "webhook_attempts_total", "http_requests_total",
                   "http_request_seconds_bucket"):
        assert f"pinpublisher_{wanted}" in names, wanted
