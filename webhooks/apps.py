from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from webhooks import checks, receivers  # noqa: F401  (registers the system checks and receivers)

    def setup_schedules(self, *, now=None):
        """This app's django-q2 schedules (``webhooks.schedules``), for ``manage.py setup_schedules``,
        which asks every app config that has this method: publishing never imports webhooks."""
        from webhooks.schedules import webhooks_schedules_setup

        return webhooks_schedules_setup(now=now)
