from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zoneeval.reports"
    verbose_name = "評価書"
