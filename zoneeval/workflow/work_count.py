"""The navigation's "my work" count, cached per user under a generation number that every write moves.

The count (selectors.my_work_count: about a dozen queries and 20 ms of Python) is printed on every page. It is kept
in the cache under ``my-work:count:<user>:<generation>``; the generation moves on every database write made
through the ORM's save or delete (any model but the session and sign-in records), at the end of every request that
may write (POST, PUT, PATCH, DELETE: bulk updates included) and after every Celery task (the pipeline's progress
writes). With the shared cache (Redis: CACHE_URL or the broker's, as in production and the tests) every process
sees a new generation at once; with a cache of its own per process (no Redis) another process's write shows
within MY_WORK_COUNT_SECONDS. The /my-work/ page itself always reads the work afresh.
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

GENERATION = "my-work:generation"
QUIET_APPS = {"sessions", "axes"}  # their writes (a session saved, a sign-in attempt) change nobody's work


def generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, timeout=None)
        value = cache.get(GENERATION, 1)
    return value


def bump(*_args, **_kwargs) -> None:
    """A new generation: every user's count is read afresh."""
    try:
        cache.incr(GENERATION)
    except ValueError:  # not there yet (or evicted)
        cache.add(GENERATION, 1, timeout=None)


def bump_after_write(sender=None, **_kwargs) -> None:
    if sender is not None and sender._meta.app_label in QUIET_APPS:
        return
    bump()


def cached_count(user, compute) -> int:
    key = f"my-work:count:{user.pk}:{generation()}"
    value = cache.get(key)
    if value is None:
        value = compute(user)
        cache.set(key, value, settings.MY_WORK_COUNT_SECONDS)
    return value


class BumpAfterUnsafeRequestMiddleware:
    """A request that may write moves the generation when it is done (bulk updates fire no signal)."""

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in self.SAFE:
            bump()
        return response
