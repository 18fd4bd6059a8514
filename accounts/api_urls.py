"""REST routes of invitations and lockouts, under /api/."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("invitations/", api.InvitationsApi.as_view(), name="api-invitation-list"),
    path("invitations/<int:invitation_id>/revoke/", api.InvitationRevokeApi.as_view(), name="api-invitation-revoke"),
    path("members/<int:user_id>/unlock/", api.MemberUnlockApi.as_view(), name="api-member-unlock"),
]
