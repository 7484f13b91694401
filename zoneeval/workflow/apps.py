from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zoneeval.workflow"
    verbose_name = "審査・承認・提出"

    def ready(self):
        from . import (
            freeze,  # noqa: F401  (refuses writes to submitted editions)
            signals,  # noqa: F401  (any content change voids approvals and sign-offs)
        )
