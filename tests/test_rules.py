"""Who may do what (zoneeval/authorities/rules.py), over HTTP: every action × every role of every co-author.

The expectations are stated here, independently of the rules module, as the README's table states them; each attempt
checks the response and the data (what was allowed changed, what was refused did not)."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from zoneeval.assembly import services as assembly_services
from zoneeval.assembly.models import AssemblyRun
from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m
from zoneeval.workflow.models import Approval, AuditEntry, Comment, SignOff

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"
OWNER = "yokohama"  # the authority whose part and items the part/item actions are tried on


@pytest.fixture(autouse=True)
def artefacts(settings, tmp_path):
    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def actors(edition):
    """Anonymous, a viewer, a superuser, and a drafter, an approver and a coordinator of every co-author."""
    made = {"anonymous": None}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        for role in ("drafter", "approver", "coordinator"):
            made[f"{a.slug}-{role}"] = ensure_user(f"{a.slug}-{role}", PASSWORD, authority=a, role=role,
                                                   email=f"{a.slug}-{role}@example.invalid")
    made["viewer"] = ensure_user("viewer", PASSWORD, authority=None, role=Membership.Role.VIEWER)
    made["superuser"] = get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    return made


def _expected(action, actor, edition):
    """Who may, stated once for this test (the owner is 横浜市; the coordinating authority is 神奈川県)."""
    zone_coordinator = f"{edition.coordinator.slug}-coordinator"
    own = {f"{OWNER}-drafter", f"{OWNER}-approver", f"{OWNER}-coordinator"}
    approvers = {f"{c.authority.slug}-approver" for c in edition.coauthors.select_related("authority")}
    return actor in {
        "view": set(_all(edition)) - {"anonymous"},
        "edit": own, "create": own, "delete": own,
        "request_review": own, "revise": own,
        "approve": {f"{OWNER}-approver"}, "return": {f"{OWNER}-approver"},
        "reopen": {f"{OWNER}-approver", zone_coordinator},
        "comment": own | {zone_coordinator}, "resolve": own | {zone_coordinator},
        "run_assembly": {zone_coordinator}, "sign_off": approvers, "submit": {zone_coordinator},
        "grant": {f"{OWNER}-coordinator", "superuser"}, "revoke": {f"{OWNER}-coordinator", "superuser"},
    }[action]


def _all(edition):
    names = ["anonymous", "viewer", "superuser"]
    for c in edition.coauthors.select_related("authority"):
        names += [f"{c.authority.slug}-{r}" for r in ("drafter", "approver", "coordinator")]
    return names


def _login(client, actors, actor):
    client.logout()
    if actors[actor] is not None:
        client.force_login(actors[actor])


def _row(edition):
    return m.LocalMeasureRow.objects.filter(edition=edition, owner__slug=OWNER).order_by("order").first()


def _row_post(row, **changes):
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets, "result": row.result,
            "self_evaluation": row.self_evaluation, "authorities": [a.authority.slug for a in row.authority_links.all()]}
    return {**data, **changes}


def _part(edition, section="annex4"):
    return Part.objects.get(edition=edition, section=section, authority__slug=OWNER)


def _set_state(part, state):
    Part.objects.filter(pk=part.pk).update(state=state)
    part.refresh_from_db()
    return part


def _refused(response):
    return response.status_code in (302, 403, 404, 409, 422) and (
        response.status_code != 302 or "/accounts/login/" in response["Location"])


# ---- attempts: each returns (response, whether the data changed) ---------------------------------------------

def attempt_view(client, edition, actor, actors):
    response = client.get(reverse("reports:edition_detail", args=["keihin", 2019]))
    return response, response.status_code == 200


def attempt_edit(client, edition, actor, actors):
    row = _row(edition)
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]),
                           _row_post(row, result=f"<p>{actor} の変更</p>"))
    changed = m.LocalMeasureRow.objects.get(pk=row.pk).version != row.version
    return response, changed


def attempt_create(client, edition, actor, actors):
    count = m.LocalMeasureRow.objects.count()
    response = client.post(reverse("drafting:item_create", args=["keihin", 2019, "local-row"]), {
        "container": "other", "owner": OWNER, "name": f"{actor} の新しい取組", "authorities": [OWNER]})
    return response, m.LocalMeasureRow.objects.count() != count


def attempt_delete(client, edition, actor, actors):
    victim = m.LocalMeasureRow.objects.create(edition=edition, table="other", owner=Authority.objects.get(slug=OWNER),
                                              name="削除対象", order=999)
    response = client.post(reverse("drafting:item_delete", args=["local-row", victim.pk]), {"version": victim.version})
    return response, not m.LocalMeasureRow.objects.filter(pk=victim.pk).exists()


def _part_action(client, edition, action, from_state, text=""):
    part = _set_state(_part(edition), from_state)
    response = client.post(reverse("workflow:part_action", args=[part.pk, action]),
                           {"version": part.version, "text": text})
    part.refresh_from_db()
    return response, part.state != from_state


def attempt_request_review(client, edition, actor, actors):
    return _part_action(client, edition, "submit", "draft")


def attempt_revise(client, edition, actor, actors):
    return _part_action(client, edition, "revise", "returned")


def attempt_approve(client, edition, actor, actors):
    return _part_action(client, edition, "approve", "in_review")


def attempt_return(client, edition, actor, actors):
    return _part_action(client, edition, "return", "in_review", text="根拠を追記してください。")


def attempt_reopen(client, edition, actor, actors):
    return _part_action(client, edition, "reopen", "approved", text="再確認のため")


def attempt_comment(client, edition, actor, actors):
    part, count = _part(edition), Comment.objects.count()
    response = client.post(reverse("workflow:add_comment", args=[part.pk]), {"body": f"{actor} のコメント"})
    return response, Comment.objects.count() != count


def attempt_resolve(client, edition, actor, actors):
    comment = Comment.objects.create(part=_part(edition), author=actors[f"{OWNER}-drafter"], body="確認してください")
    response = client.post(reverse("workflow:resolve_comment", args=[comment.pk]))
    comment.refresh_from_db()
    return response, comment.resolved


def attempt_run_assembly(client, edition, actor, actors):
    count = AssemblyRun.objects.count()
    response = client.post(reverse("assembly:start", args=["keihin", 2019]))
    return response, AssemblyRun.objects.count() != count


def _signable(edition, monkeypatch):
    """Every part approved and a clean assembled version to sign (legacy printed figures cleared in the ORM)."""
    from zoneeval.assembly.render import RenderResult

    monkeypatch.setattr(assembly_services, "render_pdf",
                        lambda snapshot, html=None: RenderResult(pdf=b"%PDF-1.7 test", pages=1, seconds=0.0))
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces
    m.TargetYear.objects.filter(target__indicator__edition=edition).update(stated_progress=None)
    m.FiscalSupportRow.objects.filter(edition=edition).update(stated_cumulative_total=None)
    Part.objects.filter(edition=edition).update(state="approved")
    run = assembly_services.run_synchronously(edition)
    assert run.error_count == 0, run.findings
    return run


def attempt_sign_off(client, edition, actor, actors):
    run = edition._run
    SignOff.objects.filter(edition=edition).update(voided_at=timezone.now())
    count = SignOff.objects.filter(voided_at__isnull=True).count()
    response = client.post(reverse("workflow:sign_off", args=["keihin", 2019]),
                           {"content_hash": run.snapshot.content_hash})
    return response, SignOff.objects.filter(voided_at__isnull=True).count() != count


def attempt_submit(client, edition, actor, actors):
    run = edition._run
    for c in edition.coauthors.all():
        if not SignOff.objects.filter(edition=edition, authority_id=c.authority_id, voided_at__isnull=True).exists():
            SignOff.objects.create(edition=edition, authority_id=c.authority_id,
                                   user=actors[f"{c.authority.slug}-approver"], content_hash=run.snapshot.content_hash)
    response = client.post(reverse("archive:submit", args=["keihin", 2019]),
                           {"content_hash": run.snapshot.content_hash})
    return response, m.Edition.objects.get(pk=edition.pk).submitted_at is not None


def attempt_grant(client, edition, actor, actors):
    newcomer = get_user_model().objects.get_or_create(username="newcomer")[0]
    Membership.objects.filter(user=newcomer).delete()
    response = client.post(reverse("workflow:members", args=["keihin", 2019]), {
        "username": "newcomer", "authority": Authority.objects.get(slug=OWNER).pk, "role": "approver"})
    return response, Membership.objects.filter(user=newcomer).exists()


def attempt_revoke(client, edition, actor, actors):
    second = get_user_model().objects.get_or_create(username="second-approver")[0]
    membership = Membership.objects.get_or_create(user=second, authority=Authority.objects.get(slug=OWNER),
                                                  role="approver")[0]
    response = client.post(reverse("workflow:remove_member", args=["keihin", 2019, membership.pk]))
    return response, not Membership.objects.filter(pk=membership.pk).exists()


ACTIONS = ["view", "edit", "create", "delete", "request_review", "revise", "approve", "return", "reopen", "comment",
           "resolve", "run_assembly", "sign_off", "submit", "grant", "revoke"]


@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix_every_action_every_role(client, edition, actors, action, monkeypatch):
    drafting.ensure_parts(edition)
    if action in ("sign_off", "submit"):
        edition._run = _signable(edition, monkeypatch)
    attempt = globals()[f"attempt_{action}"]
    order = sorted(_all(edition), key=lambda a: _expected(action, a, edition))  # a submission is the last act
    outcomes = {}
    for actor in order:
        _login(client, actors, actor)
        if action == "sign_off":
            edition._run.refresh_from_db()
        response, changed = attempt(client, edition, actor, actors)
        allowed = _expected(action, actor, edition)
        outcomes[actor] = (response.status_code, changed)
        if allowed:
            assert changed and response.status_code in (200, 302), (action, actor, response.status_code,
                                                                    response.content.decode()[:300])
        else:
            assert not changed and _refused(response), (action, actor, response.status_code)
    assert any(changed for _, changed in outcomes.values()), outcomes  # somebody may do every action


# ---- member management ---------------------------------------------------------------------------------------

def test_the_zone_coordinator_cannot_grant_or_remove_another_authoritys_roles(client, edition, actors):
    """The coordinating authority's coordinator once made itself 横浜市's approver and approved 横浜市's part."""
    coordinator = actors[f"{edition.coordinator.slug}-coordinator"]
    yokohama = Authority.objects.get(slug="yokohama")
    client.force_login(coordinator)
    page = client.get(reverse("workflow:members", args=["keihin", 2019])).content.decode()
    assert f'<option value="{yokohama.pk}"' not in page  # not offered …
    before = set(Membership.objects.values_list("user_id", "authority_id", "role"))
    response = client.post(reverse("workflow:members", args=["keihin", 2019]),  # … nor accepted when forged
                           {"username": coordinator.username, "authority": yokohama.pk, "role": "approver"})
    assert response.status_code == 422
    victim = Membership.objects.get(user=actors["yokohama-approver"], role="approver")
    response = client.post(reverse("workflow:remove_member", args=["keihin", 2019, victim.pk]))
    assert response.status_code == 403
    assert set(Membership.objects.values_list("user_id", "authority_id", "role")) == before


