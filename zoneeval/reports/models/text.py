"""Free-text parts of a report: passages (one owner each) and on-site survey findings."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import text_validators
from .base import OwnedItem


class Passage(OwnedItem):
    """A box of sanitised rich text at a fixed place (``slot``) of the document.

    Slots name the place, e.g. ``part2.overview``, ``part6`` (one passage per authority), ``part5.tax.none_reason``,
    ``annex4.structure``. Several passages may share a slot; ``order`` sorts them.
    """

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="passages")
    slot = models.CharField(_("位置"), max_length=80)
    text = models.TextField(_("本文"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        indexes = [models.Index(fields=["edition", "slot"])]

    def __str__(self):
        return f"{self.slot} #{self.order}"


class SurveyFinding(OwnedItem):
    """現地調査時の指摘事項 and the response to it, attached to a target's sheet or to an annex."""

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="survey_findings")
    slot = models.CharField(_("位置"), max_length=80)
    target = models.ForeignKey(
        "reports.NumericalTarget", on_delete=models.CASCADE, null=True, blank=True, related_name="survey_findings"
    )
    finding = models.TextField(_("指摘事項"), blank=True, validators=text_validators())
    response = models.TextField(_("取組状況等"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("現地調査時の指摘事項")
        verbose_name_plural = _("現地調査時の指摘事項")
