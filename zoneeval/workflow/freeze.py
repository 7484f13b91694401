"""A submitted edition refuses every write, whatever the way in (web, admin, services, shell): model signals."""
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save

from ..reports import models as m
from ..reports.permissions import EDITION_PATHS

GUARDED = {
    **EDITION_PATHS,
    m.TargetYear: "target__indicator__edition", m.FiscalSupportYear: "row__edition", m.CountYear: "row__edition",
    m.ScheduleItem: "project__edition", m.LocalMeasureAuthority: "row__edition", m.Indicator: "edition",
    m.CoAuthor: "edition", m.SupportSection: "edition", m.SupportGroup: "section__edition",
}


class EditionFrozen(PermissionDenied):
    pass


MESSAGE = "提出済みの評価書は変更できません（訂正は新しい版として作成してください）。"


def _edition_id(instance, path: str):
    *hops, last = path.split("__")
    obj = instance
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _refuse_if_frozen(sender, instance, **kwargs):
    edition_id = _edition_id(instance, GUARDED[sender])
    if edition_id and m.Edition.objects.filter(pk=edition_id, submitted_at__isnull=False).exists():
        raise EditionFrozen(MESSAGE)


def _refuse_edition_change(sender, instance, **kwargs):
    if instance.pk and m.Edition.objects.filter(pk=instance.pk, submitted_at__isnull=False).exists():
        raise EditionFrozen(MESSAGE)


for _model in GUARDED:
    pre_save.connect(_refuse_if_frozen, sender=_model, dispatch_uid=f"freeze-save-{_model.__name__}")
    pre_delete.connect(_refuse_if_frozen, sender=_model, dispatch_uid=f"freeze-delete-{_model.__name__}")
pre_save.connect(_refuse_edition_change, sender=m.Edition, dispatch_uid="freeze-edition-save")
pre_delete.connect(_refuse_edition_change, sender=m.Edition, dispatch_uid="freeze-edition-delete")
