from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "zoneeval.authorities"
    verbose_name = "作成主体"

    def ready(self):
        from . import signals  # noqa: F401
