"""A malformed changelist filter or autocomplete term is a 400 (or is ignored), never a 500, on
every admin page."""

import pytest
from django.contrib import admin
from django.db import DataError, models, transaction
from django.urls import reverse

from pinpublisher.admin_scoping import TenantScopedAdmin
from publishing.models import Pin
from tests.factories import make_pin, make_user

pytestmark = pytest.mark.django_db

NUL = "\x00"


def malformed_queries(model, model_admin):
    """Queries no database can answer, aimed at every field this changelist lets one filter on."""
    queries = [{"q": NUL}, {NUL: "1"}, {"o": NUL}, {"o": "99999999999"}, {"p": "99999999999999999999"}]
    for field in model._meta.concrete_fields:
        if field.is_relation:
            queries.append({f"{field.name}__{field.target_field.name}__exact": NUL})
            queries.append({f"{field.name}__{field.target_field.name}__exact": "9" * 30})
        elif isinstance(field, models.DateField):  # and DateTimeField
            queries += [
                {f"{field.name}__year": "99999999999"},
                {f"{field.name}__year": "9999"},
                {f"{field.name}__year": "9999", f"{field.name}__month": "12"},
                {f"{field.name}__year": "2024", f"{field.name}__month": "99999999999"},
                {f"{field.name}__gte": NUL},
            ]
        else:
            queries += [{f"{field.name}__exact": NUL}, {f"{field.name}__exact": "9" * 30}]
    return queries


def autocomplete_sources():
    """Every (model, foreign key) whose target admin can answer an autocomplete."""
    for model in admin.site._registry:
        for field in model._meta.concrete_fields:
            target = admin.site._registry.get(field.related_model) if field.is_relation else None
            if target is not None and target.search_fields:
                yield model, field


@pytest.fixture
def tenant_staff_client(client):
    pin = make_pin()
    client.force_login(make_user(tenant=pin.project.tenant, is_staff=True))
    client.raise_request_exception = False
    return client


@pytest.fixture
def superuser_client(admin_client):
    make_pin()
    admin_client.raise_request_exception = False
    return admin_client


def answers(client, url, query):
    return client.get(url, query, follow=True).status_code


def test_no_malformed_query_on_any_changelist_is_a_500(superuser_client, tenant_staff_client):
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        clients = [superuser_client]
        if isinstance(model_admin, TenantScopedAdmin):
            clients.append(tenant_staff_client)
        for client in clients:
            for query in malformed_queries(model, model_admin):
                status = answers(client, url, query)
                if status not in (200, 400):
                    failures.append((url, query, status))
    assert failures == []


def test_every_changelist_refuses_a_nul_byte_with_a_400_whatever_the_database(superuser_client):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        field = next(f.name for f in model._meta.concrete_fields if not f.is_relation)
        assert answers(superuser_client, url, {f"{field}__exact": NUL}) == 400, url


@pytest.mark.parametrize(
    "query", [{"scheduled_at__year": "99999999999"}, {"status__exact": NUL}, {"scheduled_at__year": "9999"}]
)
def test_the_pin_changelist_answers_the_reported_queries_with_a_400(superuser_client, tenant_staff_client, query):
    url = reverse("admin:publishing_pin_changelist")
    assert answers(superuser_client, url, query) == 400
    assert answers(tenant_staff_client, url, query) == 400


def test_no_malformed_autocomplete_term_is_a_500(superuser_client):
    sources = list(autocomplete_sources())
    assert len(sources) >= 5
    url = reverse("admin:autocomplete")
    for model, field in sources:
        params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field.name}
        assert answers(superuser_client, url, {**params, "term": NUL}) == 400, (model, field)
        assert answers(superuser_client, url, {**params, "term": "x", "page": "9" * 30}) in (200, 404), (model, field)


def test_a_tenant_staff_autocomplete_term_with_a_nul_byte_is_a_400(tenant_staff_client):
    params = {"app_label": "publishing", "model_name": "pin", "field_name": "project", "term": NUL}
    assert answers(tenant_staff_client, reverse("admin:autocomplete"), params) == 400


@pytest.mark.postgres
def test_on_postgresql_the_guard_is_what_stands_between_a_nul_byte_and_a_data_error(superuser_client):
    with pytest.raises(DataError), transaction.atomic():  # what an unguarded changelist would run
        list(Pin.objects.filter(status=NUL))
    url = reverse("admin:publishing_pin_changelist")
    assert answers(superuser_client, url, {"status__exact": NUL}) == 400
    assert answers(superuser_client, reverse("admin:autocomplete"), {
        "app_label": "publishing", "model_name": "membership", "field_name": "user", "term": NUL
    }) == 400
