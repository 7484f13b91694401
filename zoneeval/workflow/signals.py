"""Any change of a part's content, by any path (the drafting services, Django admin, the shell), reaches the
workflow here: the part's approval is voided, a review in progress is withdrawn, and the sign-offs are voided.

The drafting services also record a revision and the audit entry (``services.part_edited``); here the change is
attributed to whoever ``acting_as`` names (None from the shell). Imports that create a whole edition are skipped
(``bulk_loading``): no part of a new edition can be approved yet."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..authorities.acting import current_actor, is_bulk_loading
from ..authorities.models import Membership
from ..drafting.models import Part
from ..drafting.registry import part_keys
from ..drafting.signals import revision_recorded
from ..reports.content import edition_models


def _content_changed(sender, instance, raw=False, created=None, **kwargs):
    if raw or is_bulk_loading():
        return
    from .services import content_changed

    for edition_id, section, owner_id in part_keys(instance):
        key = {"edition_id": edition_id, "section": section, "authority_id": owner_id}
        with transaction.atomic():  # a save from the shell runs in autocommit; the part is locked either way
            if created is None:  # a deletion: the part may be going too (a cascade); never make one here
                part = Part.objects.select_related("edition").filter(**key).first()
            else:  # a save: an item of a new (section, owner) makes its part
                part = Part.objects.select_related("edition").get_or_create(**key)[0]
            if part is not None:
                content_changed(part, current_actor())


# Every model of the report's content, as declared once (EDITION_PATH on the models; reports/content.py).
CONTENT_MODELS = edition_models("reports")

for _model in CONTENT_MODELS:
    post_save.connect(_content_changed, sender=_model, dispatch_uid=f"content-saved-{_model.__name__}")
    post_delete.connect(_content_changed, sender=_model, dispatch_uid=f"content-deleted-{_model.__name__}")


def _membership_changed(sender, instance, created=None, raw=False, **kwargs):
    """Every grant and removal of a role, by any path (the members page, admin, the shell), is in the audit log."""
    if raw:
        return
    from .services import audit

    action = {True: "role_granted", False: "role_changed", None: "role_revoked"}[created]
    record = {"user": instance.user.username, "role": instance.role,
              "authority": instance.authority.slug if instance.authority_id else None}
    audit(None, current_actor(), action, authority=instance.authority,
          subject=f"{instance.user.username}：{instance.get_role_display()}（{instance.authority or '閲覧者'}）",
          before={} if created is not None else record, after=record if created is not None else {})


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="membership-granted")
post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="membership-revoked")


def _revision_recorded(sender, part, user, revision, **kwargs):
    from .services import part_edited

    part_edited(part, user, revision)


revision_recorded.connect(_revision_recorded, dispatch_uid="workflow-audit-of-a-revision")
