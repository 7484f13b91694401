"""The national evaluation (国の評価) of a submitted edition, recorded by the zone coordinator when the Cabinet Office
publishes it. Next year's edition quotes it in section 2④ (前年度の評価結果).

It is not report content: it declares no ``EDITION_PATH`` (reports/content.py), so the freeze of a submitted
edition (model signals, the guarded QuerySets and the database triggers of workflow/frozen_sql.py) does not cover it,
and recording it never changes the edition's snapshot or content hash. Like the audit log, it is written after
submission."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...limits import LINE_VALIDATORS, NATIONAL_RESULT_MAX, NATIONAL_SCORE, NATIONAL_SCORE_VALIDATORS, text_validators


class NationalEvaluation(models.Model):
    # The evaluation items of the 5-point scale, in the order the Cabinet Office lists them: (field, label).
    ITEMS = (
        ("progress_score", _("目標に向けた取組の進捗")),
        ("support_score", _("支援措置の活用と地域独自の取組")),
        ("overall_score", _("総合評価")),
    )

    edition = models.OneToOneField("reports.Edition", on_delete=models.CASCADE, related_name="national_evaluation",
                                   verbose_name=_("評価書"))
    progress_score = models.DecimalField(_("目標に向けた取組の進捗"), null=True, blank=True,
                                         validators=NATIONAL_SCORE_VALIDATORS, **NATIONAL_SCORE)
    support_score = models.DecimalField(_("支援措置の活用と地域独自の取組"), null=True, blank=True,
                                        validators=NATIONAL_SCORE_VALIDATORS, **NATIONAL_SCORE)
    overall_score = models.DecimalField(_("総合評価"), validators=NATIONAL_SCORE_VALIDATORS, **NATIONAL_SCORE)
    result = models.CharField(_("評価結果"), max_length=NATIONAL_RESULT_MAX, blank=True, validators=LINE_VALIDATORS)
    comments = models.TextField(_("コメント"), blank=True, validators=text_validators())
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("記録日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        verbose_name = _("国の評価")
        verbose_name_plural = _("国の評価")

    def __str__(self):
        return f"{self.edition} 国の評価 {self.overall_score}点"

    def scores(self) -> list[tuple[str, object]]:
        """(item label, score or None) in the order of ``ITEMS``."""
        return [(str(label), getattr(self, name)) for name, label in self.ITEMS]