def test_nobody_grants_a_role_to_themselves(client, edition, actors):
    coordinator = actors["yokohama-coordinator"]
    client.force_login(coordinator)
    response = client.post(reverse("workflow:members", args=["keihin", 2019]),
                           {"username": coordinator.username, "authority": coordinator.memberships.get().authority_id,
                            "role": "approver"})
    assert response.status_code == 422
    assert "自分自身に役割を付与することはできません" in response.content.decode()
    assert not Membership.objects.filter(user=coordinator, role="approver").exists()


def test_admin_asks_the_same_rules_and_logs_grants(client, edition, actors):
    yokohama, kawasaki = Authority.objects.get(slug="yokohama"), Authority.objects.get(slug="kawasaki")
    staff = actors["yokohama-coordinator"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    newcomer = get_user_model().objects.create_user("newcomer", password=PASSWORD)
    url = reverse("admin:authorities_membership_add")
    refused = client.post(url, {"user": newcomer.pk, "authority": kawasaki.pk, "role": "approver"})
    assert refused.status_code == 403 and not Membership.objects.filter(user=newcomer).exists()
    accepted = client.post(url, {"user": newcomer.pk, "authority": yokohama.pk, "role": "drafter"})
    assert accepted.status_code == 302 and Membership.objects.filter(user=newcomer, authority=yokohama).exists()
    entry = AuditEntry.objects.filter(authority=yokohama, action="role_granted").last()
    assert entry.actor == staff and entry.after["user"] == "newcomer"


# ---- two-person review on content ----------------------------------------------------------------------------

def _edit(user, row, text):
    return drafting.update_item(user, row, {**_row_post(row, result=text)}, row.version)


def test_a_save_that_changes_nothing_is_no_revision_and_cannot_launder_authorship(edition, actors):
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    approver, drafter = actors["yokohama-approver"], actors["yokohama-drafter"]
    row = _edit(approver, _row(edition), "<p>承認者が書いた文章</p>")
    part = _part(edition)
    revisions = part.revisions.count()
    row = drafting.update_item(drafter, row, _row_post(row), row.version)  # 保存 without changing anything
    part.refresh_from_db()
    assert part.revisions.count() == revisions and part.last_editor == approver
    wf.submit_for_review(drafter, part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="自己承認"):
        wf.approve(approver, part, part.version)


def test_an_approver_may_not_approve_any_change_they_authored_since_the_last_approval(edition, actors):
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    approver, drafter = actors["yokohama-approver"], actors["yokohama-drafter"]
    row = _edit(approver, _row(edition), "<p>承認者の誤字修正</p>")
    row = _edit(drafter, row, "<p>起草者が続きを書いた</p>")  # the drafter is now the last editor
    part = _part(edition)
    wf.submit_for_review(drafter, part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="自己承認"):
        wf.approve(approver, part, part.version)
    # nobody of 横浜市 may approve: the coordinating authority's approver may, and the page says so
    coordinator_approver = actors[f"{edition.coordinator.slug}-approver"]
    wf.approve(coordinator_approver, part, part.version)
    part.refresh_from_db()
    assert part.state == "approved"


def test_the_page_says_when_nobody_may_approve_and_what_to_do(client, edition, actors):
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    # 神奈川県 is the coordinating authority: its approver edits its own part; no other approver exists
    approver = actors["kanagawa-approver"]
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="kanagawa").order_by("order").first()
    drafting.update_item(approver, row, _row_post(row, result="<p>承認者自身の修正</p>"), row.version)
    part = Part.objects.get(edition=edition, section="annex4", authority__slug="kanagawa")
    wf.submit_for_review(approver, part, part.version)
    client.force_login(approver)
    page = client.get(reverse("drafting:section", args=["keihin", 2019, "annex4"])).content.decode()
    assert "この部分を承認できる承認者がいません" in page and "承認者の追加を依頼してください" in page
    assert "自己承認の禁止" in page  # why this approver cannot


