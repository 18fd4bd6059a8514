"""The analytics app's admin: "Sync analytics now" on Pinterest connections.

pinterest never imports analytics (the apps sit on it), so the action is added from here: the
connections' admin is registered again as a subclass with one more action. The action is thin:
it calls the service ``POST /api/connections/{id}/sync-analytics/`` and the planner's "Sync now"
call (``connection_sync_request``), so an inactive account or one being synced now is refused
with the same words, as a message.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from analytics.services.lease import connection_sync_request
from pinpublisher.errors import Conflict
from pinterest.admin import PinterestConnectionAdmin
from pinterest.models import PinterestConnection


class ConnectionAnalyticsAdmin(PinterestConnectionAdmin):
    actions = [*PinterestConnectionAdmin.actions, "sync_analytics_now"]

    @admin.action(description="Sync analytics now")
    def sync_analytics_now(self, request: HttpRequest, queryset: QuerySet[PinterestConnection]) -> None:
        for connection in queryset.order_by("pk"):
            try:
                connection_sync_request(connection=connection)
            except Conflict as err:  # not connected, or already syncing
                self.message_user(request, f"Not synced: {err}", messages.ERROR)
            else:
                self.message_user(
                    request, f"Analytics sync of {connection} queued: the numbers appear once it has run.",
                    messages.SUCCESS,
                )


admin.site.unregister(PinterestConnection)
admin.site.register(PinterestConnection, ConnectionAnalyticsAdmin)
