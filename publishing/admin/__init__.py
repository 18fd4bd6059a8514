"""Admin for tenants, projects, articles, pins, attempts and batches, one job per module.

Projects, articles and pins are written and deleted by the same content services as the REST
API (``publishing.services.content``, through ``service_forms``): the admin form only hands them
what changed and shows what they refuse on the field they name; a delete they refuse deletes
nothing and shows why.

- ``service_forms``: ``ServiceForm``/``ServiceFormAdmin``, writing and deleting through a service
- ``tenants``: tenants, memberships, projects and articles
- ``pins``: the pin form and admin; ``pin_actions`` its changelist actions; ``carousel`` its rows
- ``records``: attempts and batches, read-only
- ``scheduling``: queues, slots, interval pinning, CSV import and the calendars
- ``display``: status colours, badges, a pin's picture and zone (the dashboards use them too)

Django imports this package (``autodiscover``): importing the modules registers their ModelAdmins.
"""

from django.contrib import admin

from pinpublisher.admin_scoping import guard_admin_site
from publishing.admin.display import (
    BATCH_OUTCOME_COLORS,
    PIN_TIMES,
    STATUS_COLORS,
    WAITING_COLOR,
    pin_image_url,
    pin_page_zone,
    pin_thumbnail,
    pin_zone,
    standin_pin_page,
    waiting_badge,
)
from publishing.admin.pins import PinAdmin, PinForm
from publishing.admin.records import PublishAttemptAdmin, PublishBatchAdmin
from publishing.admin.service_forms import DeleteRefused, ServiceForm, ServiceFormAdmin
from publishing.admin.tenants import (
    BlogArticleAdmin,
    BlogProjectAdmin,
    MembershipAdmin,
    TenantAdmin,
    users_tenant_staff_may_pick,
)

__all__ = [
    "BATCH_OUTCOME_COLORS", "PIN_TIMES", "STATUS_COLORS", "WAITING_COLOR", "BlogArticleAdmin", "BlogProjectAdmin",
    "DeleteRefused", "MembershipAdmin", "PinAdmin", "PinForm", "PublishAttemptAdmin", "PublishBatchAdmin",
    "ServiceForm", "ServiceFormAdmin", "TenantAdmin", "pin_image_url", "pin_page_zone", "pin_thumbnail", "pin_zone",
    "standin_pin_page", "users_tenant_staff_may_pick", "waiting_badge",
]

# The app list beside every page takes a fifth of a 1400 px screen from the lists; the index and
# the breadcrumbs lead everywhere it does.
admin.site.enable_nav_sidebar = False
admin.site.site_header = admin.site.site_title = "pinpublisher"
admin.site.index_title = "Today"

# Last app in INSTALLED_APPS: every other app's ModelAdmin is registered by now.
guard_admin_site(admin.site)
