from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zoneeval.workflow"
    verbose_name = "審査・承認・提出"

    def ready(self):
        from . import freeze, signals  # noqa: F401  (signals: any content change voids approvals and sign-offs)

        freeze.connect()  # a submitted edition refuses every write, whatever the way in
