from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zoneeval.workflow"
    verbose_name = "審査・承認・提出"

    def ready(self):
        from celery.signals import task_postrun
        from django.db.models.signals import post_delete, post_save

        from . import signals  # noqa: F401  (signals: any content change voids approvals and sign-offs)
        from .work_count import bump, bump_after_write

        # the navigation's my-work count is cached under a generation that every write moves (work_count.py)
        post_save.connect(bump_after_write, dispatch_uid="my-work-count-save")
        post_delete.connect(bump_after_write, dispatch_uid="my-work-count-delete")
        task_postrun.connect(bump, dispatch_uid="my-work-count-task", weak=False)
        # The freeze of submitted editions is the archive app's (zoneeval/archive/freeze.py).
