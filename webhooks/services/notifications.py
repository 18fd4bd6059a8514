"""Telling a tenant's owners by email that one of their webhook endpoints was disabled.

Who: the tenant's owners with an address (``publishing.selectors.tenant_owner_emails``).
Sent once the disabling is committed; a mail failure is logged, never raised (the delivery
worker must not fail because a mail server is down), except a missing email configuration.
"""

import logging

from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from publishing.conf import SUBJECT_PREFIX
from publishing.selectors import tenant_owner_emails
from webhooks.models import DeliveryAttempt, Endpoint

logger = logging.getLogger(__name__)


def endpoint_disabled_message(*, endpoint: Endpoint) -> tuple[str, str]:
    """The subject and body of the email about ``endpoint`` being disabled."""
    last = DeliveryAttempt.objects.filter(delivery__endpoint=endpoint).order_by("-started_at", "-id").first()
    if last is None:
        answer = "no attempt is recorded"
    else:
        answer = last.error or f"HTTP {last.status_code}"
        if last.response_body:
            answer += f" ({last.response_body[:200]})"
    subject = f"{SUBJECT_PREFIX}Webhook endpoint {endpoint.url} was disabled"
    body = (
        f"Hello,\n\n"
        f"pinpublisher stopped sending events of {endpoint.tenant} to the webhook endpoint {endpoint.url}.\n\n"
        f"What happened: {endpoint.disabled_reason} The last attempt: {answer}.\n\n"
        f"What to do: make the endpoint answer 2xx to a signed POST, then enable it again in the admin "
        f"(Webhook endpoints) or with PATCH /api/webhooks/{endpoint.pk}/ {{\"is_active\": true}}. Events that "
        f"were not delivered are kept; deliveries still pending are sent once it is enabled, and any delivery "
        f"can be sent again with POST /api/webhooks/{endpoint.pk}/deliveries/<id>/redeliver/.\n\n"
        f"You receive this because you are an owner of {endpoint.tenant}.\n"
    )
    return subject, body


def endpoint_disabled_notify_owners(*, endpoint_id: int) -> int:
    """Email each owner of the endpoint's tenant; returns how many messages were sent."""
    endpoint = Endpoint.objects.select_related("tenant").filter(pk=endpoint_id).first()
    if endpoint is None:
        return 0
    recipients = tenant_owner_emails(tenant_id=endpoint.tenant_id)
    if not recipients:
        logger.warning("Webhook endpoint %s was disabled, but no owner of tenant %s has an email address",
                       endpoint.pk, endpoint.tenant_id)
        return 0
    subject, body = endpoint_disabled_message(endpoint=endpoint)
    sent = 0
    try:
        with mail.get_connection() as backend:
            for recipient in recipients:
                # No from_email: Django's EmailMessage sends from DEFAULT_FROM_EMAIL.
                message = mail.EmailMessage(subject=subject, body=body, to=[recipient], connection=backend)
                try:
                    sent += message.send()
                except ImproperlyConfigured:
                    raise
                except Exception:
                    # Backends raise their own types (smtplib's, socket errors, an ESP's API error).
                    logger.exception("Webhook endpoint %s: the email to an owner could not be sent", endpoint.pk)
    except ImproperlyConfigured:
        raise
    except Exception:
        logger.exception("Webhook endpoint %s: the emails could not be sent", endpoint.pk)
    return sent
