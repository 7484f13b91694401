"""Zones (総合特区), their yearly editions (評価書) and the co-authors of each edition."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...authorities.models import Authority
from ...limits import (
    AUTHORITY_NAME_MAX,
    FISCAL_YEAR_VALIDATORS,
    LINE_VALIDATORS,
    NONNEGATIVE,
    SCORE,
    SHORT_MAX,
    SLUG_MAX,
    ZONE_NAME_MAX,
    SlugValidator,
)
from ..content import EditionContentManager, EditionManager


class Zone(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL = "international", _("国際戦略総合特区")
        REGIONAL = "regional", _("地域活性化総合特区")

    slug = models.SlugField(_("識別子"), max_length=SLUG_MAX, unique=True, validators=[SlugValidator()])
    name = models.CharField(_("名称"), max_length=ZONE_NAME_MAX, validators=LINE_VALIDATORS)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    designation_date = models.DateField(_("指定日"))
    first_approval_date = models.DateField(_("計画認定日"))

    class Meta:
        verbose_name = _("総合特区")
        verbose_name_plural = _("総合特区")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def document_title(self) -> str:
        prefix = "国際戦略" if self.kind == self.Kind.INTERNATIONAL else "地域活性化"
        return f"{prefix}総合特別区域評価書"


class Edition(models.Model):
    """One fiscal year's report of one zone.

    What the report prints about its zone is the edition's own (``zone_name``…, copied from the zone when the edition
    is made, following the zone while the edition is a draft: reports/printed.py), so that renaming the zone or
    importing its next year leaves a submitted report exactly as submitted."""

    objects = EditionManager()

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="editions", verbose_name=_("総合特区"))
    zone_name = models.CharField(_("特区の名称（この評価書）"), max_length=ZONE_NAME_MAX, blank=True,
                                 validators=LINE_VALIDATORS)
    zone_kind = models.CharField(_("特区の種別（この評価書）"), max_length=20, choices=Zone.Kind.choices, blank=True)
    zone_designation_date = models.DateField(_("指定日（この評価書）"), null=True, blank=True)
    zone_first_approval_date = models.DateField(_("計画認定日（この評価書）"), null=True, blank=True)
    fiscal_year = models.PositiveIntegerField(_("評価対象年度"), validators=FISCAL_YEAR_VALIDATORS)
    coordinator = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="coordinated_editions",
        verbose_name=_("取りまとめ自治体"),
    )
    plan_first_fiscal_year = models.PositiveIntegerField(_("計画期間(初年度)"), validators=FISCAL_YEAR_VALIDATORS)
    plan_last_fiscal_year = models.PositiveIntegerField(_("計画期間(最終年度)"), validators=FISCAL_YEAR_VALIDATORS)
    latest_approval_date = models.DateField(_("最終認定日"), null=True, blank=True)
    previous_evaluation_label = models.CharField(_("前年度の評価区分"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    previous_evaluation_score = models.DecimalField(
        _("前年度の評価点"), null=True, blank=True, validators=NONNEGATIVE, **SCORE
    )
    class PartnerBodies(models.TextChoices):
        """How the validator reports a 別紙4 row naming a body outside the co-authors (a zone may list its partner
        bodies on purpose). The default is the strictness of before: an error."""

        ERROR = "error", _("認めない（エラー）")
        WARNING = "warning", _("認める（警告として表示）")
        INFO = "info", _("認める（情報として表示）")

    partner_bodies = models.CharField(_("別紙4の作成主体以外の団体"), max_length=10, choices=PartnerBodies.choices,
                                      default=PartnerBodies.ERROR)
    annex1_charts = models.BooleanField(
        _("別紙1にグラフを印刷する"), default=False,
        help_text=_("各数値目標の目標値と実績値のグラフを、PDFの別紙1の各シートに印刷します（画面には常に表示されます）。"))
    drafting_due = models.DateField(_("起草期限"), null=True, blank=True)
    review_due = models.DateField(_("審査期限"), null=True, blank=True)
    signoff_due = models.DateField(_("最終承認期限"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    # A correction after submission (訂正版) is a new edition of the same year that supersedes the submitted one:
    # 0 for the original, 1 for the first correction… Exactly one edition of a (zone, year) is current: the one no
    # edition supersedes (reports/selectors.py ``current_edition``; the constraints below keep the chain single).
    revision = models.PositiveIntegerField(_("訂正の番号"), default=0)
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("訂正前の版"))
    version = models.PositiveIntegerField(_("版"), default=1)
    # Moved forward (never reused) by every change of what the edition prints, by any path (reports/versions.py):
    # the key of its cached preview. A submitted edition never changes, so its version never moves either.
    content_version = models.BigIntegerField(_("内容の版"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("評価書")
        verbose_name_plural = _("評価書")
        ordering = ["zone__name", "-fiscal_year"]
        constraints = [
            # one original per (zone, year); each edition superseded at most once (the one-to-one above): the
            # editions of a year form one chain, so exactly one of them is current
            models.UniqueConstraint(fields=["zone", "fiscal_year"], condition=models.Q(supersedes__isnull=True),
                                    name="unique_original_edition_per_zone_year"),
            models.UniqueConstraint(fields=["zone", "fiscal_year", "revision"], name="unique_edition_revision"),
            models.CheckConstraint(
                condition=(models.Q(revision=0, supersedes__isnull=True)
                           | models.Q(revision__gt=0, supersedes__isnull=False)),
                name="edition_revision_matches_supersedes",
            ),
            models.CheckConstraint(
                condition=models.Q(plan_first_fiscal_year__lte=models.F("plan_last_fiscal_year")),
                name="edition_plan_period_ordered",
            ),
        ]

    def __str__(self):
        from ..era import fiscal_year_label

        return f"{self.zone_name or self.zone.name} {fiscal_year_label(self.fiscal_year)}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.zone_id and not self.zone_name:
            from ..printed import copy_zone

            copy_zone(self, self.zone)
        if not self._state.adding and self.submitted_at is None:  # its own fields print too (reports/versions.py)
            from ..versions import next_version

            self.content_version = next_version(self.content_version)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "content_version"}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from ..content import EditionFrozen

        if self.pk and type(self)._base_manager.filter(pk=self.pk, submitted_at__isnull=False).exists():
            raise EditionFrozen()  # before the collector, so that the message says why
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        """A submitted edition is frozen: no edit and no transition, anywhere."""
        return self.submitted_at is not None

    @property
    def is_correction(self) -> bool:
        return self.supersedes_id is not None

    @property
    def is_superseded(self) -> bool:
        """Whether a correction (訂正版) supersedes this edition: it is then no longer the current one."""
        try:
            return self.superseded_by is not None
        except type(self).superseded_by.RelatedObjectDoesNotExist:
            return False

    @property
    def revision_label(self) -> str:
        return "元の版" if self.revision == 0 else f"訂正版{self.revision}"

    @property
    def plan_years(self) -> range:
        return range(self.plan_first_fiscal_year, self.plan_last_fiscal_year + 1)


class CoAuthor(models.Model):
    """An authority named among the edition's 作成主体, in the printed order, with its name and kind as this edition
    prints them (copied from the authority, following it while the edition is a draft)."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="coauthors")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="coauthorships")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(_("名称（この評価書）"), max_length=AUTHORITY_NAME_MAX, blank=True,
                            validators=LINE_VALIDATORS)
    kind = models.CharField(_("種別（この評価書）"), max_length=20, blank=True, choices=Authority.Kind.choices)

    class Meta:
        verbose_name = _("作成主体")
        verbose_name_plural = _("作成主体")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "authority"], name="unique_coauthor"),
        ]

    def __str__(self):
        return self.name or str(self.authority)

    def save(self, *args, **kwargs):
        if self._state.adding and self.authority_id and not self.name:
            self.name, self.kind = self.authority.name, self.authority.kind
        super().save(*args, **kwargs)
