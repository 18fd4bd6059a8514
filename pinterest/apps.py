from django.apps import AppConfig


class PinterestConfig(AppConfig):
    name = "pinterest"
    verbose_name = "Pinterest"
