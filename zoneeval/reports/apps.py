from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zoneeval.reports"
    verbose_name = "評価書"

    def ready(self):
        from . import printed, versions
        from .permissions import connect_signals

        connect_signals()
        printed.connect_signals()
        versions.connect_signals()
