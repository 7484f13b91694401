from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "zoneeval.assembly"
    verbose_name = "取りまとめ・検証・PDF"
