"""The admin index dashboard: pins by status, the next pins to publish, the last failures."""

from typing import Any

from django import template
from django.utils import timezone

from pinpublisher.admin_scoping import user_tenant_id
from pinpublisher.timezones import format_when
from publishing.admin.display import STATUS_COLORS, pin_thumbnail, pin_zone, waiting_badge
from publishing.models import PinStatus
from publishing.selectors import pins_dashboard

register = template.Library()


@register.inclusion_tag("admin/pin_dashboard.html", takes_context=True)
def pin_dashboard(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    if not (user.is_superuser or user_tenant_id(user)):
        return {"show": False}
    now = timezone.now()
    data = pins_dashboard(tenant_id=None if user.is_superuser else user_tenant_id(user), now=now)
    counts = [
        {"status": label, "count": data["counts"].get(value, 0), "color": STATUS_COLORS[value], "value": value}
        for value, label in PinStatus.choices
    ]
    upcoming = [
        {"pin": pin, "thumbnail": pin_thumbnail(pin), "waiting": waiting_badge(pin, now),
         "when": format_when(pin.scheduled_at, zone=pin_zone(pin))}
        for pin in data["upcoming"]
    ]
    failures = [
        {"pin": pin, "thumbnail": pin_thumbnail(pin), "when": format_when(pin.updated_at, zone=pin_zone(pin))}
        for pin in data["failures"]
    ]
    return {"show": True, "counts": counts, "upcoming": upcoming, "failures": failures}
