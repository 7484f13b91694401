"""The Celery application. Configuration comes from Django settings (CELERY_* names); logging too (zoneeval.logs)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")

from . import logs  # noqa: E402,F401  (connects the task-id and logging signals)

app = Celery("zoneeval")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
