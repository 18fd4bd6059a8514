"""The planner's pages, under /planner/ (the project's URLconf includes "planner.urls")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from planner import (
    analytics_views,
    calendar_views,
    design_views,
    project_views,
    review_views,
    team_views,
    views,
    views_bulk,
)

app_name = "planner"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="planner/login.html", redirect_authenticated_user=True, next_page="planner:pins"
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="planner:login"), name="logout"),
    path("pins/", views.pin_list, name="pins"),
    path("projects/<int:project_id>/", project_views.project_page, name="project"),
    path("pins/new/", views.composer, name="pin-new"),
    path("pins/<uuid:pin_id>/", views.composer, name="pin"),
    path("pins/<uuid:pin_id>/retry/", views.pin_retry, name="pin-retry"),
    path("pins/selected/", views_bulk.pins_apply, name="pins-apply"),
    path("bulk/", views_bulk.bulk_upload, name="bulk"),
]

urlpatterns += [
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/pins/<uuid:pin_id>/move/", calendar_views.pin_move, name="calendar-move"),
]

urlpatterns += [
    path("analytics/", analytics_views.analytics, name="analytics"),
    path("analytics/projects/<int:project_id>/sync/", analytics_views.sync_now, name="analytics-sync"),
    path("analytics/projects/<int:project_id>/posting-times/", analytics_views.use_posting_times,
         name="analytics-posting-times"),
]

urlpatterns += [
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<uuid:pin_id>/approve/", review_views.review_approve, name="review-approve"),
    path("reviews/<uuid:pin_id>/reject/", review_views.review_reject, name="review-reject"),
    path("projects/<int:project_id>/approval/", review_views.project_approval, name="project-approval"),
    path("designs/", design_views.article_list, name="designs"),
    path("articles/<int:article_id>/designs/", design_views.article_designs, name="article-designs"),
    path("articles/<int:article_id>/designs/<str:template>.png", design_views.design_png, name="design-png"),
    path("articles/<int:article_id>/designs/pins/", design_views.design_pins, name="design-pins"),
    path("projects/<int:project_id>/design-style/", design_views.style_update, name="design-style"),
    path("team/", team_views.team, name="team"),
    path("team/<int:membership_id>/role/", team_views.member_change_role, name="team-role"),
    path("team/<int:membership_id>/remove/", team_views.member_remove_view, name="team-remove"),
]
