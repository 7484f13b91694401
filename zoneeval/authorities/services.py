"""Writes of authorities and memberships."""
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Authority, Membership

DEMO_PASSWORD = "zoneeval-demo"


@transaction.atomic
def ensure_user(username: str, password: str, *, authority: Authority | None, role: str, email: str = ""):
    """Create or reset a user with exactly one membership. Idempotent."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_active = True
    user.save()
    user.memberships.all().delete()
    Membership.objects.create(user=user, authority=authority, role=role)
    return user


def create_demo_users(authorities: list[Authority], coordinator: Authority, password: str = DEMO_PASSWORD):
    """A drafter and an approver for each co-author, a coordinator of the coordinating authority, a viewer.

    Usernames are ``<authority-slug>-drafter`` / ``-approver``, ``coordinator`` and ``viewer``."""
    users = []
    for authority in authorities:
        for role in (Membership.Role.DRAFTER, Membership.Role.APPROVER):
            users.append(ensure_user(f"{authority.slug}-{role}", password, authority=authority, role=role,
                                     email=f"{authority.slug}-{role}@example.invalid"))
    users.append(ensure_user("coordinator", password, authority=coordinator, role=Membership.Role.COORDINATOR,
                             email="coordinator@example.invalid"))
    users.append(ensure_user("viewer", password, authority=None, role=Membership.Role.VIEWER,
                             email="viewer@example.invalid"))
    return users


def add_membership(actor, user, authority: Authority, role: str) -> Membership:
    """Give ``user`` a role in ``authority`` (groups and object permissions follow through the signals)."""
    membership, _ = Membership.objects.get_or_create(user=user, authority=authority, role=role)
    return membership


def remove_membership(actor, membership: Membership) -> None:
    if membership.user_id == actor.pk and membership.role == Membership.Role.COORDINATOR:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("自分自身の取りまとめ担当の役割は外せません。")
    membership.delete()
