"""REST endpoints of a tenant's team (issue 29): list the members, change a member's role,
remove a member. The owners' only (``role_action``: ``members:write`` for every method, reads
included, checked by ``publishing.api_permissions.RoleAllows``); a key needs ``read`` to list
and ``members:write`` to change, and its owner must be an owner. Thin: parse, call one service
or selector, serialize."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

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
from publishing.roles import Action, Role, actions_of
from publishing.selectors import tenant_members
from publishing.services.members import member_remove, member_role_change

OWNERS_ONLY = "For the tenant's owners only (403 `role_forbids` for editors and viewers)."


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The membership's id (not the user's).")
    username = serializers.CharField(source="user.username")
    # A CharField, not an EmailField: a member may have no address yet ("").
    email = serializers.CharField(source="user.email", help_text="The member's email address, or empty when none.")
    name = serializers.CharField(source="user.get_full_name", help_text="Empty when the user has none.")
    role = serializers.ChoiceField(choices=Role.choices)
    actions = serializers.SerializerMethodField(help_text="What the role allows (the API keys' scope names).")
    is_active = serializers.BooleanField(source="user.is_active", help_text="An inactive user cannot sign in.")
    joined_at = serializers.DateTimeField(source="created_at")

    def get_actions(self, membership: Membership) -> list[str]:
        return actions_of(membership.role)


class MemberInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(MemberSerializer)

    role = serializers.ChoiceField(
        choices=Role.choices,
        help_text="owner: everything, the team, keys, webhooks and connections; editor: content and "
        "publishing; viewer: reads. The last owner cannot be given another role.",
    )


class MembersApi(TenantApi):
    write_scope = Action.MANAGE_TEAM
    role_action = Action.MANAGE_TEAM

    @extend_schema(
        operation_id="members_list",
        tags=["members"],
        description=f"The tenant's members, owners first. {OWNERS_ONLY}",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(MemberSerializer), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=tenant_members(tenant_id=self.tenant.pk),
            serializer_class=MemberSerializer,
            request=request,
            view=self,
        )


class MemberDetailApi(TenantApi):
    write_scope = Action.MANAGE_TEAM
    role_action = Action.MANAGE_TEAM

    def get_member(self, membership_id: int) -> Membership:
        return get_or_404(tenant_members(tenant_id=self.tenant.pk), label="Member", pk=membership_id)

    @extend_schema(
        operation_id="members_retrieve",
        tags=["members"],
        description=OWNERS_ONLY,
        responses={200: MemberSerializer, **error_responses(404)},
    )
    def get(self, request: Request, membership_id: int) -> Response:
        return Response(MemberSerializer(self.get_member(membership_id)).data)

    @extend_schema(
        operation_id="members_change_role",
        tags=["members"],
        summary="Change the member's role",
        description="The new role applies at the member's next request, to their API keys too. "
        f"The tenant's last owner keeps the role (400 `last_owner`). {OWNERS_ONLY}",
        request=MemberInputSerializer,
        responses={200: MemberSerializer, **error_responses(400, 404, 415)},
    )
    def patch(self, request: Request, membership_id: int) -> Response:
        data = parse(MemberInputSerializer, request.data)
        member = member_role_change(
            tenant=self.tenant, membership_id=self.get_member(membership_id).pk, role=data["role"]
        )
        return Response(MemberSerializer(self.get_member(member.pk)).data)

    @extend_schema(
        operation_id="members_remove",
        tags=["members"],
        summary="Remove the member",
        description="The membership goes, every API key acting as the member is revoked and their "
        f"sessions end. The tenant's last owner stays (400 `last_owner`). {OWNERS_ONLY}",
        request=None,
        responses={204: None, **error_responses(400, 404)},
    )
    def delete(self, request: Request, membership_id: int) -> Response:
        member_remove(tenant=self.tenant, membership_id=self.get_member(membership_id).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
