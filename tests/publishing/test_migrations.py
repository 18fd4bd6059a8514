"""Migrations that change data: run forward over the shapes real databases hold."""


import pytest
from django.utils import timezone

from publishing.models import Pin
from tests.factories import make_article, make_pin, make_project
from tests.publishing.helpers import standin_account


def siblings(standin, count):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)
    return [make_pin(project=project, board=board, article=article, title="Same") for _ in range(count)]


@pytest.mark.django_db(transaction=True)
def test_migrations_give_a_shared_pinterest_id_to_the_pin_pinterest_answered_201_for(standin):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from publishing.models import PublishBatch, PublishBatchItem

    keeper, other, third = siblings(standin, 3)
    batch = PublishBatch.objects.create(tenant=keeper.project.tenant, total=1)
    PublishBatchItem.objects.create(batch=batch, pin=other, success=True)
    PublishBatchItem.objects.create(batch=batch, pin=third, success=True)
    executor = MigrationExecutor(connection)
    executor.migrate([("publishing", "0002_pin_claimed_at")])
    now = timezone.now()
    with connection.cursor() as c:
        c.execute("UPDATE publishing_pin SET status='published', pinterest_pin_id='77', published_at=%s", [now])
        c.execute("INSERT INTO publishing_publishattempt (pin_id, trigger, started_at, outcome, http_status, "
                  "pinterest_request_id, pinterest_pin_id, error) VALUES (%s,'sweep',%s,'success',201,'','77','')",
                  [other.pk.hex if connection.vendor == 'sqlite' else str(other.pk), now])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("publishing", "0004_pin_unique_pinterest_id")])
    # Then to the latest schema, which the models below read.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {p.pk: p for p in Pin.objects.all()}
    assert rows[other.pk].status == "published" and rows[other.pk].pinterest_pin_id == "77"
    assert rows[keeper.pk].status == rows[third.pk].status == "error"
    assert "belongs to another of your pins" in rows[keeper.pk].error_message
    assert rows[keeper.pk].pinterest_pin_id == rows[third.pk].pinterest_pin_id == ""
    items = PublishBatchItem.objects.values("success", "error")
    assert items.get(pin=other)["success"] is True  # the pin Pinterest confirmed keeps it
    demoted = items.get(pin=third)
    assert demoted["success"] is False and "belongs to another of your pins" in demoted["error"]
