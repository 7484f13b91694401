from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zoneeval.workflow"
    verbose_name = "審査・承認・提出"

    def ready(self):
        from . import freeze

        freeze.connect()  # a submitted edition refuses every write, whatever the way in
