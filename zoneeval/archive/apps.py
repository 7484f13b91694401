from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "zoneeval.archive"
    label = "archive"
    verbose_name = "提出・凍結・保存"

    def ready(self):
        from . import freeze

        freeze.connect()  # a submitted edition refuses every write, whatever the way in
