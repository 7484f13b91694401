"""Part 5 (財政・税制・金融支援) and 別紙3 (national support in figures)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import (
    AMOUNT,
    COUNT_VALIDATORS,
    FISCAL_YEAR_VALIDATORS,
    LINE_MAX,
    LINE_VALIDATORS,
    NONNEGATIVE,
    REFERENCE_MAX,
    SHORT_MAX,
    text_validators,
)
from ..content import EditionContentManager
from .base import OwnedItem


class SupportKind(models.TextChoices):
    FISCAL = "fiscal", _("財政支援")
    TAX = "tax", _("税制支援")
    FINANCIAL = "financial", _("金融支援")


class SupportSection(models.Model):
    """The heading figure of a part-5 section: 事業件数 / 適用件数 / 新規契約件数 as the text states it."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="support_sections")
    kind = models.CharField(max_length=20, choices=SupportKind.choices)
    stated_count = models.PositiveIntegerField(_("記載された件数"), default=0, validators=COUNT_VALIDATORS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "kind"], name="unique_support_section")]


class SupportGroup(models.Model):
    """A heading inside a part-5 section (<調整費を活用した事業>, …) grouping projects."""

    EDITION_PATH = "section__edition"
    objects = EditionContentManager()

    section = models.ForeignKey(SupportSection, on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(_("見出し"), max_length=LINE_MAX, blank=True, validators=LINE_VALIDATORS)
    counts_this_year = models.BooleanField(_("当該年度の件数に含む"), default=True)

    class Meta:
        ordering = ["order", "pk"]


class SupportProject(OwnedItem):
    EDITION_PATH = "group__section__edition"
    OWNER_FIELD = "owner"

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("事業名"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    overview = models.TextField(_("事業の概要"), blank=True, validators=text_validators())
    usage = models.TextField(_("評価対象年度における活用状況と目標達成への寄与"), blank=True, validators=text_validators())
    independence = models.TextField(_("将来の自立に向けた考え方"), blank=True, validators=text_validators())

    class Meta(OwnedItem.Meta):
        verbose_name = _("支援措置を活用した事業")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.title


class FiscalSupportRow(OwnedItem):
    """別紙3: a fiscal-support project with its yearly amounts (a, b) and 累計."""

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="fiscal_support_rows")
    name = models.CharField(_("事業名"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    related_targets = models.CharField(_("関連する数値目標"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    unit = models.CharField(_("単位"), max_length=10, default="千円", validators=LINE_VALIDATORS)
    ministry = models.CharField(_("補助制度等所管府省名"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    reference_number = models.CharField(_("対応方針の整理番号"), max_length=REFERENCE_MAX, blank=True, validators=LINE_VALIDATORS)
    adjustment_fund_used = models.BooleanField(_("特区調整費の活用"), default=False)
    remarks = models.TextField(_("備考"), blank=True, validators=text_validators())
    cumulative_includes_prior_years = models.BooleanField(_("累計に計画期間前の年度を含む"), default=False)
    cumulative_since_fiscal_year = models.PositiveIntegerField(_("累計の起算年度"), null=True, blank=True, validators=FISCAL_YEAR_VALIDATORS)
    stated_cumulative_requested = models.DecimalField(null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    stated_cumulative_national = models.DecimalField(null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    stated_cumulative_local = models.DecimalField(null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    stated_cumulative_total = models.DecimalField(null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)

    class Meta(OwnedItem.Meta):
        verbose_name = _("財政支援措置(別紙3)")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class FiscalSupportYear(models.Model):
    """One year column of a fiscal row. A null amount prints '-'; an absent year prints blank."""

    EDITION_PATH = "row__edition"
    objects = EditionContentManager()

    row = models.ForeignKey(FiscalSupportRow, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    requested = models.DecimalField(_("財政支援要望"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    national = models.DecimalField(_("国予算(a)"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    local = models.DecimalField(_("自治体予算(b)"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    stated_total = models.DecimalField(_("記載された総事業費"), null=True, blank=True, validators=NONNEGATIVE, **AMOUNT)
    has_stated_total = models.BooleanField(default=False)

    class Meta:
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["row", "fiscal_year"], name="unique_fiscal_row_year")]


class CountRow(OwnedItem):
    """別紙3: a tax-support (件数) or financial-support (新規契約件数) row."""

    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="count_rows")
    kind = models.CharField(max_length=20, choices=[(SupportKind.TAX, "税制"), (SupportKind.FINANCIAL, "金融")])
    name = models.CharField(_("事業名"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    related_targets = models.CharField(_("関連する数値目標"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    remarks = models.TextField(_("備考"), blank=True, validators=text_validators())
    stated_cumulative = models.PositiveIntegerField(_("記載された累計"), null=True, blank=True, validators=COUNT_VALIDATORS)
    has_stated_cumulative = models.BooleanField(default=False)

    class Meta(OwnedItem.Meta):
        verbose_name = _("税制・金融支援措置(別紙3)")
        verbose_name_plural = verbose_name


class CountYear(models.Model):
    EDITION_PATH = "row__edition"
    objects = EditionContentManager()

    row = models.ForeignKey(CountRow, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    count = models.PositiveIntegerField(_("件数"), null=True, blank=True, validators=COUNT_VALIDATORS)

    class Meta:
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["row", "fiscal_year"], name="unique_count_row_year")]