def test_any_change_voids_the_approval_whoever_makes_it(client, edition, actors):
    """A user with roles in two authorities changes 川崎市's figure: 川崎市's approval is void. So is a change made
    outside the services."""

    drafting.ensure_parts(edition)
    kawasaki = Authority.objects.get(slug="kawasaki")
    both = actors["yokohama-drafter"]
    Membership.objects.create(user=both, authority=kawasaki, role="drafter")
    target = m.NumericalTarget.objects.filter(indicator__edition=edition, owner__slug="yokohama").first() or \
        m.NumericalTarget.objects.filter(indicator__edition=edition).first()
    part = Part.objects.get_or_create(edition=edition, section="targets", authority=kawasaki)[0]
    _set_state(part, "approved")
    Approval.objects.create(part=part, approver=actors["kawasaki-approver"], part_version=part.version)
    fy = edition.fiscal_year
    drafting.save_year_table(both, target, {}, {fy: 777}, kawasaki, target.version)
    part.refresh_from_db()
    assert part.state == "draft" and not Approval.objects.filter(part=part, voided_at__isnull=True).exists()
    assert part.revisions.filter(user=both).exists()  # the change is in 川崎市's part's history

    # through the ORM (admin, the shell): the approval of the row's part is voided too
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner=kawasaki).order_by("order").first()
    annex4 = _set_state(Part.objects.get(edition=edition, section="annex4", authority=kawasaki), "approved")
    Approval.objects.create(part=annex4, approver=actors["kawasaki-approver"], part_version=annex4.version)
    row.name = row.name + "（管理画面で修正）"
    row.save()
    annex4.refresh_from_db()
    assert annex4.state == "draft"
    assert AuditEntry.objects.filter(part=annex4, action="approval_voided").exists()


