"""Evaluation indicators (評価指標), their numerical targets (数値目標) with yearly figures, and the solutions
(解決策) with their initiatives (具体的な取組). 別紙1 is printed from the targets."""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import (
    AMOUNT,
    CONTRIBUTION,
    COUNT_VALIDATORS,
    FISCAL_YEAR_VALIDATORS,
    LINE_MAX,
    LINE_VALIDATORS,
    NONNEGATIVE,
    UNIT_MAX,
    text_validators,
)
from ..content import EditionContentManager
from ..target_kinds import ZONE_FIGURE_KINDS, actual_figure_refusal
from .base import OwnedItem


class Indicator(models.Model):
    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveIntegerField(_("番号"), validators=COUNT_VALIDATORS)
    title = models.CharField(_("評価指標"), max_length=LINE_MAX, validators=LINE_VALIDATORS)

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
    code = models.CharField(_("番号"), max_length=20, help_text="(1)-① / (2)", validators=LINE_VALIDATORS)
    title = models.CharField(_("数値目標"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.FLOW)
    unit = models.CharField(_("単位"), max_length=UNIT_MAX, blank=True, validators=LINE_VALIDATORS)
    plan_goal_value = models.DecimalField(_("計画目標値"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    plan_goal_unit = models.CharField(_("計画目標の単位"), max_length=UNIT_MAX, blank=True, validators=LINE_VALIDATORS)
    plan_goal_fiscal_year = models.PositiveIntegerField(_("目標年度"), null=True, blank=True,
                                                        validators=FISCAL_YEAR_VALIDATORS)
    baseline_fiscal_year = models.PositiveIntegerField(_("基準年度"), null=True, blank=True, validators=FISCAL_YEAR_VALIDATORS)
    baseline_value = models.DecimalField(_("基準値"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    contribution = models.DecimalField(_("寄与度(%)"), null=True, blank=True,
                                       validators=NONNEGATIVE, **CONTRIBUTION)
    alternative = models.TextField(_("代替指標の考え方または定性的評価"), blank=True, validators=text_validators())
    approach = models.TextField(_("目標達成の考え方及び目標達成に向けた主な取組、関連事業"), blank=True, validators=text_validators())
    basis = models.TextField(_("各年度の目標設定の考え方や数値の根拠等"), blank=True, validators=text_validators())
    self_evaluation = models.TextField(_("進捗状況に係る自己評価及び次年度以降の取組の方向性"), blank=True, validators=text_validators())
    external_factors = models.TextField(_("外部要因等特記事項"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("数値目標")
        verbose_name_plural = _("数値目標")
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="unique_target_code")]

    def __str__(self):
        return f"数値目標{self.code} {self.title}"

    @property
    def has_zone_figure(self) -> bool:
        """A level target's 実績値 is one figure for the whole zone (see ``actual_figure_refusal``)."""
        return self.kind in ZONE_FIGURE_KINDS

    def actual_refusal(self, authority_id) -> str | None:
        """Why ``authority_id`` may not enter this target's 実績値 (None when it may)."""
        return actual_figure_refusal(self.kind, self.owner_id, authority_id, owner_name=self.owner.name)


class TargetYear(models.Model):
    """目標値 of one fiscal year, and the 進捗度 a legacy document printed (kept only to be compared)."""

    EDITION_PATH = "target__indicator__edition"
    objects = EditionContentManager()

    target = models.ForeignKey(NumericalTarget, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    target_value = models.DecimalField(_("目標値"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    stated_progress = models.PositiveIntegerField(_("記載された進捗度"), null=True, blank=True, validators=COUNT_VALIDATORS)

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
    value = models.DecimalField(_("実績値"), validators=NONNEGATIVE, **AMOUNT)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target_year", "authority"], name="unique_actual_per_authority"),
        ]

    def clean(self):
        super().clean()
        if self.target_year_id and self.authority_id:
            refusal = self.target_year.target.actual_refusal(self.authority_id)
            if refusal:
                raise ValidationError({"authority": refusal})


class Solution(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="solutions")
    number = models.PositiveIntegerField(_("番号"), validators=COUNT_VALIDATORS)
    text = models.TextField(_("概要"), blank=True, validators=text_validators())
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
    heading = models.CharField(_("見出し"), max_length=LINE_MAX, blank=True, validators=LINE_VALIDATORS)
    text = models.TextField(_("本文"), blank=True, validators=text_validators())
    expected = models.BooleanField(_("今後成果が期待される事案"), default=False)

    class Meta(OwnedItem.Meta):
        verbose_name = _("具体的な取組")
        verbose_name_plural = _("具体的な取組")

    def __str__(self):
        return self.heading or f"(続き) #{self.order}"
