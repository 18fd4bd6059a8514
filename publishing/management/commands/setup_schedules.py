from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from publishing.schedules import schedules_setup


class Command(BaseCommand):
    help = (
        "Create or update the django-q2 schedules: publishing's (on time, the sweep, token refreshes) "
        "and those of every other app that declares setup_schedules() on its AppConfig (webhooks)."
    )

    def handle(self, *args: object, **options: Any) -> None:
        schedules = schedules_setup()
        # Other apps' schedules (publishing never imports them: the app registry names them).
        for config in apps.get_app_configs():
            if config.name != "publishing" and hasattr(config, "setup_schedules"):
                schedules += config.setup_schedules()
        for schedule in schedules:
            every = f"every {schedule.minutes} min" if schedule.minutes else "daily"
            next_run = f"{schedule.next_run:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(f"{schedule.name}: {schedule.func} {every}, next run {next_run}")
