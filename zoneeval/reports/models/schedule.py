"""別紙1-2: the implementation schedule (solution → project → items with bars and milestones by month)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import COUNT_VALIDATORS, LINE_MAX, LINE_VALIDATORS, SCHEDULE_TEXT_MAX, SCHEDULE_TITLE_MAX
from ..content import EditionContentManager
from .base import OwnedItem


class ScheduleProject(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="schedule_projects")
    solution_number = models.PositiveIntegerField(_("解決策"), validators=COUNT_VALIDATORS)
    number = models.PositiveIntegerField(_("事業番号"), validators=COUNT_VALIDATORS)
    title = models.CharField(_("事業名"), max_length=SCHEDULE_TITLE_MAX, validators=LINE_VALIDATORS)

    class Meta(OwnedItem.Meta):
        verbose_name = _("スケジュール事業(別紙1-2)")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="unique_schedule_project")]

    def __str__(self):
        return f"事業{self.number} {self.title}"


class ScheduleItem(models.Model):
    EDITION_PATH = "project__edition"
    objects = EditionContentManager()

    project = models.ForeignKey(ScheduleProject, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(_("小見出し"), max_length=LINE_MAX, blank=True, validators=LINE_VALIDATORS)
    text = models.CharField(_("内容"), max_length=SCHEDULE_TEXT_MAX, blank=True, validators=LINE_VALIDATORS)
    # Bars and milestones: [{"start": "2017-04", "end": "2022-03"}], [{"month": "2018-09", "label": "…"}].
    bars = models.JSONField(default=list, blank=True)
    milestones = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "pk"]
