"""Evaluation indicators (評価指標), their numerical targets (数値目標) with yearly figures, and the solutions
(解決策) with their initiatives (具体的な取組). 別紙1 is printed from the targets."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..content import EditionContentManager
from .base import OwnedItem

AMOUNT = {"max_digits": 20, "decimal_places": 4}


class Indicator(models.Model):
    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveIntegerField(_("番号"))
    title = models.CharField(_("評価指標"), max_length=500)

    class Meta:
        verbose_name = _("評価指標")
        verbose_name_plural = _("評価指標")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="unique_indicator_number")]

    def __str__(self):
        return f"評価指標({self.number}) {self.title}"


class NumericalTarget(OwnedItem):
    EDITION_PATH = "indicator__edition"
    OWNER_FIELD = "owner"

    class Kind(models.TextChoices):
        FLOW = "flow", _("年度ごとの値(累計目標あり)")
        LEVEL = "level", _("基準値からの水準")
        QUALITATIVE = "qualitative", _("定性的評価")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("番号"), max_length=20, help_text="(1)-① / (2)")
    title = models.CharField(_("数値目標"), max_length=500)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.FLOW)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    plan_goal_value = models.DecimalField(_("計画目標値"), null=True, blank=True, **AMOUNT)
    plan_goal_unit = models.CharField(_("計画目標の単位"), max_length=20, blank=True)
    baseline_fiscal_year = models.PositiveIntegerField(_("基準年度"), null=True, blank=True)
    baseline_value = models.DecimalField(_("基準値"), null=True, blank=True, **AMOUNT)
    contribution = models.DecimalField(_("寄与度(%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    alternative = models.TextField(_("代替指標の考え方または定性的評価"), blank=True)
    approach = models.TextField(_("目標達成の考え方及び目標達成に向けた主な取組、関連事業"), blank=True)
    basis = models.TextField(_("各年度の目標設定の考え方や数値の根拠等"), blank=True)
    self_evaluation = models.TextField(_("進捗状況に係る自己評価及び次年度以降の取組の方向性"), blank=True)
    external_factors = models.TextField(_("外部要因等特記事項"), blank=True)

    class Meta(OwnedItem.Meta):
        verbose_name = _("数値目標")
        verbose_name_plural = _("数値目標")
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="unique_target_code")]

    def __str__(self):
        return f"数値目標{self.code} {self.title}"


class TargetYear(models.Model):
    """目標値 of one fiscal year, and the 進捗度 a legacy document printed (kept only to be compared)."""

    EDITION_PATH = "target__indicator__edition"
    objects = EditionContentManager()

    target = models.ForeignKey(NumericalTarget, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveIntegerField(_("年度"))
    target_value = models.DecimalField(_("目標値"), null=True, blank=True, **AMOUNT)
    stated_progress = models.PositiveIntegerField(_("記載された進捗度"), null=True, blank=True)

    class Meta:
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["target", "fiscal_year"], name="unique_target_year")]


class ActualFigure(models.Model):
    """One authority's part of a year's 実績値; the zone's actual is the sum over authorities."""

    EDITION_PATH = "target_year__target__indicator__edition"
    OWNER_FIELD = "authority"
    objects = EditionContentManager()

    target_year = models.ForeignKey(TargetYear, on_delete=models.CASCADE, related_name="actuals")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("実績値"), **AMOUNT)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target_year", "authority"], name="unique_actual_per_authority"),
        ]


class Solution(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="solutions")
    number = models.PositiveIntegerField(_("番号"))
    text = models.TextField(_("概要"), blank=True)
    related_targets = models.ManyToManyField(NumericalTarget, related_name="solutions", blank=True)

    class Meta(OwnedItem.Meta):
        verbose_name = _("解決策")
        verbose_name_plural = _("解決策")
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="unique_solution_number")]

    def __str__(self):
        return f"解決策{self.number}"


class Initiative(OwnedItem):
    EDITION_PATH = "solution__edition"
    OWNER_FIELD = "owner"

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="initiatives")
    heading = models.CharField(_("見出し"), max_length=500, blank=True)
    text = models.TextField(_("本文"), blank=True)
    expected = models.BooleanField(_("今後成果が期待される事案"), default=False)

    class Meta(OwnedItem.Meta):
        verbose_name = _("具体的な取組")
        verbose_name_plural = _("具体的な取組")

    def __str__(self):
        return self.heading or f"(続き) #{self.order}"
