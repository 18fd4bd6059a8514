from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"
    verbose_name = "Pin designs"
    default_auto_field = "django.db.models.BigAutoField"
