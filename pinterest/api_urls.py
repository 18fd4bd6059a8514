"""REST routes of the Pinterest app (connections and boards)."""

urlpatterns = []
