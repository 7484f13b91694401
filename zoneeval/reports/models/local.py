"""別紙4: the region's own measures, each row naming its 自治体名."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import AUTHORITY_NAME_MAX, LINE_MAX, LINE_VALIDATORS, SHORT_MAX, text_validators
from ..content import EditionContentManager
from .base import OwnedItem


class LocalMeasureRow(OwnedItem):
    EDITION_PATH = "edition"
    OWNER_FIELD = "owner"

    class Table(models.TextChoices):
        FISCAL = "fiscal", _("財政支援措置")
        FINANCIAL = "financial", _("金融支援措置")
        TAX = "tax", _("税制支援措置")
        DEREGULATION = "deregulation", _("規制緩和")
        STRENGTHENING = "strengthening", _("規制強化")
        OTHER = "other", _("その他")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="local_measure_rows")
    table = models.CharField(max_length=20, choices=Table.choices)
    name = models.CharField(_("事業名・取組"), max_length=LINE_MAX, validators=LINE_VALIDATORS)
    related_targets = models.CharField(_("関連する数値目標"), max_length=SHORT_MAX, blank=True, validators=LINE_VALIDATORS)
    result = models.TextField(_("実績・直接効果"), blank=True, validators=text_validators())
    self_evaluation = models.TextField(_("自己評価"), blank=True, validators=text_validators())
    authorities = models.ManyToManyField(
        "authorities.Authority", through="LocalMeasureAuthority", related_name="+", verbose_name=_("自治体名")
    )

    class Meta(OwnedItem.Meta):
        verbose_name = _("地域独自の取組(別紙4)")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class LocalMeasureAuthority(models.Model):
    """One body named in a row's 自治体名: a co-author (``authority``) or a partner body outside the co-authors,
    named only (``name``: a neighbouring city, an agency). Whether naming a partner body is a finding, and how grave,
    is the edition's setting (``Edition.partner_bodies``)."""

    EDITION_PATH = "row__edition"
    objects = EditionContentManager()

    row = models.ForeignKey(LocalMeasureRow, on_delete=models.CASCADE, related_name="authority_links")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    name = models.CharField(_("作成主体以外の団体名"), max_length=AUTHORITY_NAME_MAX, blank=True,
                            validators=LINE_VALIDATORS)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["row", "authority"], name="unique_local_row_authority"),
            models.UniqueConstraint(fields=["row", "name"], condition=models.Q(authority__isnull=True),
                                    name="unique_local_row_partner"),
            models.CheckConstraint(
                condition=(models.Q(authority__isnull=False, name="")
                           | (models.Q(authority__isnull=True) & ~models.Q(name=""))),
                name="local_row_body_is_coauthor_or_named"),
        ]

    @property
    def is_partner(self) -> bool:
        return self.authority_id is None
