"""No whole API key in the database, a log record, an API answer or an admin page, other than
the one answer that created it; whatever made it and whatever it was used for."""

import io
import json
import logging
import re
import sys
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter
from rest_framework.request import Request
from rest_framework.test import APIClient

from apikeys import selectors
from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from tests.apikeys.helpers import tables_holding
from tests.factories import api_client, make_api_key, make_pin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_log_record(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ["django", "apikeys", "pinpublisher", "publishing", *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_no_key_anywhere_but_the_answer_that_made_it(admin_client, every_log_record):
    pin = make_pin()
    tenant = pin.project.tenant
    owner = make_user(tenant=tenant, is_staff=True)
    keys = []

    # Made by each way there is: the command, the tenant command, the API, the admin, a service.
    out = io.StringIO()
    call_command("create_api_key", "--tenant", tenant.name, "--name", "cli", "--scopes", "all", "--owner",
                 owner.username, "--json", stdout=out)
    keys.append(json.loads(out.getvalue())["key"])
    out = io.StringIO()
    call_command("create_tenant", "Leakless", "--owner", "leakless-owner", "--json", stdout=out)
    keys.append(json.loads(out.getvalue())["api_key"])
    made = api_client(owner).post("/api/keys/", {"name": "api", "scopes": ["read", "keys:write"]}, format="json")
    keys.append(made.json()["key"])
    page = admin_client.post(reverse("admin:apikeys_apikey_add"), {"owner": owner.pk, "name": "admin",
                                                                   "scopes": ["read"]})
    keys.append(re.search(r'value="(pp_[A-Za-z0-9]+)"', page.content.decode()).group(1))
    revoked, expired = make_api_key(owner), make_api_key(owner, expires_at=timezone.now() + timedelta(hours=1))
    keys += [revoked.key, expired.key]
    assert all(key.startswith("pp_") and len(key) == 55 for key in keys)

    # Used: successes, refusals of every kind, and the key endpoints themselves.
    ApiKey.objects.filter(pk=revoked.api_key.pk).update(revoked_at=timezone.now())
    ApiKey.objects.filter(pk=expired.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answers = []
    for key in keys:
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        for url in ("/api/keys/", f"/api/pins/{pin.pk}/", "/api/pins/", "/api/connections/"):
            answers.append(client.get(url).content.decode())
        answers.append(client.post(f"/api/pins/{pin.pk}/publish/").content.decode())
        answers.append(APIClient(HTTP_AUTHORIZATION=f"Token {key[:-3]}xyz").get("/api/pins/").content.decode())
        answers.append(APIClient(HTTP_AUTHORIZATION=f"Token {key} extra").get("/api/pins/").content.decode())
    for model in admin.site._registry:
        opts = model._meta
        answers.append(admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).content.decode())
    for api_key in ApiKey.objects.all():
        answers.append(admin_client.get(reverse("admin:apikeys_apikey_change", args=[api_key.pk])).content.decode())
    answers.append(admin_client.get(reverse("admin:index")).content.decode())
    answers.append(APIClient().get("/api/schema/").content.decode())

    logged = "\n".join(record.getMessage() for record in every_log_record.records)
    assert "API key refused (revoked)" in logged and "API key refused (expired)" in logged
    for key in keys:
        assert not [answer for answer in answers if key in answer]
        assert key not in logged
        assert tables_holding(key) == []


def test_an_error_report_shows_neither_the_authorization_header_nor_a_local_holding_the_key(rf, monkeypatch):
    created = make_api_key()
    request = rf.get("/api/pins/", HTTP_AUTHORIZATION=f"Token {created.key}")

    def database_gone(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "api_key_for_authentication", database_gone)
    with pytest.raises(RuntimeError):
        try:
            ApiKeyAuthentication().authenticate(Request(request))
        except RuntimeError:
            reporter = ExceptionReporter(request, *sys.exc_info())
            report = reporter.get_traceback_text() + reporter.get_traceback_html()
            raise
    assert "the database went away" in report and "HTTP_AUTHORIZATION" in report
    assert created.key not in report and created.key[12:40] not in report
