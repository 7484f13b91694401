"""Object permissions on editions and their items (django-guardian, direct foreign-key models, groups only).

- Reading an edition: ``view_edition`` on the Edition, granted to the readers group of every co-author and to the
  viewers group. Everything of an edition is readable by whoever may view it.
- Changing or deleting an item: ``change_<model>`` / ``delete_<model>`` on the item, granted to the editors group
  of its owning authority, and moved whenever the owner changes (signals below, and ``grant_edition`` for bulk
  imports, which bypass signals).
- Creating an item for an authority: the user must edit for that authority (membership), checked in services.

Global (model-level) permissions are never consulted: checks use ObjectPermissionChecker or
``accept_global_perms=False``; superusers are the only exception (Django admin).
"""
from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_group_obj_perms_model

from ..authorities.groups import editors_group, readers_group, viewers_group
from ..authorities.rules import require, rules_for
from .content import edition_path, owned_models
from .models import ActualFigure, Edition

# Declared once, on the models (EDITION_PATH, OWNER_FIELD): see reports/content.py.
OWNED_MODELS = owned_models()
WRITE_ACTIONS = ("change", "delete")


def owner_of(item):
    return item.authority if isinstance(item, ActualFigure) else item.owner


def owner_id_of(item) -> int:
    return item.authority_id if isinstance(item, ActualFigure) else item.owner_id


def _permissions(model) -> list[Permission]:
    codenames = [f"{action}_{model._meta.model_name}" for action in WRITE_ACTIONS]
    return list(Permission.objects.filter(content_type__app_label=model._meta.app_label, codename__in=codenames))


def grant_item(item, previous_owner_id: int | None = None) -> None:
    """Give the owner's editors group write permissions on the item (and take them from a previous owner's)."""
    perm_model = get_group_obj_perms_model(type(item))
    permissions = _permissions(type(item))
    if previous_owner_id and previous_owner_id != owner_id_of(item):
        perm_model.objects.filter(content_object=item).delete()
    group = editors_group(owner_of(item))
    for permission in permissions:
        perm_model.objects.get_or_create(group=group, permission=permission, content_object=item)


@transaction.atomic
def grant_edition(edition: Edition) -> int:
    """(Re)grant every permission of an edition in bulk; returns the number of grants written."""
    written = 0
    view = Permission.objects.get(content_type__app_label="reports", codename="view_edition")
    EditionPerm = get_group_obj_perms_model(Edition)
    EditionPerm.objects.filter(content_object=edition).delete()
    groups = [readers_group(c.authority) for c in edition.coauthors.select_related("authority")] + [viewers_group()]
    EditionPerm.objects.bulk_create(EditionPerm(group=g, permission=view, content_object=edition) for g in groups)
    written += len(groups)
    for model in OWNED_MODELS:
        items = list(items_of_edition(model, edition))
        perm_model = get_group_obj_perms_model(model)
        perm_model.objects.filter(content_object__in=items).delete()
        permissions = _permissions(model)
        groups_by_owner = {}
        rows = []
        for item in items:
            owner_id = owner_id_of(item)
            if owner_id not in groups_by_owner:
                groups_by_owner[owner_id] = editors_group(owner_of(item))
            rows += [perm_model(group=groups_by_owner[owner_id], permission=p, content_object=item) for p in permissions]
        perm_model.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


EDITION_PATHS = {model: edition_path(model) for model in OWNED_MODELS}


def items_of_edition(model, edition: Edition):
    related = "authority" if model is ActualFigure else "owner"
    return model.objects.filter(**{EDITION_PATHS[model]: edition}).select_related(related)


# ---- reads that ask the rules (zoneeval/authorities/rules.py) --------------------------------------------------

def viewable_edition_or_refuse(user, zone_slug: str, fiscal_year: int, revision: int | None = None) -> Edition:
    """The edition a page is about — the current one of (zone, year), or the given revision (reports/selectors.py):
    404 when there is none, 403 (with the reason) when the user may not read it."""
    from django.http import Http404

    from .selectors import get_edition

    edition = get_edition(zone_slug, fiscal_year, revision)
    if edition is None:
        raise Http404("評価書がありません")
    require(rules_for(user).view_edition(edition))
    return edition


def viewable_editions(user):
    """The editions the user may read (the queryset form of ``Rules.view_edition``)."""
    if not user.is_authenticated or not user.is_active:
        return Edition.objects.none()
    if user.is_superuser:
        return Edition.objects.all()
    return get_objects_for_user(user, "reports.view_edition", Edition, accept_global_perms=False)


# ---- signals: permissions follow the owner -------------------------------------------------------------------

def _remember_owner(sender, instance, **kwargs):
    if instance.pk:
        field = "authority_id" if sender is ActualFigure else "owner_id"
        instance._previous_owner_id = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    else:
        instance._previous_owner_id = None


def _grant_after_save(sender, instance, created, **kwargs):
    previous = getattr(instance, "_previous_owner_id", None)
    if created or previous != owner_id_of(instance):
        grant_item(instance, previous_owner_id=previous)


def connect_signals():
    for model in OWNED_MODELS:
        pre_save.connect(_remember_owner, sender=model, dispatch_uid=f"remember-owner-{model.__name__}")
        post_save.connect(_grant_after_save, sender=model, dispatch_uid=f"grant-{model.__name__}")
