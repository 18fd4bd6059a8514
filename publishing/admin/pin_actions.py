"""The pin changelist's actions: publish now (a batch per tenant, followed on its page), mark
ready and retry failed. Each calls one engine or readiness service and reports with messages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pinpublisher.timezones import format_when
from publishing.approvals import pins_publish_many
from publishing.engine import batch_expected_at, batch_summary
from publishing.models import Pin, PinStatus, Tenant
from publishing.services.readiness import ReadinessResult, pins_mark_ready, pins_retry_failed

if TYPE_CHECKING:
    _PinAdminBase = admin.ModelAdmin[Pin]
else:
    _PinAdminBase = object


class PinActions(_PinAdminBase):
    """The actions of ``PinAdmin`` (named in its ``actions``)."""

    @admin.action(description="Publish now (in the background, paced)")
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        by_tenant: dict[int, list[uuid.UUID]] = {}
        for pin_id, tenant_id in queryset.values_list("pk", "project__tenant_id"):
            by_tenant.setdefault(tenant_id, []).append(pin_id)
        for tenant_id, pin_ids in by_tenant.items():
            # An editor's pins of a project whose pins need approval go to review instead (issue 29).
            batch, asked = pins_publish_many(tenant=Tenant.objects.get(pk=tenant_id), pin_ids=pin_ids, trigger="admin")
            if asked:
                self.message_user(request, ngettext(
                    "%(count)d pin sent for review: an owner approves before it publishes",
                    "%(count)d pins sent for review: an owner approves before they publish", len(asked),
                ) % {"count": len(asked)}, messages.INFO)
            if batch is None:
                continue
            summary = batch_summary(batch=batch)
            skipped, failed = summary["skipped"], summary["failed"]
            going = summary["pending"] + summary["published"]
            url = reverse("admin:publishing_publishbatch_change", args=[batch.pk])
            parts = []
            if going:
                parts.append(ngettext("Publishing %(count)d pin in the background",
                                      "Publishing %(count)d pins in the background", going) % {"count": going})
                expected = batch_expected_at(batch=batch)
                if expected is not None:
                    parts[-1] += _(", expected from %(when)s (Pinterest asked the account to wait)") % {
                        "when": format_when(expected)
                    }
            if skipped:
                parts.append(ngettext("%(count)d pin already published: skipped",
                                      "%(count)d pins already published: skipped", skipped) % {"count": skipped})
            if failed:
                parts.append(ngettext("%(count)d pin cannot be published (see the batch)",
                                      "%(count)d pins cannot be published (see the batch)", failed) % {"count": failed})
            level = messages.SUCCESS if going else (messages.WARNING if skipped and not failed else messages.ERROR)
            self.message_user(
                request,
                format_html('{}: <a href="{}">follow batch {}</a>.', "; ".join(parts), url, str(batch.pk)[:8]),
                level,
            )

    def _report_readiness(
        self, request: HttpRequest, result: ReadinessResult, *,
        done: Callable[[int], str], stays: str, other: Callable[[int], str],
    ) -> None:
        """One message for the pins made ready, one for those sent for review instead (an editor, a
        project whose pins need approval), one per refused pin (why), one for the others."""
        in_review = sum(1 for pin in result.ready if pin.status == PinStatus.IN_REVIEW)
        count = len(result.ready) - in_review
        if in_review:
            self.message_user(request, ngettext(
                "%(count)d pin sent for review: an owner approves before it publishes.",
                "%(count)d pins sent for review: an owner approves before they publish.", in_review,
            ) % {"count": in_review}, messages.INFO)
        if count or not (result.refused or in_review):
            self.message_user(request, done(count) % {"count": count},
                              messages.SUCCESS if count else messages.WARNING)
        for pin, reason in result.refused:
            self.message_user(request, f"“{pin}” {stays}: {reason}", messages.ERROR)
        if result.not_applicable:
            self.message_user(request, other(result.not_applicable) % {"count": result.not_applicable},
                              messages.WARNING)

    @admin.action(description="Mark ready to schedule (at their time, or next in the queue)")
    def mark_ready(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        result = pins_mark_ready(pin_ids=queryset.values_list("pk", flat=True))
        self._report_readiness(
            request, result, stays="stays a draft",
            done=lambda n: ngettext("%(count)d draft pin marked ready to schedule.",
                                    "%(count)d draft pins marked ready to schedule.", n),
            other=lambda n: ngettext("%(count)d selected pin is not a draft: left as it is.",
                                     "%(count)d selected pins are not drafts: left as they are.", n),
        )

    @admin.action(description="Retry failed (at their time, or now if it has passed)")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        result = pins_retry_failed(pin_ids=queryset.values_list("pk", flat=True))
        self._report_readiness(
            request, result, stays="stays failed",
            done=lambda n: ngettext("%(count)d failed pin is ready to schedule again.",
                                    "%(count)d failed pins are ready to schedule again.", n),
            other=lambda n: ngettext("%(count)d selected pin has not failed: left as it is.",
                                     "%(count)d selected pins have not failed: left as they are.", n),
        )
