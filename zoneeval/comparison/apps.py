from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "zoneeval.comparison"
    verbose_name = "変更点の比較"
