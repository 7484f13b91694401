"""Part 4 (規制の特例措置) and 別紙2 (measures used, found feasible, rolled out nationwide)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import CONSULTATION_MAX, LINE_MAX, LINE_VALIDATORS, SHORT_MAX, text_validators
from .base import OwnedItem


class RegulatoryProject(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    class Kind(models.TextChoices):
        SPECIFIC = "specific", _("特定事業")
        GENERAL = "general", _("一般事業")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="regulatory_projects")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    text = models.TextField(_("本文"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("規制の特例措置を活用した事業")
        verbose_name_plural = verbose_name


class RegulatoryProposal(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="regulatory_proposals")
    title = models.CharField(_("提案名"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    consultation_period = models.CharField(_("協議時期"), max_length=CONSULTATION_MAX, blank=True, validators=LINE_VALIDATORS)
    proposal = models.TextField(_("提案の概要"), blank=True, validators=text_validators())
    result = models.TextField(_("国と地方の協議結果"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("規制の特例措置の提案")
        verbose_name_plural = verbose_name


class SpecialMeasureUse(OwnedItem):
    """別紙2: a special measure used, with the ministry's evaluation."""

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    class Evaluation(models.TextChoices):
        NONE = "", _("未記入")
        EFFECTIVE = "effective", _("特例措置の効果が認められる")
        NOT_EFFECTIVE_REVIEW = "not_effective_review", _("効果が認められない ⇒ 要件の見直しの必要性あり")
        NOT_EFFECTIVE_OTHER = "not_effective_other", _("効果が認められない ⇒ その他")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="special_measure_uses")
    name = models.CharField(_("事業の名称"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    related_targets = models.CharField(_("関連する数値目標"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    ministry = models.CharField(_("規制所管府省名"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    evaluation = models.CharField(_("評価"), max_length=30, choices=Evaluation.choices, blank=True)
    remarks = models.TextField(_("特記事項"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("規制の特例措置を活用した事業(別紙2)")
        verbose_name_plural = verbose_name


class MeasureRow(OwnedItem):
    """別紙2: a measure found feasible in consultation, or one rolled out nationwide."""

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    class Kind(models.TextChoices):
        FEASIBLE = "feasible", _("現時点で実現可能なことが明らかになった措置")
        NATIONWIDE = "nationwide", _("全国展開された措置")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="measure_rows")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(_("事業の名称"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    related_targets = models.CharField(_("関連する数値目標"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    used = models.BooleanField(_("評価対象年度における活用の有無"), default=False)
    remarks = models.TextField(_("備考"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("協議により実現した措置(別紙2)")
        verbose_name_plural = verbose_name
