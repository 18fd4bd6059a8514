from django.apps import AppConfig


class ApikeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from apikeys import checks, schema  # noqa: F401  (registers the system check and the schema's auth scheme)
