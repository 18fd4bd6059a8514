"""Telling a tenant's owners by email when one of their Pinterest accounts needs them, and when an
editor's pins wait for their approval (``pins_review_notify_owners``, issue 29).

``pinterest.services.health.connection_health_check`` decides *when* (once per change of
what a person must know) and sends ``pinterest.signals.connection_health_changed`` inside
the transaction that records it; ``publishing.receivers`` answers it by calling
``connection_health_notify_owners`` once that transaction is committed. This decides *who*
(the tenant's owners with an address) and *what* (a plain-text message that says which
account, what happened and what to do). The signal is the hook: another answer to the same
change (the webhooks outbox, ``webhooks.receivers``) is one more receiver; nothing here changes.

Mail goes through Django's email framework (``EMAIL_BACKEND``; the console backend under
``make run``). No message ever contains a token: the details come from
``PinterestConnection.health`` and ``last_error``, which hold Pinterest's words, never its
credentials.
"""

import logging
from dataclasses import dataclass

from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from pinterest.models import Health, PinterestConnection
from publishing.conf import SUBJECT_PREFIX
from publishing.models import BlogProject, Pin, ReviewAction
from publishing.selectors import tenant_owner_emails

logger = logging.getLogger(__name__)

#: The most pins one review email lists (a bulk ask of hundreds says how many more).
REVIEW_LIST_MAX = 20


@dataclass(frozen=True)
class HealthNotice:
    subject: str
    body: str


def connection_health_notice(
    *, connection: PinterestConnection, health: str, detail: str, previous: str
) -> HealthNotice:
    """The message about the connection's change to ``health`` (from ``previous``)."""
    account = str(connection)
    tenant = connection.tenant
    connect_path = reverse("pinterest:connect")
    projects = list(BlogProject.objects.filter(pinterest_connection=connection).values_list("name", flat=True))
    uses = f"Projects publishing with it: {', '.join(projects)}." if projects else "No project publishes with it."
    if health == Health.NEEDS_RECONNECT:
        subject = f"Pinterest account {account} needs to be connected again"
        what = detail or "pinpublisher can no longer use this account."
        todo = (
            f"Connect the account again at {connect_path} (signed in as an owner of {tenant}), or add a "
            "fresh token in the admin. Until then its pins wait; none are lost."
        )
    elif health == Health.SPAM_BLOCKED:
        subject = f"Pinterest account {account} is blocked for suspected spam"
        what = detail
        todo = (
            "Nothing to do but wait until the cool-down ends: publishing resumes by itself afterwards and the "
            "due pins go out then. Publishing more meanwhile could make Pinterest block the account longer."
        )
    elif health == Health.REFRESH_FAILING:
        subject = f"Pinterest account {account}: token refresh failing for more than a day"
        what = detail
        todo = (
            "pinpublisher keeps trying by itself. If it still fails before the access token expires, "
            f"connect the account again at {connect_path} so its pins keep publishing."
        )
    else:
        subject = f"Pinterest account {account} is working again"
        was = Health(previous).label.lower() if previous in Health.values else previous
        what = f"The account is usable again (it was: {was})." if was else "The account is usable again."
        todo = "Nothing: its due pins publish as usual."
    body = (
        f"Hello,\n\n"
        f"this is about the Pinterest account {account} of {tenant} in pinpublisher.\n\n"
        f"What happened: {what}\n\n"
        f"What to do: {todo}\n\n"
        f"{uses}\n\n"
        f"You receive this because you are an owner of {tenant}; you hear once per change.\n"
    )
    return HealthNotice(subject=SUBJECT_PREFIX + subject, body=body)


def connection_health_notify_owners(
    *, connection: PinterestConnection, health: str, detail: str, previous: str
) -> int:
    """Email each owner of the connection's tenant about its change of health; returns how
    many messages were sent.

    One message per owner (owners do not see each other's addresses), none when no owner
    has an address. A failure to send is logged with the connection id and traceback and
    never raised: the change is committed already and the caller (a token refresh, a
    publish, a job) must not fail because a mail server is down. A missing email
    configuration (``ImproperlyConfigured``) is raised, like everywhere else.
    """
    recipients = tenant_owner_emails(tenant_id=connection.tenant_id)
    if not recipients:
        logger.warning(
            "Connection %s is %s, but no owner of tenant %s has an email address; nobody was told",
            connection.pk, health, connection.tenant_id,
        )
        return 0
    notice = connection_health_notice(connection=connection, health=health, detail=detail, previous=previous)
    sent = 0
    try:
        with mail.get_connection() as backend:
            for recipient in recipients:
                # No from_email: Django's EmailMessage sends from DEFAULT_FROM_EMAIL.
                message = mail.EmailMessage(
                    subject=notice.subject, body=notice.body, to=[recipient], connection=backend,
                )
                try:
                    sent += message.send()
                except ImproperlyConfigured:
                    raise
                except Exception:
                    # Backends raise their own types (smtplib's, socket errors, an ESP's API
                    # error): whichever it is, this owner is not told, the others still are.
                    logger.exception("Connection %s: the %s email to an owner could not be sent", connection.pk, health)
    except ImproperlyConfigured:
        raise
    except Exception:
        # Opening or closing the backend's connection failed (mail server unreachable).
        logger.exception("Connection %s: the %s emails could not be sent", connection.pk, health)
    logger.info("Connection %s is %s: %s of %s owner(s) emailed", connection.pk, health, sent, len(recipients))
    return sent


def pins_review_notify_owners(*, pin_ids: list, action: str, requested_by: str) -> int:
    """Email each owner of the pins' tenant that an editor's ask waits for their approval (issue
    29): one message per ask (a bulk ask lists its pins), with where to decide. Returns how many
    were sent; a failure to send is logged, never raised (the ask is committed already)."""
    pins = list(Pin.objects.filter(pk__in=pin_ids).select_related("project").order_by("created_at", "pk"))
    if not pins:
        return 0
    tenant_id = pins[0].project.tenant_id
    recipients = tenant_owner_emails(tenant_id=tenant_id)
    asked = ReviewAction(action).label.lower() if action in ReviewAction.values else action
    shown = [f"- {pin} ({pin.project}, pin {pin.pk})" for pin in pins[:REVIEW_LIST_MAX]]
    if len(pins) > REVIEW_LIST_MAX:
        shown.append(f"- ... and {len(pins) - REVIEW_LIST_MAX} more")
    subject = SUBJECT_PREFIX + (f"{len(pins)} pins wait for your approval" if len(pins) > 1
                                else f"A pin waits for your approval: {pins[0]}")
    body = (
        f"Hello,\n\n{requested_by or 'An editor'} asked to {asked}:\n\n" + "\n".join(shown) + "\n\n"
        f"Approve them, or send them back with a comment, at {reverse('planner:reviews')} "
        "(or POST /api/pins/<id>/approve/ and /reject/). Nothing is published before an owner approves.\n\n"
        "You receive this because you are an owner and the project's pins need approval.\n"
    )
    sent = 0
    for recipient in recipients:
        try:
            sent += mail.EmailMessage(subject=subject, body=body, to=[recipient]).send()
        except ImproperlyConfigured:
            raise
        except Exception:
            # Whatever the backend raises, this owner is not told; the others still are.
            logger.exception("Review of pins %s: the email to an owner could not be sent", pin_ids[:5])
    logger.info("Review asked for %s pin(s): %s of %s owner(s) emailed", len(pins), sent, len(recipients))
    return sent
