"""``/healthz`` for a load balancer: the database (SELECT 1), the broker (a connection through Celery) and the
workers (a broadcast that each running worker answers with its queues, within HEALTHZ_WORKER_TIMEOUT seconds).

200 with ``{"database": "ok", "broker": "ok", "workers": {...}}`` when all three answer, 503 with the same keys
saying what failed otherwise. ``workers`` maps every queue that has a worker to how many workers serve it (counts,
not the workers' host names: the answer is public) and lists under
``"missing"`` the configured queues (settings: the default queue and the routed ones) that have none; one worker
answering is enough for 200, a missing queue is reported, not fatal (the web still serves). In the embedded demo
(tasks run in-process, no broker) broker and workers are ``"eager"``.

No sign-in, no session, no database write. ``HealthCheckMiddleware`` sits before SecurityMiddleware and answers
``/healthz`` itself, so neither the SSL redirect nor ALLOWED_HOSTS applies: load balancers probe instance addresses
over plain HTTP with their own Host header. Nothing of the request is reflected in the answer.
"""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

PATH = "/healthz"


def configured_queues() -> list[str]:
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE}
    for route in getattr(settings, "CELERY_TASK_ROUTES", {}).values():
        if "queue" in route:
            queues.add(route["queue"])
    return sorted(queues)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker(app) -> str:
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _workers(app) -> dict | None:
    """Queue name -> how many workers consume it, plus ``missing``; None if none answered."""
    try:
        replies = app.control.inspect(timeout=settings.HEALTHZ_WORKER_TIMEOUT).active_queues() or {}
    except Exception:  # noqa: BLE001
        return None
    if not replies:
        return None
    by_queue: dict[str, int] = {}
    for queues in replies.values():
        for name in {queue["name"] for queue in queues or []}:
            by_queue[name] = by_queue.get(name, 0) + 1
    by_queue["missing"] = [q for q in configured_queues() if q not in by_queue]
    return by_queue


def check() -> tuple[bool, dict]:
    from zoneeval.celery import app

    report = {"database": _database()}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        report.update(broker="eager", workers="eager")
    else:
        report["broker"] = _broker(app)
        if report["broker"] != "ok":
            report["workers"] = "unknown: no broker"
        else:
            report["workers"] = _workers(app) or "error: no worker answered"
    healthy = report["database"] == "ok" and (report["workers"] == "eager" or isinstance(report["workers"], dict))
    return healthy, report


@never_cache
def healthz(request):
    healthy, report = check()
    return JsonResponse(report, status=200 if healthy else 503)


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before SecurityMiddleware (SSL redirect) and before anything reads the Host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
