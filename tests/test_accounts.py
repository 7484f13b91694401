"""Sign-in, throttling, password change and the coordinator's member management."""
import datetime
import threading

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_sign_in_and_out(client, edition):
    ensure_user("yokohama-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug="yokohama"),
                role="drafter")
    assert _login(client, "yokohama-drafter", "pw-for-tests-123").status_code == 302
    assert client.get(reverse("reports:edition_detail", args=["keihin", 2019])).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("reports:edition_detail", args=["keihin", 2019])).status_code == 302


def _expire_lockout(settings):
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
                                 - datetime.timedelta(seconds=1))


def test_repeated_failures_lock_the_account_for_that_address(client, settings, edition):
    settings.AXES_FAILURE_LIMIT = 3
    ensure_user("kawasaki-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug="kawasaki"),
                role="drafter")
    for _ in range(2):
        response = _login(client, "kawasaki-drafter", "wrong")
        assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()
    third = _login(client, "kawasaki-drafter", "wrong")  # the limit: the sign-in page says why and what to do
    assert third.status_code == 429 and "15分間ログインできません" in third.content.decode()
    assert 'name="username"' in third.content.decode() and "取りまとめ担当者または管理者" in third.content.decode()
    locked = _login(client, "kawasaki-drafter", "pw-for-tests-123")  # even the right password is refused now
    assert locked.status_code == 429 and "ログインできません" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # the lockout is one user name from one address: the same name elsewhere and other names here still sign in
    assert _login(client, "kawasaki-drafter", "pw-for-tests-123", REMOTE_ADDR="10.1.2.3").status_code == 302
    client.post(reverse("logout"))
    _expire_lockout(settings)  # the wait is over
    assert _login(client, "kawasaki-drafter", "pw-for-tests-123").status_code == 302
    assert not AccessAttempt.objects.filter(username="kawasaki-drafter").exists()  # success clears the count


def test_the_lockout_is_shared_by_every_process(client, settings, edition):
    """Failures are stored in the database, not in one process's memory: a restart or another worker process (here:
    a cleared local cache) still refuses the locked pair."""
    settings.AXES_FAILURE_LIMIT = 2
    ensure_user("viewer", "pw-for-tests-123", authority=None, role="viewer")
    for _ in range(2):
        _login(client, "viewer", "wrong")
    cache.clear()
    assert _login(client, "viewer", "pw-for-tests-123").status_code == 429
    assert AccessAttempt.objects.get(username="viewer").failures_since_start >= 2


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_guesses_check_at_most_the_limit(live_server, settings, monkeypatch):
    """30 wrong guesses sent at the same moment (threads against the live server): no more passwords are checked
    than the limit allows, and afterwards the right password is refused too."""
    from django.contrib.auth.backends import ModelBackend

    from .live_http import Session, all_at_once

    ensure_user("target-user", "pw-for-tests-123", authority=None, role="viewer")
    checked, lock = [], threading.Lock()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            checked.append(password)
        threading.Event().wait(0.05)  # a password check takes time (PBKDF2 in production); widen the window
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    sessions = [Session(live_server.url) for _ in range(30)]
    for session in sessions:
        session.get("/accounts/login/")
    statuses = [r.status for r in all_at_once([
        (session, lambda conn, s=session, i=i: s.post("/accounts/login/", {
            "username": "target-user", "password": f"guess-{i}"}, conn=conn)) for i, session in enumerate(sessions)])]
    assert len(checked) <= settings.AXES_FAILURE_LIMIT, f"{len(checked)} passwords checked"
    assert statuses.count(200) == settings.AXES_FAILURE_LIMIT - 1 and statuses.count(429) == 31 - settings.AXES_FAILURE_LIMIT
    right = Session(live_server.url).sign_in("target-user", "pw-for-tests-123")
    assert right.status == 429 and "ログインできません" in right.body


def test_password_change(client, edition):
    user = ensure_user("viewer", "pw-for-tests-123", authority=None, role="viewer")
    client.force_login(user)
    response = client.post(reverse("password_change"), {"old_password": "pw-for-tests-123",
                                                        "new_password1": "A-much-longer-pass-2026",
                                                        "new_password2": "A-much-longer-pass-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-much-longer-pass-2026")


def test_an_authoritys_coordinator_manages_its_members_and_permissions_follow(client, edition):
    from zoneeval.authorities.rules import Rules
    from zoneeval.reports.models import LocalMeasureRow
    from zoneeval.workflow.models import AuditEntry

    yokohama = Authority.objects.get(slug="yokohama")
    coordinator = ensure_user("yokohama-coordinator", "pw-for-tests-123", authority=yokohama,
                              role=Membership.Role.COORDINATOR)
    newcomer = ensure_user("newcomer", "pw-for-tests-123", authority=None, role=Membership.Role.VIEWER)
    row = LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").first()
    assert not Rules(newcomer).edit_item(row, edition)
    client.force_login(coordinator)
    response = client.post(reverse("workflow:members", args=["keihin", 2019]),
                           {"username": "newcomer", "authority": yokohama.pk, "role": "drafter"})
    assert response.status_code == 302
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert Rules(newcomer).edit_item(row, edition)
    membership = Membership.objects.get(user=newcomer, authority=yokohama)
    client.post(reverse("workflow:remove_member", args=["keihin", 2019, membership.pk]))
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert not Rules(newcomer).edit_item(row, edition)
    log = list(AuditEntry.objects.filter(authority=yokohama, actor=coordinator).values_list("action", flat=True))
    assert log == ["role_granted", "role_revoked"]
    page = client.get(reverse("workflow:members", args=["keihin", 2019])).content.decode()
    assert "newcomer：起草者（横浜市）" in page


def test_only_an_authoritys_coordinator_manages_its_members(client, edition):
    drafter = ensure_user("yokohama-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug="yokohama"),
                          role="drafter")
    client.force_login(drafter)
    assert client.get(reverse("workflow:members", args=["keihin", 2019])).status_code == 403
    count = Membership.objects.count()
    client.post(reverse("workflow:members", args=["keihin", 2019]),
                {"username": "yokohama-drafter", "authority": edition.coordinator.pk, "role": "coordinator"})
    assert Membership.objects.count() == count
