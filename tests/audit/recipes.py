"""A recipe per write service: make what it needs, call it, say which audit event it must leave.

A recipe returns ``Expect(action, object_id, fields)``: the test finds the event the call made
(acting as the job ``audit-recipe``) and checks each named field's ``[before, after]`` (``ANY``
where a value is generated).
"""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

from tests.audit import recipes_content, recipes_team
from tests.audit.expect import ANY, Expect
from tests.factories import (
    image_upload,
    make_api_key,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_tenant,
    make_user,
)


def _soon(hours=2):
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def _pin(**fields):
    board = make_board()
    project = make_project(tenant=board.connection.tenant, connection=board.connection)
    return make_pin(project=project, board=board, status="draft", **fields)


def pin_create(request):
    from publishing.services.content import pin_create

    board = make_board()
    project = make_project(tenant=board.connection.tenant, connection=board.connection)
    article = make_article(project=project)
    pin = pin_create(tenant=project.tenant, project_id=project.pk, article_id=article.pk, board_id=board.pk,
                     title="Soup", image=image_upload())
    return Expect("pin.create", pin.pk, {"title": [None, "Soup"], "status": [None, "draft"]})


def pin_update(request):
    from publishing.services.content import pin_update

    pin = _pin(title="Old")
    pin_update(pin=pin, data={"title": "New"})
    return Expect("pin.update", pin.pk, {"title": ["Old", "New"]})


def pin_delete(request):
    from publishing.services.content import pin_delete

    pin = _pin(title="Gone")
    pin_delete(pin=pin)
    return Expect("pin.delete", pin.pk, {"title": ["Gone", None]})


def pin_schedule(request):
    from publishing.services.content import pin_schedule

    pin, at = _pin(), _soon()
    pin_schedule(pin=pin, scheduled_at=at)
    return Expect("pin.schedule", pin.pk, {"status": ["draft", "ready_to_schedule"], "scheduled_at": [None, ANY]})


def pin_unschedule(request):
    from publishing.services.content import pin_unschedule

    pin = _pin(scheduled_at=_soon())
    pin.status = "ready_to_schedule"
    pin.save()
    pin_unschedule(pin=pin)
    return Expect("pin.unschedule", pin.pk, {"status": ["ready_to_schedule", "draft"], "scheduled_at": [ANY, None]})


def written_and_scheduled(request):
    from publishing.services.content import pin_update
    from publishing.services.content.schedule import written_and_scheduled

    pin = _pin(title="Before")
    written_and_scheduled(lambda: pin_update(pin=pin, data={"title": "After"}), scheduled_at=_soon())
    return Expect("pin.schedule", pin.pk, {"status": ["draft", "ready_to_schedule"]})


def project_create(request):
    from publishing.services.content import project_create

    project = project_create(tenant=make_tenant(), name="Blog", timezone="Europe/Berlin")
    return Expect("project.create", project.pk, {"name": [None, "Blog"], "timezone": [None, "Europe/Berlin"]})


def project_update(request):
    from publishing.services.content import project_update

    project = make_project(name="Old name")
    project_update(project=project, data={"name": "New name"})
    return Expect("project.update", project.pk, {"name": ["Old name", "New name"]})


def project_delete(request):
    from publishing.services.content import project_delete

    project = make_project(name="Gone")
    pk = project.pk
    project_delete(project=project)
    return Expect("project.delete", pk, {"name": ["Gone", None]})


def article_create(request):
    from publishing.services.content import article_create

    project = make_project()
    article = article_create(tenant=project.tenant, project_id=project.pk, url="https://blog.example.com/x", title="X")
    return Expect("article.create", article.pk, {"url": [None, "https://blog.example.com/x"]})


def article_update(request):
    from publishing.services.content import article_update

    article = make_article(title="Old")
    article_update(article=article, data={"title": "New"})
    return Expect("article.update", article.pk, {"title": ["Old", "New"]})


def article_delete(request):
    from publishing.services.content import article_delete

    article = make_article(title="Gone")
    pk = article.pk
    article_delete(article=article)
    return Expect("article.delete", pk, {"title": ["Gone", None]})