def test_editing_a_part_in_review_returns_it_to_draft_and_tells_the_reviewer(edition, actors, mailoutbox,
                                                                              django_capture_on_commit_callbacks):
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    drafter = actors["yokohama-drafter"]
    part = _part(edition)
    wf.submit_for_review(drafter, part, part.version)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(drafter, _row(edition), "<p>審査中の修正</p>")
    part.refresh_from_db()
    assert part.state == "draft"
    withdrawn = [mail for mail in mailoutbox if "審査の取り下げ" in mail.subject]
    assert withdrawn and all(addr.startswith("yokohama-approver") for mail in withdrawn for addr in mail.to)


def test_comments_and_reasons_are_bounded_like_every_text(edition, actors):
    from zoneeval import limits
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    part = _part(edition)
    drafter = actors["yokohama-drafter"]
    with pytest.raises(wf.TransitionRefused, match="文字以内"):
        wf.add_comment(drafter, part, "あ" * (limits.COMMENT_MAX + 1))
    with pytest.raises(wf.TransitionRefused, match="U\\+202E"):
        wf.add_comment(drafter, part, "確認\u202eしてください")
    assert not Comment.objects.filter(part=part).exists()
    wf.submit_for_review(drafter, part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="差戻しのコメント"):
        wf.return_part(actors["yokohama-approver"], part, part.version, "\x00")


def test_a_resolved_comment_keeps_who_resolved_it(edition, actors):
    from zoneeval.workflow import services as wf

    drafting.ensure_parts(edition)
    comment = wf.add_comment(actors["yokohama-drafter"], _part(edition), "出典は？")
    wf.resolve_comment(actors["yokohama-approver"], comment)
    with pytest.raises(wf.TransitionRefused, match="既に解決済み"):
        wf.resolve_comment(actors["yokohama-coordinator"], comment)
    comment.refresh_from_db()
    assert comment.resolved_by == actors["yokohama-approver"]
