"""What belongs to an edition, declared once.

Every model whose rows belong to one edition says so with a class attribute ``EDITION_PATH``: the ORM lookup from
the model to its ``reports.Edition`` (``"edition"``, ``"indicator__edition"``…). Editable items owned by one
co-author also say ``OWNER_FIELD`` (``"owner"``, or ``"authority"`` for an authority's 実績値). Everything else is
derived from these attributes: object permissions and parts (reports/permissions.py, drafting), and the freeze of a
submitted edition (archive/freeze.py: model signals, the guarded QuerySet below, m2m changes, and the database
triggers of workflow/frozen_sql.py, which are generated from ``edition_models()``).

Models of other apps that belong to an edition (drafting, workflow, assembly) declare ``EDITION_PATH`` too;
``edition_models()`` reads every installed model. This module imports no model at import time, so that models can
import the QuerySet from here.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models

FROZEN_MESSAGE = "提出済みの評価書は変更できません（訂正は新しい版として作成してください）。"


class EditionFrozen(PermissionDenied):
    """A write to a submitted (frozen) edition, refused whatever the way in."""

    def __init__(self, message: str = FROZEN_MESSAGE):
        super().__init__(message)


# ---- the declaration -----------------------------------------------------------------------------------------

def _edition_model():
    from django.apps import apps

    return apps.get_model("reports", "Edition")


def _declared(model) -> bool:
    return "EDITION_PATH" in {name for klass in model.__mro__ for name in vars(klass)} and not model._meta.abstract


def edition_models(app_label: str | None = None) -> list[type[models.Model]]:
    """Every installed model that belongs to an edition (``EDITION_PATH``), optionally of one app, plus the
    auto-created through tables of their many-to-many fields (a link belongs to the edition of its source row)."""
    from django.apps import apps

    result = []
    for model in apps.get_models():
        if _declared(model) and (app_label is None or model._meta.app_label == app_label):
            result.append(model)
            result += [f.remote_field.through for f in model._meta.local_many_to_many
                       if f.remote_field.through._meta.auto_created]
    return result


def owned_models() -> tuple[type[models.Model], ...]:
    """The editable items of the reports app that one co-author owns (``OWNER_FIELD``)."""
    return tuple(m for m in edition_models("reports") if getattr(m, "OWNER_FIELD", None))


def edition_path(model) -> str:
    """The lookup from ``model`` to its edition. A many-to-many through table goes through its source row."""
    path = getattr(model, "EDITION_PATH", None)
    if path:
        return path
    if model._meta.auto_created:
        for f in model._meta.fields:
            if f.is_relation and f.related_model is not None and _declared(f.related_model):
                many = [m for m in f.related_model._meta.local_many_to_many if m.remote_field.through is model]
                if many:
                    return f"{f.name}__{edition_path(f.related_model)}"
    raise LookupError(f"{model.__name__} does not belong to an edition (no EDITION_PATH)")


def owner_field(model) -> str:
    return model.OWNER_FIELD


def edition_id_of(instance) -> int | None:
    """The id of the edition an instance belongs to, following its (possibly unsaved) foreign keys."""
    *hops, last = edition_path(type(instance)).split("__")
    obj = instance
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def editions_of(model, objs) -> models.Q:
    """Where the editions of many (possibly unsaved) instances of one model are, as a condition on Edition (a
    subquery when the path has several steps: no query of its own)."""
    first, _, rest = edition_path(model).partition("__")
    field = model._meta.get_field(first)
    ids = {getattr(obj, field.attname) for obj in objs} - {None}
    if not rest or not ids:
        return models.Q(pk__in=ids)
    return models.Q(pk__in=field.related_model._base_manager.filter(pk__in=ids).values(rest))


# ---- refusing writes to a submitted edition ------------------------------------------------------------------

def refuse_if_frozen(where: models.Q) -> None:
    """Refuse when an edition matching ``where`` (a condition on Edition) is submitted."""
    if _edition_model()._base_manager.filter(where, submitted_at__isnull=False).exists():
        raise EditionFrozen()


class EditionContentQuerySet(models.QuerySet):
    """The bulk ways in (``update``, ``delete``, ``bulk_create``, ``bulk_update``) refuse rows of a submitted
    edition, as ``save`` and ``delete`` do (signals): the user gets ``EditionFrozen`` rather than a database error.
    The database triggers refuse the same writes whatever the way in."""

    def _frozen_rows(self) -> bool:
        path = edition_path(self.model)
        frozen = _edition_model()._base_manager.filter(submitted_at__isnull=False)
        return self.filter(**{f"{path}__in": frozen}).exists()

    def update(self, **kwargs):
        if self._frozen_rows():
            raise EditionFrozen()
        first = edition_path(self.model).partition("__")[0]
        for name in (first, f"{first}_id"):
            if name in kwargs and not hasattr(kwargs[name], "resolve_expression"):  # moved to another edition
                refuse_if_frozen(editions_of(self.model, [self.model(**{name: kwargs[name]})]))
                _bump(editions_of(self.model, [self.model(**{name: kwargs[name]})]))
        _bump(self._editions())
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        if self._frozen_rows():
            raise EditionFrozen()
        _bump(self._editions())
        return super().delete()

    delete.alters_data = True

    def _editions(self) -> models.Q:
        """The editions of the rows (a subquery, evaluated by the bump: before the rows change)."""
        return models.Q(pk__in=list(self.values_list(edition_path(self.model), flat=True).distinct()))

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if objs:
            refuse_if_frozen(editions_of(self.model, objs))
            _bump(editions_of(self.model, objs))
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if objs:
            stored = self.model._base_manager.filter(pk__in=[o.pk for o in objs]).values(edition_path(self.model))
            refuse_if_frozen(editions_of(self.model, objs) | models.Q(pk__in=stored))
            _bump(editions_of(self.model, objs) | models.Q(pk__in=stored))
        return super().bulk_update(objs, fields, *args, **kwargs)


def _bump(where: models.Q) -> None:
    """The content version of the editions changed in bulk (reports/versions.py)."""
    if not _bulk_loading():
        from .versions import bump

        bump(where)


def _bulk_loading() -> bool:
    from ..authorities.acting import is_bulk_loading

    return is_bulk_loading()


EditionContentManager = models.Manager.from_queryset(EditionContentQuerySet)


class EditionQuerySet(models.QuerySet):
    """Editions: a submitted one is never changed, deleted or un-submitted by a bulk write either."""

    def _any_submitted(self) -> bool:
        return self.filter(submitted_at__isnull=False).exists()

    def update(self, **kwargs):
        if self._any_submitted():
            raise EditionFrozen()
        if "content_version" not in kwargs:  # its own fields print too (reports/versions.py)
            from .versions import next_version

            kwargs["content_version"] = next_version(models.F("content_version"))
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        if self._any_submitted():
            raise EditionFrozen()
        return super().delete()

    delete.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if objs and self.model._base_manager.filter(pk__in=[o.pk for o in objs], submitted_at__isnull=False).exists():
            raise EditionFrozen()
        return super().bulk_update(objs, fields, *args, **kwargs)


EditionManager = models.Manager.from_queryset(EditionQuerySet)