def _queued_pin():
    from publishing.models import PostingSlot

    pin = _pin()
    for weekday in range(7):
        PostingSlot.objects.create(project=pin.project, weekday=weekday, local_time=time(9, 0))
    return pin


def pin_add_to_queue(request):
    from publishing.services.queue_slots import pin_add_to_queue

    pin = _queued_pin()
    pin_add_to_queue(pin=pin)
    return Expect("pin.schedule", pin.pk, {"status": ["draft", "ready_to_schedule"]})


def pins_add_to_queue(request):
    from publishing.services.queue_slots import pins_add_to_queue

    pin = _queued_pin()
    pins_add_to_queue(pins=[pin])
    return Expect("pin.schedule", pin.pk, {"scheduled_at": [None, ANY]})


def pin_remove_from_queue(request):
    from publishing.services.queue_slots import pin_add_to_queue, pin_remove_from_queue

    pin = pin_add_to_queue(pin=_queued_pin())
    pin_remove_from_queue(pin=pin)
    return Expect("pin.unschedule", pin.pk, {"status": ["ready_to_schedule", "draft"]})


def project_slots_replace(request):
    from publishing.services.queue_slots import project_slots_replace

    project = make_project()
    project_slots_replace(project=project, slots=[(0, time(9, 0))])
    return Expect("project.slots_replace", project.pk, {"posting_slots": [[], ["Monday 09:00"]]})


def pins_mark_ready(request):
    from publishing.services.readiness import pins_mark_ready

    pin = _pin(scheduled_at=_soon())
    pins_mark_ready(pin_ids=[pin.pk])
    return Expect("pin.schedule", pin.pk, {"status": ["draft", "ready_to_schedule"]})


def pins_retry_failed(request):
    from publishing.services.readiness import pins_retry_failed

    pin = _pin(error_message="Pinterest said no")
    pin.status = "error"
    pin.save()
    pins_retry_failed(pin_ids=[pin.pk])
    return Expect("pin.schedule", pin.pk, {"status": ["error", "ready_to_schedule"],
                                          "error_message": ["Pinterest said no", ""]})


def pin_pin_to_boards(request):
    from publishing.models import Pin
    from publishing.services.interval import pin_pin_to_boards

    pin = _pin()
    other = make_board(connection=pin.board.connection)
    pin_pin_to_boards(pin=pin, board_ids=[other.pk], start_at=_soon(), interval=timedelta(days=1))
    copy = Pin.objects.get(source_pin=pin)
    return Expect("pin.create", copy.pk, {"board": [None, other.pk]})


def pins_import_csv(request):
    from publishing.models import Pin
    from publishing.services.csv_import import pins_import_csv

    connection = make_connection()
    make_board(connection=connection, name="Recipes")
    project = make_project(tenant=connection.tenant, connection=connection)
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    data = ("Title,Media URL,Pinterest board,Description,Link,Publish date\n"
            f"Soup,https://img.example.com/a.jpg,Recipes,,https://blog.example.com/a,{at}\n").encode()
    pins_import_csv(project=project, data=data)
    pin = Pin.objects.get(project=project)
    return Expect("pin.create", pin.pk, {"title": [None, "Soup"]})


def tenant_create(request):
    from publishing.services.tenants import tenant_create

    created = tenant_create(name="Agency", owner_username="agency-owner")
    return Expect("tenant.create", created.tenant.pk, {"name": [None, "Agency"]})


def project_attach_connection(request):
    from publishing.services.connections import project_attach_connection

    project = make_project()
    connection = make_connection(tenant=project.tenant)
    project_attach_connection(tenant=project.tenant, project_id=project.pk, connection=connection)
    return Expect("project.update", project.pk, {"pinterest_connection": [None, connection.pk]})


def api_key_create(request):
    created = make_api_key(make_user(), scopes=["read"], name="CI")
    return Expect("api_key.create", created.api_key.pk, {"name": [None, "CI"], "hashed_key": ["(secret)", "(changed)"]})


