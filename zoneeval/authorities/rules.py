"""Who may do what: the one answer, for every action of zoneeval.

Services check it before they change anything; views, templates (which buttons show), "my work" and admin ask it to
decide what to offer. Each check returns a ``Decision``: true when allowed, otherwise false with the reason in
Japanese, which a service raises (``require``) and a page prints beside a disabled button.

It sits at the bottom of the apps (authorities ← reports ← drafting ← workflow ← assembly/archive) and imports none
of the apps above: it reads the attributes of what it is given (an edition's ``coordinator_id`` and ``is_frozen``, a
part's ``authority_id``, ``state``, ``revisions`` and ``approvals``), memberships, and django-guardian's object
permissions (which follow each item's owner; see reports/permissions.py).

The rules, in words:
- Roles are memberships of an authority: drafter 起草者, approver 承認者, coordinator 取りまとめ担当 (of that authority),
  viewer 閲覧者. Drafters, approvers and coordinators *edit for* their authority.
- The *zone coordinator* of an edition is a coordinator of the edition's coordinating authority.
- Reading an edition: its co-authors' members and viewers (guardian ``view_edition``); superusers. Comparing two
  editions of one zone (what changed): whoever may read both.
- Creating, editing, deleting items: editing for the item's owner (guardian ``change``/``delete`` on the item;
  membership for creation). Nothing of a submitted edition changes.
- 実績値 of a numerical target: each co-author's editors for that co-author; a level target's (one figure for the
  zone) only its owner's editors.
- Review: an editor of the owning authority requests review and revises; an approver of the owning authority
  approves or returns — not one who authored any change of the part since its last approval (two-person rule on
  content). When the owning authority has no approver who may approve, the coordinating authority's approvers may.
  Approved parts are reopened by the owner's approvers or the zone coordinator.
- Comments: editors of the owning authority and the zone coordinator.
- Assembly and submission: the zone coordinator. Sign-off: an approver of a co-author, for that co-author.
- The national evaluation of a submitted edition and next year's edition (rollover): the zone coordinator.
- Members: an authority's members are managed by that authority's own coordinators (and superusers); nobody grants
  a role to themselves, and a coordinator cannot remove their own coordinator role.
- Superusers (operators) read everything and manage members; they do not draft, approve, sign or submit for an
  authority unless they are its members.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied

from .models import EDITING_ROLES, Membership

ROLE = Membership.Role
ROLE_LABELS = dict(ROLE.choices)
FROZEN = "提出済みの評価書は変更できません（訂正は新しい版として作成してください）。"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)


class Refused(PermissionDenied):
    """An action the rules forbid; the message says why, in Japanese."""


def require(decision: Decision, exception: type[Exception] = Refused) -> None:
    if not decision:
        raise exception(decision.reason)


def content_author_ids(part) -> set[int]:
    """Users who changed the part's content since its last approval (ever, if never approved). Uses
    ``part.content_author_ids`` when a selector has prefetched it."""
    prefetched = getattr(part, "content_author_ids", None)
    if prefetched is not None:
        return prefetched
    last = part.approvals.order_by("-created_at").values_list("created_at", flat=True).first()
    revisions = part.revisions.exclude(user=None)
    if last is not None:
        revisions = revisions.filter(created_at__gt=last)
    return set(revisions.values_list("user_id", flat=True).distinct())


def approver_ids(authority_id) -> set[int]:
    return set(Membership.objects.filter(authority_id=authority_id, role=ROLE.APPROVER, user__is_active=True)
               .values_list("user_id", flat=True))


def approver_ids_of(authority_ids) -> dict[int, set[int]]:
    """The active approvers of several authorities, in one query."""
    found: dict[int, set[int]] = {a: set() for a in authority_ids}
    for authority_id, user_id in Membership.objects.filter(
            authority_id__in=found, role=ROLE.APPROVER, user__is_active=True).values_list("authority_id", "user_id"):
        found[authority_id].add(user_id)
    return found


def eligible_approver_ids(part, approvers=approver_ids) -> tuple[set[int], bool]:
    """Who may approve the part now, and whether they come from the coordinating authority (because no approver of
    the owning authority may). ``approvers``: authority id -> its approvers' ids (``Rules.approvers_of`` answers
    from what it has read once per request)."""
    authors = content_author_ids(part)
    own = approvers(part.authority_id) - authors
    if own:
        return own, False
    return approvers(part.edition.coordinator_id) - authors, True


class Rules:
    """What one user may do. Build one per request (``rules_for``); memberships are read once."""

    def __init__(self, user):
        self.user = user

    # ---- who is who ------------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return bool(self.user and self.user.is_authenticated and self.user.is_active)

    @cached_property
    def roles(self) -> dict[int | None, set[str]]:
        if not self.active:
            return {}
        roles: dict[int | None, set[str]] = {}
        for authority_id, role in Membership.objects.filter(user=self.user).values_list("authority_id", "role"):
            roles.setdefault(authority_id, set()).add(role)
        return roles

    @property
    def is_superuser(self) -> bool:
        return self.active and self.user.is_superuser

    def roles_in(self, authority_id) -> set[str]:
        return self.roles.get(authority_id, set())

    def edits_for(self, authority_id) -> bool:
        return bool(self.roles_in(authority_id) & EDITING_ROLES)

    def approves_for(self, authority_id) -> bool:
        return ROLE.APPROVER in self.roles_in(authority_id)

    def coordinates(self, authority_id) -> bool:
        return ROLE.COORDINATOR in self.roles_in(authority_id)

    def is_zone_coordinator(self, edition) -> bool:
        return self.coordinates(edition.coordinator_id)

    def editing_authority_ids(self, authority_ids) -> set[int]:
        return {a for a in authority_ids if self.edits_for(a)}

    # ---- reading ---------------------------------------------------------------------------------------------

    def view_edition(self, edition) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if self.is_superuser or self._checker.has_perm("view_edition", edition):
            return ALLOW
        return deny("この評価書を閲覧する権限がありません。")

    def compare_editions(self, edition, other) -> Decision:
        """Compare two editions (or two versions of one): whoever may read both; only editions of one zone."""
        for e in (edition, other):
            if not (decision := self.view_edition(e)):
                return decision
        if edition.zone_id != other.zone_id:
            return deny("別の総合特区の評価書とは比較できません。")
        return ALLOW

    # ---- items -----------------------------------------------------------------------------------------------

    @cached_property
    def _checker(self):
        from guardian.core import ObjectPermissionChecker

        return ObjectPermissionChecker(self.user)

    def prefetch(self, objects) -> None:
        """Read the object permissions of many objects (one model) in one query, for the checks that follow."""
        if self.active and objects:
            self._checker.prefetch_perms(list(objects))

    def _item_perm(self, action: str, item, edition) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if edition is not None and edition.is_frozen:
            return deny(FROZEN)
        if self.is_superuser:  # guardian grants superusers everything; an operator edits only as a member
            owner_id = getattr(item, "owner_id", None) or getattr(item, "authority_id", None)
            if self.edits_for(owner_id):
                return ALLOW
        elif self._checker.has_perm(f"{action}_{item._meta.model_name}", item):
            return ALLOW
        verb = "編集" if action == "change" else "削除"
        return deny(f"この項目を{verb}する権限がありません（担当自治体の起草者・承認者が{verb}します）。")

    def edit_item(self, item, edition=None) -> Decision:
        return self._item_perm("change", item, edition)

    def delete_item(self, item, edition=None) -> Decision:
        return self._item_perm("delete", item, edition)

    def create_item(self, edition, owner_id) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny(FROZEN)
        if owner_id is None or not self.edits_for(owner_id) or owner_id not in self._coauthor_ids(edition):
            return deny("この自治体の項目を追加する権限がありません。")
        return ALLOW

    def enter_actual(self, target, authority_id, edition) -> Decision:
        """Enter (add, change or clear) the 実績値 of ``target`` for ``authority_id``: an editor of that co-author;
        for a target whose 実績値 is one figure for the whole zone (a level target), only its owner — the reason is
        the target's (``target.actual_refusal``, reports/target_kinds.py)."""
        decision = self.create_item(edition, authority_id)
        if not decision:
            return decision
        refusal = target.actual_refusal(authority_id)
        return deny(refusal) if refusal else ALLOW

    def download_workbook(self, edition, authority_id) -> Decision:
        """Download the workbook (Excel) of an edition's figures: for a co-author the user edits for (its cells open
        to typing), or the whole workbook (``authority_id`` None: every input cell open) for the zone coordinator.
        A submitted edition's workbook may still be read."""
        if not (d := self.view_edition(edition)):
            return d
        if authority_id is None:
            if self.is_zone_coordinator(edition) or self.is_superuser:
                return ALLOW
            return deny("全作成主体のワークブックは取りまとめ担当だけがダウンロードできます。")
        if self.edits_for(authority_id) and authority_id in self._coauthor_ids(edition):
            return ALLOW
        return deny("この自治体のワークブックをダウンロードする権限がありません（その自治体の起草者・承認者・取りまとめ担当が使います）。")

    def import_workbook(self, edition, authority_id) -> Decision:
        """Fill in the figures of ``authority_id`` from a workbook: an editor of that co-author; each cell is then
        checked as its form is (``edit_item`` for 目標値 and 別紙3 rows, ``enter_actual`` for 実績値)."""
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny(FROZEN)
        if authority_id is None or not self.edits_for(authority_id) or authority_id not in self._coauthor_ids(edition):
            return deny("この自治体の数値をワークブックから取り込む権限がありません（その自治体の起草者・承認者・取りまとめ担当が取り込みます）。")
        return ALLOW

    def prefetch_approvers(self, authority_ids) -> None:
        """Read the approvers of many authorities in one query, for the review checks that follow (``approve`` of
        many parts costs no query per part). One query whenever there are authorities, cached or not, so that a
        page's cost does not depend on what an earlier read happened to cover."""
        wanted = {a for a in authority_ids if a is not None}
        if wanted:
            self.__dict__.setdefault("_approvers", {}).update(approver_ids_of(wanted))

    def approvers_of(self, authority_id) -> set[int]:
        """The active approvers of an authority, read once per Rules (per request)."""
        cache = self.__dict__.setdefault("_approvers", {})
        if authority_id not in cache:
            cache.update(approver_ids_of([authority_id]))
        return cache[authority_id]

    def _coauthor_ids(self, edition) -> set[int]:
        cache = self.__dict__.setdefault("_coauthors", {})
        if edition.pk not in cache:
            cache[edition.pk] = set(edition.coauthors.values_list("authority_id", flat=True))
        return cache[edition.pk]

    def editing_for_edition(self, edition) -> set[int]:
        """The co-authors of the edition the user may create items for."""
        if not self.active or edition.is_frozen:
            return set()
        return self.editing_authority_ids(self._coauthor_ids(edition))

    # ---- parts: review and approval --------------------------------------------------------------------------

    def _part_open(self, part) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if part.edition.is_frozen:
            return deny(FROZEN)
        return ALLOW

    def request_review(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not self.edits_for(part.authority_id):
            return deny("審査依頼は担当自治体の起草者・承認者だけが行えます。")
        if part.state != "draft":
            return deny(f"「{part.get_state_display()}」の部分は審査依頼できません。")
        return ALLOW

    def revise(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not self.edits_for(part.authority_id):
            return deny("修正は担当自治体の起草者・承認者だけが行えます。")
        if part.state != "returned":
            return deny("差戻しされた部分だけを修正に戻せます。")
        return ALLOW

    def _reviewer(self, part) -> Decision:
        """An approver of the owning authority; or of the coordinating authority when no owner's approver may."""
        if self.approves_for(part.authority_id):
            return ALLOW
        if self.approves_for(part.edition.coordinator_id) and part.authority_id != part.edition.coordinator_id:
            eligible, from_coordinator = eligible_approver_ids(part, self.approvers_of)
            if from_coordinator:
                return ALLOW
        return deny("承認は担当自治体の承認者だけが行えます。")

    def approve(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not (d := self._reviewer(part)):
            return d
        if part.state != "in_review":
            return deny("審査中の部分だけを承認できます。")
        if self.user.pk in content_author_ids(part):
            return deny("前回の承認以降にこの部分を編集した人は、その部分を承認できません（自己承認の禁止）。"
                        "他の承認者が承認します。")
        return ALLOW

    def return_part(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not self._reviewer(part):
            return deny("差戻しは担当自治体の承認者だけが行えます。")
        if part.state != "in_review":
            return deny("審査中の部分だけを差し戻せます。")
        return ALLOW

    def reopen(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not (self.approves_for(part.authority_id) or self.is_zone_coordinator(part.edition)):
            return deny("承認済みの部分を再開できるのは担当自治体の承認者か取りまとめ担当です。")
        if part.state != "approved":
            return deny("承認済みの部分だけを再開できます。")
        return ALLOW

    # ---- comments --------------------------------------------------------------------------------------------

    def comment(self, part) -> Decision:
        if not (d := self._part_open(part)):
            return d
        if not (self.edits_for(part.authority_id) or self.is_zone_coordinator(part.edition)):
            return deny("この部分にコメントできるのは担当自治体と取りまとめ担当です。")
        return ALLOW

    def resolve_comment(self, comment) -> Decision:
        part = comment.part
        if not (d := self._part_open(part)):
            return d
        if not (self.edits_for(part.authority_id) or self.is_zone_coordinator(part.edition)):
            return deny("このコメントを解決済みにする権限がありません。")
        if comment.resolved:
            return deny("このコメントは既に解決済みです。")
        return ALLOW

    # ---- the edition -----------------------------------------------------------------------------------------

    def run_assembly(self, edition) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny(FROZEN)
        if not self.is_zone_coordinator(edition):
            return deny("取りまとめ・PDF作成は取りまとめ自治体の取りまとめ担当だけが実行できます。")
        return ALLOW

    def set_print_options(self, edition) -> Decision:
        """The options of the edition's PDF (the 別紙1 charts): the zone coordinator, while it is not submitted."""
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny(FROZEN)
        if not self.is_zone_coordinator(edition):
            return deny("PDFの印刷設定は取りまとめ自治体の取りまとめ担当だけが変更できます。")
        return ALLOW

    def signing_authority_ids(self, edition) -> list[int]:
        """The co-authors the user may sign for (their approver roles), in the co-authors' order."""
        if not self.active:
            return []
        return [a for a in edition.coauthors.order_by("order").values_list("authority_id", flat=True)
                if self.approves_for(a)]

    def sign_off(self, edition) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny(FROZEN)
        if not self.signing_authority_ids(edition):
            return deny("最終承認（署名）は作成主体の承認者だけが行えます。")
        return ALLOW

    def submit(self, edition) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if edition.is_frozen:
            return deny("この評価書は既に提出されています。")
        if not self.is_zone_coordinator(edition):
            return deny("提出は取りまとめ自治体の取りまとめ担当だけが行えます。")
        return ALLOW

    # ---- the yearly cycle ------------------------------------------------------------------------------------

    def record_national_evaluation(self, edition) -> Decision:
        """The national evaluation (国の評価) of a submitted edition: the zone coordinator records it. It is not report
        content, so a submitted (frozen) edition takes it."""
        if not self.active:
            return deny("ログインしてください。")
        if not self.is_zone_coordinator(edition):
            return deny("国の評価は取りまとめ自治体の取りまとめ担当だけが記録できます。")
        if not edition.is_frozen:
            return deny("国の評価は提出済みの評価書についてだけ記録できます。先に評価書を提出してください。")
        return ALLOW

    def roll_over(self, edition) -> Decision:
        """Next year's edition from a submitted one: the zone coordinator. (Whether next year may be made — it exists,
        the plan period ends — is said by the rollover service.)"""
        if not self.active:
            return deny("ログインしてください。")
        if not self.is_zone_coordinator(edition):
            return deny("次年度の評価書の作成は取りまとめ自治体の取りまとめ担当だけが行えます。")
        if not edition.is_frozen:
            return deny("次年度の評価書は提出済みの評価書からだけ作成できます。先にこの評価書を提出してください。")
        if edition.is_superseded:
            return deny("この版は訂正版に置き換えられています。次年度の評価書は現在の版（最新の訂正版）から作成してください。")
        return ALLOW

    # ---- the archive (zoneeval/archive) -----------------------------------------------------------------------

    def view_archive(self, zone) -> Decision:
        """A zone's archive (every year's editions, their submitted files): the members of any of its editions'
        co-authors, and superusers."""
        if not self.active:
            return deny("ログインしてください。")
        if self.is_superuser:
            return ALLOW
        # through the zone's relation: the rules ask of the objects given, never import the apps above them
        if zone.editions.filter(coauthors__authority_id__in=[a for a in self.roles if a]).exists():
            return ALLOW
        return deny("この特区の提出版の一覧を閲覧できるのは、作成主体の担当者だけです。")

    def correct_edition(self, edition) -> Decision:
        """A correction (訂正版) of a submitted edition that is still the current one, by the zone's coordinator."""
        if not self.active:
            return deny("ログインしてください。")
        if not edition.is_frozen:
            return deny("訂正版を作成できるのは提出済みの評価書だけです。提出前の評価書はそのまま修正してください。")
        if edition.is_superseded:
            return deny("この版は既に訂正版に置き換えられています。訂正は現在の版から作成してください。")
        if not self.is_zone_coordinator(edition):
            return deny("訂正版の作成は取りまとめ自治体の取りまとめ担当だけが行えます。")
        return ALLOW

    # ---- members ---------------------------------------------------------------------------------------------

    def manage_members(self, authority_id) -> Decision:
        if not self.active:
            return deny("ログインしてください。")
        if self.is_superuser or self.coordinates(authority_id):
            return ALLOW
        return deny("担当者を管理できるのは、その自治体の取りまとめ担当だけです。")

    def managed_authority_ids(self, authority_ids) -> set[int]:
        return {a for a in authority_ids if self.manage_members(a)}

    def grant_role(self, authority_id, target_user, role: str) -> Decision:
        if not (d := self.manage_members(authority_id)):
            return d
        if role not in ROLE_LABELS:
            return deny("役割が正しくありません。")
        if target_user is not None and target_user.pk == self.user.pk:
            return deny("自分自身に役割を付与することはできません。同じ自治体の他の取りまとめ担当に依頼してください。")
        return ALLOW

    def revoke_role(self, membership) -> Decision:
        if membership.authority_id is None:
            if not self.is_superuser:
                return deny("閲覧者の役割は管理画面で管理します。")
        elif not (d := self.manage_members(membership.authority_id)):
            return d
        if membership.user_id == self.user.pk and membership.role == ROLE.COORDINATOR:
            return deny("自分自身の取りまとめ担当の役割は外せません。")
        return ALLOW

    # ---- one entry point for the matrix ----------------------------------------------------------------------

    def may(self, action: str, obj, *args) -> Decision:
        return getattr(self, ACTIONS[action])(obj, *args)


ACTIONS = {
    "view": "view_edition", "compare": "compare_editions", "create": "create_item", "edit": "edit_item", "delete": "delete_item",
    "request_review": "request_review", "approve": "approve", "return": "return_part", "reopen": "reopen",
    "revise": "revise", "comment": "comment", "resolve": "resolve_comment", "run_assembly": "run_assembly",
    "sign_off": "sign_off", "submit": "submit", "record_national_evaluation": "record_national_evaluation",
    "roll_over": "roll_over", "set_print_options": "set_print_options", "view_archive": "view_archive",
    "correct": "correct_edition", "manage_members": "manage_members", "grant": "grant_role",
    "revoke": "revoke_role", "download_workbook": "download_workbook",
    "import_workbook": "import_workbook",
}


def rules_for(user) -> Rules:
    """The rules of ``user``; cached on the user object for one request (memberships are read once)."""
    cached = getattr(user, "_zoneeval_rules", None)
    if cached is None:
        cached = Rules(user)
        try:
            user._zoneeval_rules = cached
        except AttributeError:  # AnonymousUser and the like
            pass
    return cached
