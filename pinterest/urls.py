"""Browser views of the Pinterest app (OAuth connect and callback)."""

app_name = "pinterest"
urlpatterns = []
