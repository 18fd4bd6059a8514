import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pinpublisher.commands import secret_from_env
from publishing.services.tenants import TenantCreateError, tenant_create


class Command(BaseCommand):
    help = (
        "Create a tenant with its owner user and an API key with every scope (printed once: it is "
        "stored only as a hash). The password comes from the environment variable named by "
        "--password-env, or is generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The tenant's name (unique).")
        parser.add_argument("--owner", required=True, help="Username of the owner to create.")
        parser.add_argument("--email", default="", help="The owner's email address.")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Read the owner's password from this environment variable (never from the "
            "command line, where it would land in shell history).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: object, **options: Any) -> None:
        password = None
        if options["password_env"]:
            password = secret_from_env(options["password_env"], strip=False)
        try:
            created = tenant_create(
                name=options["name"],
                owner_username=options["owner"],
                email=options["email"],
                password=password,
            )
        except TenantCreateError as exc:
            raise CommandError(str(exc)) from None
        result = {
            "tenant": {"id": created.tenant.pk, "name": created.tenant.name},
            "owner": {"id": created.owner.pk, "username": created.owner.username},
            "password": created.password if created.password_generated else None,
            "api_key": created.api_key,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(self.style.SUCCESS(f"Created tenant '{created.tenant.name}'."))
        self.stdout.write(f"Owner:     {created.owner.username}")
        if created.password_generated:
            self.stdout.write(f"Password:  {created.password}   (shown once; store it now)")
        else:
            self.stdout.write(f"Password:  from ${options['password_env']}")
        self.stdout.write(f"API key:   {created.api_key}   (shown once; store it now)")
