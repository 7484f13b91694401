"""Sign-in throttling: after LOGIN_FAILURE_LIMIT failures for one user name from one address, sign-in for that pair
is refused for LOGIN_LOCKOUT_SECONDS (and every further failure restarts the wait)."""
import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def is_locked(username: str, address: str) -> bool:
    return cache.get(_key(username, address), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str, address: str) -> int:
    key = _key(username, address)
    failures = cache.get(key, 0) + 1
    cache.set(key, failures, settings.LOGIN_LOCKOUT_SECONDS)
    return failures


def reset(username: str, address: str) -> None:
    cache.delete(_key(username, address))