def api_key_revoke(request):
    from apikeys.services import api_key_revoke

    created = make_api_key(make_user())
    api_key_revoke(api_key_id=created.api_key.pk)
    return Expect("api_key.revoke", created.api_key.pk, {"revoked_at": [None, ANY]})


def _endpoint():
    from webhooks.services.endpoints import endpoint_create

    with mock.patch("webhooks.services.endpoints.url_problem", return_value=None):
        return endpoint_create(tenant=make_tenant(), url="https://hooks.example.com/in").endpoint


def endpoint_create(request):
    endpoint = _endpoint()
    return Expect("webhook.create", endpoint.pk, {"url": [None, "https://hooks.example.com/in"],
                                                  "secret": ["(secret)", "(changed)"]})


def endpoint_update(request):
    from webhooks.services.endpoints import endpoint_update

    endpoint = _endpoint()
    endpoint_update(endpoint=endpoint, data={"description": "Slack"})
    return Expect("webhook.update", endpoint.pk, {"description": ["", "Slack"]})


def endpoint_delete(request):
    from webhooks.services.endpoints import endpoint_delete

    endpoint = _endpoint()
    pk = endpoint.pk
    endpoint_delete(endpoint=endpoint)
    return Expect("webhook.delete", pk, {"url": ["https://hooks.example.com/in", None]})


def endpoint_rotate_secret(request):
    from webhooks.services.endpoints import endpoint_rotate_secret

    endpoint = _endpoint()
    endpoint_rotate_secret(endpoint=endpoint)
    return Expect("webhook.rotate_secret", endpoint.pk, {"secret": ["(secret)", "(changed)"]})


def _standin_connection(request, boards=1):
    from tests.publishing.helpers import standin_account

    return standin_account(request.getfixturevalue("standin"), boards=boards)


def boards_sync(request):
    from pinterest.models import Board
    from pinterest.services.boards import boards_sync

    connection, (board,) = _standin_connection(request)
    Board.objects.filter(pk=board.pk).update(name="Renamed here")
    boards_sync(connection_id=connection.pk)
    return Expect("connection.sync_boards", connection.pk, {"boards_updated": [None, 1]})


def board_sections_sync(request):
    from pinterest.services.boards import board_sections_sync

    standin = request.getfixturevalue("standin")
    connection, (board,) = _standin_connection(request)
    standin.add_board_section(board.pinterest_board_id, "Soups")
    board_sections_sync(connection_id=connection.pk)
    return Expect("connection.sync_sections", connection.pk, {"sections_created": [None, 1]})


def connection_add_from_token(request):
    from pinterest.services.connect import connection_add_from_token

    standin = request.getfixturevalue("standin")
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    result = connection_add_from_token(tenant=make_tenant(), access_token=access, refresh_token=refresh)
    return Expect("connection.create", result.connection.pk, {"access_token": ["(secret)", "(changed)"]})


def connection_disconnect(request):
    from pinterest.services.connect import connection_disconnect

    connection = make_connection()
    connection_disconnect(connection_id=connection.pk)
    return Expect("connection.disconnect", connection.pk, {"is_active": [True, False],
                                                            "access_token": ["(secret)", "(changed)"]})


def connection_spam_block(request):
    from pinterest.errors import PinterestRateLimitError
    from pinterest.services.health import connection_spam_block

    connection = make_connection()
    connection_spam_block(connection_id=connection.pk, exc=PinterestRateLimitError("spam"))
    return Expect("connection.spam_block", connection.pk, {"spam_blocked_until": [None, ANY]})


def connection_mark_inactive(request):
    from pinterest.services.tokens import connection_mark_inactive

    connection = make_connection()
    connection_mark_inactive(connection_id=connection.pk, error="Token rejected")
    return Expect("connection.deactivate", connection.pk, {"is_active": [True, False]})


def connection_refresh_tokens(request):
    from pinterest.services.refresh import connection_refresh_tokens

    connection, _ = _standin_connection(request, boards=0)
    connection_refresh_tokens(connection_id=connection.pk)
    return Expect("connection.refresh_tokens", connection.pk, {"access_token": ["(secret)", "(changed)"]})


