"""The accounts app's refusals, each with its HTTP status and code (``pinpublisher.errors``)."""

from pinpublisher.errors import DomainError


class OwnerRequired(DomainError):
    """Only an owner of the tenant may do this (invite, revoke, unlock, change the login policy)."""

    http_status = 403
    code = "role_forbids"  # one code for every refusal by role (publishing.roles)


class InvitationUnusable(DomainError):
    """The invitation's link was used, revoked or has expired: it never works again."""

    http_status = 410
    code = "invitation_unusable"


class TwoFactorRefused(DomainError):
    """A two-factor code that does not match, or a change the tenant's policy forbids."""

    code = "two_factor_refused"
