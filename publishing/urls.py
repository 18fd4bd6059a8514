"""REST routes of the publishing app."""

urlpatterns = []
