from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "zoneeval.authorities"
    verbose_name = "作成主体"
