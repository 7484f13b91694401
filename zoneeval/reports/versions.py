"""The content version of an edition (``Edition.content_version``): a counter bumped by every change of what the
edition prints, whatever the way in, so that what is built from the content (the edition page's preview and its
hash, reports/preview.py) can be cached under it and is never served stale.

The ways in, all of them here or in reports/content.py:
- a save or deletion of any row of the edition's content (every model of this app with ``EDITION_PATH``, the
  co-authors included) and many-to-many changes between them: model signals, any path (services, admin, shell);
- the bulk ways (``update``, ``delete``, ``bulk_create``, ``bulk_update`` of ``EditionContentQuerySet``): bumped there;
- the edition's own fields: ``Edition.save`` and ``EditionQuerySet.update``;
- an authority's slug, printed by the editions it co-authors (its name is copied onto the co-author rows, which
  are saved, above).
A whole edition loaded in bulk (an import) is new: nothing is cached under it yet, so the signals skip it. A
submitted edition never changes (its rows are refused by the database), so only editions not submitted are bumped.
"""
from __future__ import annotations

import time

from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save

from ..authorities.acting import is_bulk_loading
from .content import edition_id_of, edition_models


def next_version(current) -> int | Greatest:
    """A version after ``current`` (a number, or F("content_version")): the clock in microseconds, or one more when
    that is not more. Versions are never reused, not even after a database is restored from an older backup and
    edited again (a counter would reach the same numbers with other content)."""
    now = time.time_ns() // 1000
    if isinstance(current, int):
        return max(current + 1, now)
    return Greatest(current + 1, Value(now))


def bump(where: Q) -> None:
    """Bump the content version of the editions ``where`` (a condition on Edition) that are not submitted."""
    from .models import Edition

    Edition._base_manager.filter(where, submitted_at__isnull=True).update(
        content_version=next_version(F("content_version")))


def _changed(sender, instance, raw=False, **kwargs):
    if raw or is_bulk_loading():
        return
    edition_id = edition_id_of(instance)
    if edition_id is not None:
        bump(Q(pk=edition_id))


def _m2m(sender, instance, action, **kwargs):
    if action.startswith("post_") and not is_bulk_loading():
        _changed(sender, instance)


def _authority_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        bump(Q(coauthors__authority=instance))


def connect_signals():
    from ..authorities.models import Authority

    for model in edition_models("reports"):
        if model._meta.auto_created:  # a through table: its m2m_changed names the source row
            m2m_changed.connect(_m2m, sender=model, dispatch_uid=f"content-version-m2m-{model.__name__}")
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-version-saved-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-version-deleted-{model.__name__}")
    post_save.connect(_authority_saved, sender=Authority, dispatch_uid="content-version-authority")
