
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pinpublisher.commands import secret_from_env
from pinterest.errors import ConnectError, PinterestError
from pinterest.models import PinterestConnection, TenantRef
from pinterest.services.connect import connection_add_from_token, connection_check_token

# Reached through the connection model: pinterest never imports publishing (nor names its types).
Tenant: type[TenantRef] = PinterestConnection._meta.get_field("tenant").related_model


class Command(BaseCommand):
    help = (
        "Connect a Pinterest account from an access token made outside OAuth (Pinterest's sandbox "
        "hands them out in the app's dashboard). The token is read from an environment variable, "
        "never from the command line (which other users and shell history can see), checked with "
        "GET /v5/user_account, stored encrypted, and the account's boards are synced. Connecting "
        "an account the tenant already has updates it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--tenant", required=True, help="Name of the tenant that gets the connection.")
        parser.add_argument(
            "--token-env", required=True, metavar="VAR", help="Environment variable holding the access token."
        )
        parser.add_argument(
            "--refresh-token-env", metavar="VAR",
            help="Environment variable holding a refresh token (optional; without one the token is not refreshed).",
        )
        parser.add_argument("--project", type=int, metavar="ID", help="Id of a project of the tenant to attach.")
        parser.add_argument("--dry-run", action="store_true", help="Check the token with Pinterest; store nothing.")

    def handle(
        self,
        *args: Any,
        tenant: str,
        token_env: str,
        refresh_token_env: str | None,
        project: int | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        tenant_obj = Tenant.objects.filter(name=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"No tenant named {tenant!r} (create it with `manage.py create_tenant`).")
        if project is not None and not tenant_obj.projects.filter(pk=project).exists():
            raise CommandError(f"Project {project} is not a project of {tenant_obj}.")
        access_token = secret_from_env(token_env)
        refresh_token = secret_from_env(refresh_token_env) if refresh_token_env else ""
        try:
            if dry_run:
                account = connection_check_token(access_token=access_token)
                self.stdout.write(
                    f"Dry run: the token works for Pinterest account @{account.get('username', '')} "
                    f"(id {account.get('id')}); nothing stored."
                )
                return
            result = connection_add_from_token(
                tenant=tenant_obj, access_token=access_token, refresh_token=refresh_token, target=project
            )
        except ConnectError as exc:
            raise CommandError(str(exc)) from None
        except PinterestError as exc:
            raise CommandError(f"Pinterest could not check the token: {exc.user_message}") from None
        style = self.style.WARNING if (result.boards_error or result.refresh_error) else self.style.SUCCESS
        self.stdout.write(style(f"{result.message} (connection id {result.connection.pk}, tenant {tenant_obj})"))

