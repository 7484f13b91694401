"""One log line per event, each with the id of what it belongs to: the request id on the web (X-Request-ID from the
proxy when it looks like an id, otherwise a new one; echoed in the response), the Celery task id in workers.

``ContextFilter`` (settings.LOGGING) adds ``request_id`` and ``task_id`` to every record; ``JsonFormatter`` writes
one JSON object per line (LOG_FORMAT=json). ``RequestIdMiddleware`` sets the request id and logs one line per
request; the Celery signals below set the task id around each task, and make workers and beat log through
settings.LOGGING instead of Celery's own set-up.
"""
import contextvars
import datetime
import json
import logging
import re
import time
import uuid

from celery import signals
from django.core.signals import request_finished
from django.dispatch import receiver

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")

HEADER = "X-Request-ID"
# What a proxy may hand us: letters, digits and - _ . : / + = (uuids, AWS trace ids, nginx $request_id), up to 128.
VALID_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")

request_logger = logging.getLogger("zoneeval.request")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` (empty when there is none) to every record, and ``ids`` for the text
    format (``request=…``, ``task=…`` or ``-``); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        if not getattr(record, "task_id", ""):
            record.task_id = task_id_var.get()
        ids = [f"{key}={value}" for key, value in (("request", record.request_id), ("task", record.task_id)) if value]
        record.ids = " ".join(ids) or "-"
        return True


class TextFormatter(logging.Formatter):
    """``time level logger ids message``; times in UTC (every process and host alike, whatever its time zone)."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(ids)s %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id/task_id when set, exception text."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(level: str, fmt: str, extra_loggers: dict | None = None) -> dict:
    """settings.LOGGING: every record through one stderr handler with ``ContextFilter``, as text or JSON."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "zoneeval.logs.ContextFilter"}},
        "formatters": {
            "text": {"()": "zoneeval.logs.TextFormatter"},
            "json": {"()": "zoneeval.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            # Django's request logging ("Not Found: …", 5xx with the traceback) goes to the same handler, with the id.
            "django.request": {"level": "WARNING"},
            # WeasyPrint warns about every screen-only CSS rule of the shared stylesheet; keep its errors only.
            "weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"},
            **(extra_loggers or {}),
        },
    }


def incoming_request_id(request) -> str:
    candidate = request.headers.get(HEADER, "").strip()
    return candidate if VALID_ID.match(candidate) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First middleware: the request id for every log line of the request, in the response header, and one
    ``METHOD path status duration`` line per request (logger ``zoneeval.request``, INFO)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request)
        # Kept until the response is closed (request_finished below): Django's own "Not Found: …" and 5xx lines
        # (logger django.request) are written after the middleware has returned.
        request_id_var.set(request.request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[HEADER] = request.request_id
        duration_ms = round((time.monotonic() - started) * 1000)
        # A load balancer's healthy probes every few seconds would drown the log: those at DEBUG, the rest at INFO.
        level = logging.DEBUG if request.path == "/healthz" and response.status_code == 200 else logging.INFO
        request_logger.log(level, "%s %s %s %dms", request.method, request.path, response.status_code, duration_ms,
                           extra={"method": request.method, "path": request.path, "status": response.status_code,
                                  "duration_ms": duration_ms})
        return response


@receiver(request_finished)
def _request_finished(**_):
    request_id_var.set("")


@signals.task_prerun.connect
def _task_started(task_id=None, **_):
    task_id_var.set(task_id or "")


@signals.task_postrun.connect
def _task_finished(**_):
    task_id_var.set("")


@signals.setup_logging.connect
def _configure_celery_logging(**_):
    """Workers and beat log through settings.LOGGING (same format, same ids) instead of Celery's own handlers."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
