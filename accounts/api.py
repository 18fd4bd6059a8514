"""REST endpoints of invitations and lockouts: list, invite, withdraw; unlock a member. Thin:
parse, call one service or selector, serialize. Owners only (the services say so: 403
``role_forbids``); an API key acts as the member who made it, with the ``members:write`` scope
for writes. No answer ever carries an invitation's link: it goes to the invitee's inbox only."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors
from accounts.errors import OwnerRequired
from accounts.models import Invitation
from accounts.services import invitations, lockouts
from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    ReadOnlyFields,
    TenantApi,
    error_responses,
    get_or_404,
    paginated,
    paginated_response,
    parse,
)
from publishing.models import Membership

OWNERS_ONLY = "Owners only: anyone else gets 403 `role_forbids`."


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    status = serializers.SerializerMethodField(help_text="pending until used, withdrawn or past `expires_at`.")
    invited_by = serializers.CharField(source="invited_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"]))
    def get_status(self, invitation: Invitation) -> str:
        return invitation.status()


class InvitationInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(InvitationSerializer)

    email = serializers.EmailField(max_length=254, help_text="Where the link goes.")
    role = serializers.ChoiceField(choices=Membership.Role.choices, help_text="The role the invitee gets.")


class InvitationsApi(TenantApi):
    write_scope = Scope.MEMBERS_WRITE

    @extend_schema(operation_id="invitations_list", tags=["members"], description=OWNERS_ONLY,
                   parameters=PAGINATION_PARAMETERS,
                   responses={200: paginated(InvitationSerializer), **error_responses(404)})
    def get(self, request: Request) -> Response:
        if not selectors.is_owner(user=request.user, tenant=self.tenant):
            raise OwnerRequired("Only an owner can see the invitations.")
        queryset = selectors.invitations_for_tenant(tenant=self.tenant)
        return paginated_response(queryset=queryset, serializer_class=InvitationSerializer, request=request,
                                  view=self)

    @extend_schema(
        operation_id="invitations_create", tags=["members"], request=InvitationInputSerializer,
        description="Emails the person a link that works once, for `INVITATION_TTL_HOURS` (72 by default); "
        "an earlier pending invitation of the same address is withdrawn. " + OWNERS_ONLY,
        responses={201: InvitationSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(InvitationInputSerializer, request.data)
        sent = invitations.invitation_create(tenant=self.tenant, invited_by=request.user,
                                             site_url=request.build_absolute_uri("/"), **data)
        return Response(InvitationSerializer(sent.invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeApi(TenantApi):
    write_scope = Scope.MEMBERS_WRITE

    @extend_schema(operation_id="invitations_revoke", tags=["members"], request=None,
                   description="The link stops working. An accepted invitation stays accepted. " + OWNERS_ONLY,
                   responses={200: InvitationSerializer, **error_responses(404)})
    def post(self, request: Request, invitation_id: int) -> Response:
        found = get_or_404(selectors.invitations_for_tenant(tenant=self.tenant), label="Invitation", pk=invitation_id)
        invitation = invitations.invitation_revoke(tenant=self.tenant, actor=request.user, invitation_id=found.pk)
        return Response(InvitationSerializer(invitation).data)


class UnlockedSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    cleared = serializers.IntegerField(help_text="How many records of failed logins were cleared.")


class MemberUnlockApi(TenantApi):
    write_scope = Scope.MEMBERS_WRITE

    @extend_schema(operation_id="members_unlock", tags=["members"], request=None,
                   description="Clears a member's failed logins, so a member locked out by repeated failures "
                   "can log in again at once (a locked address is the operators'). " + OWNERS_ONLY,
                   responses={200: UnlockedSerializer, **error_responses(404)})
    def post(self, request: Request, user_id: int) -> Response:
        members = get_user_model().objects.filter(membership__tenant=self.tenant)
        member = get_or_404(members, label="Member", pk=user_id)
        cleared = lockouts.member_unlock(tenant=self.tenant, actor=request.user, user_id=member.pk)
        return Response({"user_id": member.pk, "cleared": cleared})
