"""Every admin page renders for a superuser, and no page shows a stored token."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from publishing.models import PublishAttempt, PublishBatch, PublishBatchItem
from tests.factories import make_pin, make_user

pytestmark = pytest.mark.django_db

SECRET_MARK = "_secret"  # every factory token contains it


@pytest.fixture
def populated():
    pin = make_pin()
    from django.utils import timezone

    PublishAttempt.objects.create(pin=pin, trigger="manual", started_at=timezone.now())
    batch = PublishBatch.objects.create(tenant=pin.project.tenant, total=1)
    PublishBatchItem.objects.create(batch=batch, pin=pin)
    make_user(tenant=pin.project.tenant)
    return pin



def test_every_admin_page_renders_for_a_superuser_without_any_token(admin_client, populated):
    checked = 0
    superuser_request = RequestFactory().get("/")
    superuser_request.user = get_user_model().objects.get(username="admin")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        obj = model._default_manager.first()
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        for url in [*urls, add_url]:
            # A connection's add page leads to "Add a sandbox token" (checked with Pinterest).
            response = admin_client.get(url, follow=True)
            # Audit records (attempts, batches, django-q results) and boards have no add page: 403.
            can_add = model_admin.has_add_permission(superuser_request)
            expected = 403 if url == add_url and not can_add else 200
            assert response.status_code == expected, url
            assert SECRET_MARK not in response.content.decode(), url
            checked += 1
    assert checked >= 20


def test_connection_change_page_says_whether_tokens_are_set(admin_client, populated):
    conn = populated.board.connection
    response = admin_client.get(reverse("admin:pinterest_pinterestconnection_change", args=[conn.pk]))
    body = response.content.decode()
    assert "set, expires" in body
    assert 'name="access_token"' not in body and 'name="refresh_token"' not in body


def test_tenant_staff_sees_only_their_tenant_in_the_admin(client, populated):
    other_pin = make_pin()
    staff = make_user(tenant=populated.project.tenant, is_staff=True)
    client.force_login(staff)
    body = client.get(reverse("admin:publishing_pin_changelist")).content.decode()
    assert populated.title in body
    assert other_pin.title not in body
    response = client.get(reverse("admin:publishing_pin_change", args=[other_pin.pk]))
    assert response.status_code == 302  # the admin redirects a missing object to the index


def test_admin_index_shows_the_pin_dashboard(admin_client, populated):
    from publishing.models import Pin

    Pin.objects.filter(pk=populated.pk).update(status="error", error_message="Board not found.")
    body = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="pin-dashboard"' in body
    assert "Board not found." in body and "Next up" in body
    assert reverse("admin:publishing_blogproject_tenant_calendar") in body  # the calendar, one click away


def test_pin_changelist_shows_badges_and_the_link_to_pinterest(admin_client, populated):
    from publishing.models import Pin

    Pin.objects.filter(pk=populated.pk).update(
        status="published", pinterest_pin_id="987", pinterest_pin_url="https://www.pinterest.com/pin/987/"
    )
    body = admin_client.get(reverse("admin:publishing_pin_changelist")).content.decode()
    assert "https://www.pinterest.com/pin/987/" in body and "Published</span>" in body
    assert "<img src=" in body


def test_saving_a_connection_in_the_admin_never_writes_back_old_tokens(admin_client, populated, monkeypatch):
    from pinterest.models import PinterestConnection

    conn = populated.board.connection
    url = reverse("admin:pinterest_pinterestconnection_change", args=[conn.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"username": "renamed", "is_active": "on", "boards-TOTAL_FORMS": "0",
                 "boards-INITIAL_FORMS": "0", "boards-MIN_NUM_FORMS": "0", "boards-MAX_NUM_FORMS": "1000"})
    # A refresh rotates the tokens while the admin handles the POST (after it read the row).
    model_admin = admin.site._registry[PinterestConnection]
    original_save_form = model_admin.save_form

    def refresh_meanwhile(request, form, change):
        fresh = PinterestConnection.objects.get(pk=conn.pk)
        fresh.access_token, fresh.refresh_token = "pina_rotated", "pinr_rotated"
        fresh.save()
        return original_save_form(request, form, change)

    monkeypatch.setattr(model_admin, "save_form", refresh_meanwhile)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = PinterestConnection.objects.get(pk=conn.pk)
    assert saved.username == "renamed"
    assert (saved.access_token, saved.refresh_token) == ("pina_rotated", "pinr_rotated")


def test_a_published_pin_is_read_only_in_the_admin_and_a_claimed_pin_is_not_overwritten(admin_client, populated):
    from publishing.models import Pin

    url = reverse("admin:publishing_pin_change", args=[populated.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"title": "Edited in the admin", "attempts-TOTAL_FORMS": "0", "attempts-INITIAL_FORMS": "0",
                 "attempts-MIN_NUM_FORMS": "0", "attempts-MAX_NUM_FORMS": "1000"})
    data.pop("image", None)
    # A publish claims the pin while the form is open: the admin save must not win.
    Pin.objects.filter(pk=populated.pk).update(status="publishing")
    admin_client.post(url, data)
    pin = Pin.objects.get(pk=populated.pk)
    assert pin.status == "publishing" and pin.title != "Edited in the admin"
    Pin.objects.filter(pk=populated.pk).update(status="published")
    assert "title" not in admin_client.get(url).context["adminform"].form.fields
