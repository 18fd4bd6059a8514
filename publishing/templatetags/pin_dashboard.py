"""The admin index dashboard: pins by status, the next scheduled pins, the last failures."""

from django import template
from django.utils import timezone

from pinpublisher.admin_scoping import user_tenant_id
from publishing.admin import STATUS_COLORS
from publishing.models import Pin, PinStatus
from publishing.selectors import pins_dashboard

register = template.Library()


@register.inclusion_tag("admin/pin_dashboard.html", takes_context=True)
def pin_dashboard(context):
    user = context["request"].user
    if not (user.is_superuser or user_tenant_id(user)):
        return {"show": False}
    data = pins_dashboard(tenant_id=None if user.is_superuser else user_tenant_id(user), now=timezone.now())
    counts = [
        {"status": label, "count": data["counts"].get(value, 0), "color": STATUS_COLORS[value], "value": value}
        for value, label in PinStatus.choices
    ]
    return {"show": True, "counts": counts, "upcoming": data["upcoming"], "failures": data["failures"], "Pin": Pin}
