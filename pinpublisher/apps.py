from django.apps import AppConfig


class PinpublisherConfig(AppConfig):
    name = "pinpublisher"
    verbose_name = "pinpublisher"

    def ready(self) -> None:
        from pinpublisher import checks  # noqa: F401  (registers the system checks)
