"""Direct foreign-key object-permission models (django-guardian): one per protected model, so that permission
checks and prefetches join on a real foreign key instead of a generic (content type, text id) pair.

Permissions are granted to groups only (per-authority groups, see authorities/groups.py)."""
from django.db import models
from guardian.models import GroupObjectPermissionBase


def _fk(model: str):
    return models.ForeignKey(model, on_delete=models.CASCADE)


class EditionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.Edition")


class PassageGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.Passage")


class SurveyFindingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.SurveyFinding")


class NumericalTargetGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.NumericalTarget")


class ActualFigureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.ActualFigure")


class SolutionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.Solution")


class InitiativeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.Initiative")


class RegulatoryProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.RegulatoryProject")


class RegulatoryProposalGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.RegulatoryProposal")


class SpecialMeasureUseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.SpecialMeasureUse")


class MeasureRowGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.MeasureRow")


class SupportProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.SupportProject")


class FiscalSupportRowGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.FiscalSupportRow")


class CountRowGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.CountRow")


class LocalMeasureRowGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.LocalMeasureRow")


class ScheduleProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = _fk("reports.ScheduleProject")
