import json
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any, TypedDict, Unpack

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apikeys.forms import EXPIRY_DAYS_MAX
from apikeys.scopes import ALL_SCOPES, scopes_parse
from apikeys.selectors import tenant_by_name, tenant_first_owner, user_by_username
from apikeys.services import api_key_create
from pinpublisher.errors import DomainError
from publishing.roles import may


def scopes_within_role(owner: Any, scopes: list[str], *, every: bool) -> list[str]:
    """The scopes the key gets: ``all`` is every scope the owner's role allows; a scope named
    that the role does not allow is refused (a key never does more than its owner, issue 29)."""
    membership = getattr(owner, "membership", None)
    if membership is None:
        return scopes  # api_key_create refuses an owner of no tenant, with its words
    if every:
        return [scope for scope in scopes if may(membership, scope)]
    beyond = [scope for scope in scopes if scope in ALL_SCOPES and not may(membership, scope)]
    if beyond:
        raise CommandError(
            f"{owner.username} is {membership.get_role_display().lower()}: their role does not allow "
            f"{', '.join(beyond)}, and a key never does more than the member it acts as."
        )
    return scopes


class Options(TypedDict):
    """The options ``add_arguments`` declares, as ``handle`` gets them."""

    tenant: str
    name: str
    scopes: str
    expires_in_days: int | None
    owner: str | None
    json: bool


class Command(BaseCommand):
    help = (
        "Create an API key for a tenant and print it, once: it is stored only as a hash. "
        "The key acts as --owner (default: the tenant's first owner)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's name.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. the integration that uses it.")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated: {', '.join(ALL_SCOPES)}; or 'all'.",
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            metavar="N",
            help=f"The key stops working after N days (1..{EXPIRY_DAYS_MAX}); without it, never.",
        )
        parser.add_argument("--owner", metavar="USERNAME", help="The member of the tenant the key acts as.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: str, **options: Unpack[Options]) -> None:
        tenant = tenant_by_name(name=options["tenant"])
        if tenant is None:
            raise CommandError(f"No tenant named '{options['tenant']}'.")
        if options["owner"]:
            owner = user_by_username(username=options["owner"])
            if owner is None:
                raise CommandError(f"No user named '{options['owner']}'.")
        else:
            owner = tenant_first_owner(tenant=tenant)
            if owner is None:
                raise CommandError(f"Tenant '{tenant}' has no active owner: give --owner.")
        days = options["expires_in_days"]
        if days is not None and not 1 <= days <= EXPIRY_DAYS_MAX:
            raise CommandError(f"--expires-in-days must be 1..{EXPIRY_DAYS_MAX}.")
        scopes = scopes_within_role(owner, scopes_parse(options["scopes"]), every=options["scopes"].strip() == "all")
        try:
            created = api_key_create(
                tenant=tenant,
                owner=owner,
                name=options["name"],
                scopes=scopes,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except DomainError as exc:
            raise CommandError(exc.public_message) from None
        api_key = created.api_key
        if options["json"]:
            self.stdout.write(json.dumps({
                "id": api_key.pk,
                "tenant": tenant.name,
                "owner": owner.username,
                "name": api_key.name,
                "prefix": api_key.prefix,
                "scopes": api_key.scopes,
                "expires_at": api_key.expires_at.isoformat() if api_key.expires_at else None,
                "key": created.key,
            }))
            return
        self.stdout.write(self.style.SUCCESS(f"Created API key '{api_key.name}' of '{tenant}' (id {api_key.pk})."))
        self.stdout.write(f"Acts as:  {owner.username}")
        self.stdout.write(f"Scopes:   {', '.join(api_key.scopes)}")
        self.stdout.write(f"Expires:  {api_key.expires_at.isoformat() if api_key.expires_at else 'never'}")
        self.stdout.write(f"API key:  {created.key}   (shown once; store it now)")
