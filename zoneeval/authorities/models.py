"""Co-author bodies (作成主体) and their members."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..limits import AUTHORITY_NAME_MAX, LINE_VALIDATORS, SLUG_MAX, SlugValidator


class Authority(models.Model):
    """A body that co-authors reports: a prefecture, a municipality or any other organisation."""

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        MUNICIPALITY = "municipality", _("市区町村")
        OTHER = "other", _("その他の団体")

    slug = models.SlugField(_("識別子"), max_length=SLUG_MAX, unique=True, validators=[SlugValidator()])
    name = models.CharField(_("名称"), max_length=AUTHORITY_NAME_MAX, validators=LINE_VALIDATORS)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("作成主体")
        verbose_name_plural = _("作成主体")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one authority. A viewer may have no authority (an outside reader)."""

    class Role(models.TextChoices):
        DRAFTER = "drafter", _("起草者")
        APPROVER = "approver", _("承認者")
        COORDINATOR = "coordinator", _("取りまとめ担当")
        VIEWER = "viewer", _("閲覧者")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.UniqueConstraint(fields=["user", "authority", "role"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role="viewer") | models.Q(authority__isnull=False),
                name="membership_needs_authority_unless_viewer",
            ),
        ]

    def __str__(self):
        return f"{self.user} / {self.authority or '-'} / {self.get_role_display()}"


# The roles that edit for their authority (draft, request review, comment); stated once, used everywhere.
EDITING_ROLES = frozenset({Membership.Role.DRAFTER, Membership.Role.APPROVER, Membership.Role.COORDINATOR})
