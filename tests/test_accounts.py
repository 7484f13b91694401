"""Sign-in, throttling, password change and the coordinator's member management."""
import pytest
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


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_and_out(client, edition):
    ensure_user("yokohama-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug="yokohama"),
                role="drafter")
    assert _login(client, "yokohama-drafter", "pw-for-tests-123").status_code == 302
    assert client.get(reverse("reports:edition_detail", args=["keihin", 2019])).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("reports:edition_detail", args=["keihin", 2019])).status_code == 302


def test_repeated_failures_lock_the_account_for_that_address(client, settings, edition):
    settings.LOGIN_FAILURE_LIMIT = 3
    ensure_user("kawasaki-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug="kawasaki"),
                role="drafter")
    for _ in range(3):
        response = _login(client, "kawasaki-drafter", "wrong")
        assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()
    locked = _login(client, "kawasaki-drafter", "pw-for-tests-123")  # even the right password is refused now
    assert locked.status_code == 200 and "しばらくログインできません" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()  # the lockout expires
    assert _login(client, "kawasaki-drafter", "pw-for-tests-123").status_code == 302


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
