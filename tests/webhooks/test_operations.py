"""What an operator touches: the schedule, the system checks, the settings, the commands."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django_q.models import Schedule

from tests.factories import make_tenant
from webhooks.checks import check_webhook_settings
from webhooks.conf import webhooks_settings
from webhooks.models import EndpointSecret, EventType
from webhooks.schedules import DELIVER_DUE_SCHEDULE, webhooks_schedules_setup
from webhooks.services.endpoints import endpoint_create
from webhooks.services.events import event_record


@pytest.mark.django_db
def test_the_schedule_is_created_once_however_often_setup_runs():
    webhooks_schedules_setup()
    webhooks_schedules_setup()
    (schedule,) = Schedule.objects.filter(name=DELIVER_DUE_SCHEDULE)
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        "webhooks.tasks.deliver_due", Schedule.MINUTES, 1, -1)


def test_production_allowing_local_addresses_is_warned_about(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True
    assert [m.id for m in check_webhook_settings(None)] == ["webhooks.W001"]
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = None
    assert check_webhook_settings(None) == []
    assert webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES is False
    settings.DEBUG = True
    assert webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES is True  # unset: on with DEBUG


def test_a_delivery_task_that_could_outlive_the_task_timeout_refuses_to_start(settings):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    settings.PUBLISH_TASK_TIMEOUT_SECONDS = 120
    (error,) = check_webhook_settings(None)
    assert error.id == "webhooks.E001" and error.is_serious()


def test_a_name_the_app_does_not_own_is_refused():
    with pytest.raises(AttributeError):
        webhooks_settings.WEBHOOKS_NOPE  # noqa: B018


@pytest.mark.django_db
def test_deliver_webhooks_sends_what_is_due_and_says_so(receiver):
    endpoint = endpoint_create(tenant=make_tenant(), url=receiver.url).endpoint
    event_record(tenant_id=endpoint.tenant_id, event_type=EventType.PIN_FAILED, data={}, endpoints=[endpoint])
    out = io.StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert out.getvalue().startswith("1 sent: 1 delivered") and len(receiver.received) == 1


@pytest.mark.django_db
def test_rotating_the_token_keys_re_encrypts_the_signing_secrets_too(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PINPUBLISHER_TOKEN_KEYS = [old]
    secret = endpoint_create(tenant=make_tenant(), url="https://hooks.example.com/in").secret
    settings.PINPUBLISHER_TOKEN_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert "re-encrypted 1 of 1 signing secrets" in out.getvalue()
    settings.PINPUBLISHER_TOKEN_KEYS = [new]
    assert EndpointSecret.objects.get().secret == secret


@pytest.mark.django_db
def test_the_app_config_offers_its_schedules_to_setup_schedules():
    from django.apps import apps

    (schedule,) = apps.get_app_config("webhooks").setup_schedules()
    assert schedule.name == DELIVER_DUE_SCHEDULE


def test_a_delivery_deadline_of_zero_refuses_to_start(settings):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 0
    assert [m.id for m in check_webhook_settings(None)] == ["webhooks.E002"]


def test_a_claimed_batch_is_held_for_every_delivery_taking_its_whole_deadline(settings):
    settings.WEBHOOKS_CLAIM_BATCH, settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 20, 10
    assert webhooks_settings.claim_lease_seconds == 20 * 10 + 60
