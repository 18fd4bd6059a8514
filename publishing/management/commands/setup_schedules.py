from django.core.management.base import BaseCommand

from publishing.schedules import schedules_setup


class Command(BaseCommand):
    help = "Create or update the django-q2 schedules (the due-pin sweep and the daily token refresh)."

    def handle(self, *args, **options):
        for schedule in schedules_setup():
            every = f"every {schedule.minutes} min" if schedule.minutes else "daily"
            next_run = f"{schedule.next_run:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(f"{schedule.name}: {schedule.func} {every}, next run {next_run}")