def _rotating(request):
    from cryptography.fernet import Fernet

    settings = request.getfixturevalue("settings")
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PINPUBLISHER_TOKEN_KEYS = [old]
    return settings, [new, old]


def tokens_rotate_keys(request):
    from pinterest.services.rotation import tokens_rotate_keys

    settings, keys = _rotating(request)
    make_connection()
    settings.PINPUBLISHER_TOKEN_KEYS = keys
    tokens_rotate_keys()
    return Expect("tokens.rotate_keys", "-", {"rows_reencrypted": [None, ANY]})


def secrets_rotate_keys(request):
    from webhooks.services.keys import secrets_rotate_keys

    settings, keys = _rotating(request)
    _endpoint()
    settings.PINPUBLISHER_TOKEN_KEYS = keys
    secrets_rotate_keys()
    return Expect("webhook_secrets.rotate_keys", "-", {"rows_reencrypted": [None, ANY]})


#: Events of the whole installation (re-encrypting every tenant's secrets): no one tenant's.
INSTALLATION_WIDE = {"tokens.rotate_keys", "webhook_secrets.rotate_keys", "two_factor_secrets.rotate_keys"}

RECIPES = {
    "pinterest.services.rotation.tokens_rotate_keys": tokens_rotate_keys,
    "webhooks.services.keys.secrets_rotate_keys": secrets_rotate_keys,
    "publishing.services.content.pins.pin_create": pin_create,
    "publishing.services.content.pins.pin_update": pin_update,
    "publishing.services.content.pins.pin_delete": pin_delete,
    "publishing.services.content.schedule.pin_schedule": pin_schedule,
    "publishing.services.content.schedule.pin_unschedule": pin_unschedule,
    "publishing.services.content.schedule.written_and_scheduled": written_and_scheduled,
    "publishing.services.content.projects.project_create": project_create,
    "publishing.services.content.projects.project_update": project_update,
    "publishing.services.content.projects.project_delete": project_delete,
    "publishing.services.content.articles.article_create": article_create,
    "publishing.services.content.articles.article_update": article_update,
    "publishing.services.content.articles.article_delete": article_delete,
    "publishing.services.queue_slots.pin_add_to_queue": pin_add_to_queue,
    "publishing.services.queue_slots.pins_add_to_queue": pins_add_to_queue,
    "publishing.services.queue_slots.pin_remove_from_queue": pin_remove_from_queue,
    "publishing.services.queue_slots.project_slots_replace": project_slots_replace,
    "publishing.services.readiness.pins_mark_ready": pins_mark_ready,
    "publishing.services.readiness.pins_retry_failed": pins_retry_failed,
    "publishing.services.interval.pin_pin_to_boards": pin_pin_to_boards,
    "publishing.services.csv_import.pins_import_csv": pins_import_csv,
    "publishing.services.tenants.tenant_create": tenant_create,
    "publishing.services.connections.project_attach_connection": project_attach_connection,
    "apikeys.services.api_key_create": api_key_create,
    "apikeys.services.api_key_revoke": api_key_revoke,
    "webhooks.services.endpoints.endpoint_create": endpoint_create,
    "webhooks.services.endpoints.endpoint_update": endpoint_update,
    "webhooks.services.endpoints.endpoint_delete": endpoint_delete,
    "webhooks.services.endpoints.endpoint_rotate_secret": endpoint_rotate_secret,
    "pinterest.services.boards.boards_sync": boards_sync,
    "pinterest.services.boards.board_sections_sync": board_sections_sync,
    "pinterest.services.connect.connection_add_from_token": connection_add_from_token,
    "pinterest.services.connect.connection_disconnect": connection_disconnect,
    "pinterest.services.health.connection_spam_block": connection_spam_block,
    "pinterest.services.tokens.connection_mark_inactive": connection_mark_inactive,
    "pinterest.services.refresh.connection_refresh_tokens": connection_refresh_tokens,
    **recipes_team.RECIPES,
    **recipes_content.RECIPES,
}
