"""The admin index's "Connection health" block: connections by health, and those needing a person."""

from typing import Any

from django import template
from django.utils import timezone

from pinpublisher.admin_display import badge
from pinpublisher.admin_scoping import user_tenant_id
from pinterest.display import HEALTH_COLORS
from pinterest.models import Health
from pinterest.selectors import connections_health_dashboard

register = template.Library()


@register.inclusion_tag("admin/connection_health_dashboard.html", takes_context=True)
def connection_health_dashboard(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    if not (user.is_superuser or user_tenant_id(user)):
        return {"show": False}
    now = timezone.now()
    data = connections_health_dashboard(tenant_id=None if user.is_superuser else user_tenant_id(user), now=now)
    counts = [
        {"value": value, "label": label, "count": data["counts"][value], "color": HEALTH_COLORS[Health(value)]}
        for value, label in Health.choices
    ]
    needing = []
    for connection in data["needing_a_person"]:
        value, detail = connection.health(now=now)
        health = Health(value)
        needing.append({
            "connection": connection, "label": health.label, "color": HEALTH_COLORS[health], "detail": detail,
            "badge": badge(health.label, HEALTH_COLORS[health]),
        })
    return {"show": True, "counts": counts, "needing": needing, "all_tenants": user.is_superuser}
