"""The account pages, under /planner/account/ (the project's URLconf includes "accounts.urls")."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.security, name="security"),
    path("two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/off/", views.two_factor_disable, name="two-factor-disable"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("policy/", views.policy, name="policy"),
    path("sessions/end/", views.sessions_end, name="sessions-end"),
    path("team/", views.team_invitations, name="team"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("team/members/<int:user_id>/unlock/", views.member_unlock, name="member-unlock"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
