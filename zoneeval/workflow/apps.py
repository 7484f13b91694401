from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zoneeval.workflow"
    verbose_name = "審査・承認・提出"

    def ready(self):
        from . import signals  # noqa: F401  (signals: any content change voids approvals and sign-offs)
        # The freeze of submitted editions is the archive app's (zoneeval/archive/freeze.py).
