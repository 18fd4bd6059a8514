"""The planner's Autopilot page, under /planner/autopilot/ (included by name from the project's URLconf)."""

from django.urls import path

from autopilot import views

app_name = "autopilot"

urlpatterns = [
    path("", views.autopilot_page, name="settings"),
]
