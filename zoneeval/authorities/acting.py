"""Who is acting, for code that runs below the service that knows it (model signals: the audit of a change made
through admin or the shell, the voiding of an approval). Services wrap their writes in ``acting_as(user)``."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar = ContextVar("zoneeval_actor", default=None)
_bulk: ContextVar = ContextVar("zoneeval_bulk_load", default=False)


@contextmanager
def acting_as(user):
    token = _actor.set(user)
    try:
        yield user
    finally:
        _actor.reset(token)


def current_actor():
    return _actor.get()


@contextmanager
def bulk_loading():
    """A whole edition is being created (import, rollover): no part exists yet to be voided or notified."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def is_bulk_loading() -> bool:
    return _bulk.get()
