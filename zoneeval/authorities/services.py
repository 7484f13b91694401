"""Writes of authorities and memberships."""
from django.contrib.auth import get_user_model
from django.db import transaction

from .acting import acting_as
from .models import Authority, Membership
from .rules import Rules, require

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


@transaction.atomic
def grant_role(actor, user, authority: Authority, role: str) -> Membership:
    """Give ``user`` a role in ``authority``. Only the authority's own coordinators (and superusers) may, never to
    themselves. Groups and object permissions follow (signals); the audit log records it (workflow signals)."""
    require(Rules(actor).grant_role(authority.pk, user, role))
    with acting_as(actor):
        membership, _ = Membership.objects.get_or_create(user=user, authority=authority, role=role)
    return membership


@transaction.atomic
def revoke_role(actor, membership: Membership) -> None:
    require(Rules(actor).revoke_role(membership))
    with acting_as(actor):
        membership.delete()
