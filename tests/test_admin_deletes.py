"""The admin deletes projects, articles and pins through the content services, like the REST API:
what a service refuses deletes nothing and shows its message; the bulk action deletes the
objects the services allow and names each one they refuse."""

import pytest
from django.contrib import messages
from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse
from django.utils import timezone

from publishing.models import BlogArticle, BlogProject, Pin, PinStatus, PublishAttempt
from tests.factories import make_article, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

PUBLISHING_REFUSAL = "Pin is being published right now; it can be deleted once publishing ends."


@pytest.fixture
def project(tenant):
    return make_project(tenant=tenant)


def pin_in(project, **fields):
    return make_pin(project=project, article=make_article(project=project), **fields)


def shown(response):
    return [(m.level, m.message) for m in response.context["messages"]]


def delete_one(client, obj):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"}, follow=True)


def delete_selected(client, model, objs):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    data = {"action": "delete_selected", "_selected_action": [o.pk for o in objs], "post": "yes"}
    return client.post(url, data, follow=True)


def deletions_logged():
    return LogEntry.objects.filter(action_flag=DELETION).count()


# --- The change page's "Delete" ----------------------------------------------------------------


def test_a_pin_being_published_is_not_deleted_and_the_services_reason_is_shown(admin_user_client, project):
    pin = pin_in(project, status=PinStatus.PUBLISHING)
    PublishAttempt.objects.create(pin=pin, trigger="manual", started_at=timezone.now())

    response = delete_one(admin_user_client, pin)

    assert response.redirect_chain[-1][0] == reverse("admin:publishing_pin_change", args=[pin.pk])
    assert shown(response) == [(messages.ERROR, f'The pin “{pin}” was not deleted: {PUBLISHING_REFUSAL}')]
    assert Pin.objects.filter(pk=pin.pk).exists() and PublishAttempt.objects.filter(pin=pin).exists()
    assert deletions_logged() == 0


def test_a_project_with_pins_is_not_deleted_and_keeps_its_pins_and_articles(admin_user_client, project):
    pin = pin_in(project, status=PinStatus.DRAFT)

    response = delete_one(admin_user_client, project)

    assert shown(response) == [
        (messages.ERROR, f"The blog project “{project}” was not deleted: "
                         f"Project {project.name!r} has 1 pin(s); delete them first.")
    ]
    assert BlogProject.objects.filter(pk=project.pk).exists()
    assert Pin.objects.filter(pk=pin.pk).exists() and BlogArticle.objects.filter(pk=pin.article_id).exists()
    assert deletions_logged() == 0


def test_an_article_with_pins_is_not_deleted_and_the_services_reason_is_shown(admin_user_client, project):
    pin = pin_in(project)
    article = pin.article

    response = delete_one(admin_user_client, article)

    assert shown(response) == [
        (messages.ERROR, f"The blog article “{article}” was not deleted: Article {article.pk} has 1 pin(s); "
                         "delete them (or move them to another article) first.")
    ]
    assert BlogArticle.objects.filter(pk=article.pk).exists() and Pin.objects.filter(pk=pin.pk).exists()


@pytest.mark.parametrize("status", [PinStatus.DRAFT, PinStatus.ERROR, PinStatus.PUBLISHED])
def test_a_pin_the_service_allows_is_deleted_and_logged(admin_user_client, project, status):
    pin = pin_in(project, status=status)

    response = delete_one(admin_user_client, pin)

    assert response.redirect_chain[-1][0] == reverse("admin:publishing_pin_changelist")
    assert [level for level, _ in shown(response)] == [messages.SUCCESS]
    assert not Pin.objects.filter(pk=pin.pk).exists()
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(pin.pk)).exists()


def test_a_project_without_pins_is_deleted_with_its_articles(admin_user_client, project):
    article = make_article(project=project)

    delete_one(admin_user_client, project)

    assert not BlogProject.objects.filter(pk=project.pk).exists()
    assert not BlogArticle.objects.filter(pk=article.pk).exists()


def test_an_article_without_pins_is_deleted(admin_user_client, project):
    article = make_article(project=project)
    delete_one(admin_user_client, article)
    assert not BlogArticle.objects.filter(pk=article.pk).exists()


def test_the_delete_page_of_a_pin_claimed_while_it_was_open_refuses(admin_user_client, project):
    pin = pin_in(project, status=PinStatus.DRAFT)
    opts = Pin._meta
    confirm = admin_user_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pin.pk]))
    assert confirm.status_code == 200
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING)  # the publisher's claim

    response = delete_one(admin_user_client, pin)

    assert shown(response)[0][0] == messages.ERROR
    assert Pin.objects.filter(pk=pin.pk).exists()


# --- The changelist's "Delete selected" --------------------------------------------------------


def test_bulk_delete_deletes_the_allowed_pins_and_names_the_refused_one(admin_user_client, project):
    drafts = [pin_in(project, status=PinStatus.DRAFT) for _ in range(2)]
    publishing = pin_in(project, status=PinStatus.PUBLISHING)

    response = delete_selected(admin_user_client, Pin, [*drafts, publishing])

    assert shown(response) == [
        (messages.SUCCESS, "Successfully deleted 2 pins."),
        (messages.ERROR, f'The pin “{publishing}” was not deleted: {PUBLISHING_REFUSAL}'),
    ]
    assert list(Pin.objects.values_list("pk", flat=True)) == [publishing.pk]
    assert deletions_logged() == 2
    assert not LogEntry.objects.filter(object_id=str(publishing.pk)).exists()


def test_bulk_delete_of_projects_keeps_the_one_with_pins(admin_user_client, tenant, project):
    pin = pin_in(project)
    empty = make_project(tenant=tenant)

    response = delete_selected(admin_user_client, BlogProject, [project, empty])

    assert shown(response) == [
        (messages.SUCCESS, "Successfully deleted 1 blog project."),
        (messages.ERROR, f"The blog project “{project}” was not deleted: "
                         f"Project {project.name!r} has 1 pin(s); delete them first."),
    ]
    assert list(BlogProject.objects.all()) == [project] and Pin.objects.filter(pk=pin.pk).exists()


def test_bulk_delete_of_articles_keeps_the_one_with_pins(admin_user_client, project):
    with_pin = pin_in(project).article
    without = make_article(project=project)

    response = delete_selected(admin_user_client, BlogArticle, [with_pin, without])

    assert [level for level, _ in shown(response)] == [messages.SUCCESS, messages.ERROR]
    assert f"Article {with_pin.pk} has 1 pin(s)" in shown(response)[1][1]
    assert list(BlogArticle.objects.all()) == [with_pin]


def test_bulk_delete_asks_for_confirmation_first(admin_user_client, project):
    pin = pin_in(project, status=PinStatus.DRAFT)
    url = reverse("admin:publishing_pin_changelist")
    response = admin_user_client.post(url, {"action": "delete_selected", "_selected_action": [pin.pk]})
    assert response.status_code == 200
    assert "Are you sure you want to delete the selected pin?" in response.content.decode()
    assert Pin.objects.filter(pk=pin.pk).exists()


def test_bulk_delete_never_reaches_another_tenants_pin(client, project):
    foreign = make_pin(status=PinStatus.DRAFT)
    client.force_login(make_user(tenant=project.tenant, is_staff=True))
    delete_selected(client, Pin, [foreign])
    assert Pin.objects.filter(pk=foreign.pk).exists()
