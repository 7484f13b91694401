"""The workbook (Excel) pages: download, upload → preview → confirm. Thin: rules and writes in services.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ... import limits
from ...authorities.models import Authority
from ...authorities.rules import Refused, require, rules_for
from . import services
from .selectors import download_choices, edition_or_refuse, import_authorities
from .xlsx import file_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, edition, errors=None, status=200, chosen=""):
    return render(request, "drafting/workbook.html", {
        "edition": edition, "downloads": download_choices(rules_for(request.user), edition),
        "authorities": import_authorities(rules_for(request.user), edition), "errors": errors or [],
        "chosen": chosen, "max_mb": limits.WORKBOOK_MAX_BYTES // 1024 // 1024,
    }, status=status)


@login_required
def workbook(request, zone_slug, fiscal_year):
    edition = edition_or_refuse(request.user, zone_slug, fiscal_year)
    return _page(request, edition)


@login_required
def download(request, zone_slug, fiscal_year):
    edition = edition_or_refuse(request.user, zone_slug, fiscal_year)
    slug = request.GET.get("authority", "")
    authority = Authority.objects.filter(slug=slug).first() if slug else None
    if slug and authority is None:
        raise Http404
    data = services.export_workbook(request.user, edition, authority)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{file_name(edition, authority)}"'
    return response


@login_required
@require_POST
def upload(request, zone_slug, fiscal_year):
    edition = edition_or_refuse(request.user, zone_slug, fiscal_year)
    slug = request.POST.get("authority", "")
    authority = next((a for a in import_authorities(rules_for(request.user), edition) if a.slug == slug), None)
    file = request.FILES.get("file")
    if edition.is_frozen:
        return _page(request, edition, [rules_for(request.user).import_workbook(edition, None).reason], 403, slug)
    if authority is None:
        reason = rules_for(request.user).import_workbook(
            edition, Authority.objects.filter(slug=slug).values_list("pk", flat=True).first()).reason
        return _page(request, edition, [reason or "取り込む自治体を選んでください。"], 403 if slug else 422, slug)
    if file is None:
        return _page(request, edition, ["取り込むワークブック（.xlsx）を選んでください。"], 422, slug)
    if file.size > limits.WORKBOOK_MAX_BYTES:  # not read at all
        return _page(request, edition, [f"ファイルが大きすぎます（{file.size / 1024 / 1024:.1f} MB）。"
                                        f"{limits.WORKBOOK_MAX_BYTES // 1024 // 1024} MB までのワークブックを取り込めます。"],
                     413, slug)
    try:
        pending, _reading = services.preview_upload(request.user, edition, authority, file.read(), file.name or "")
    except services.WorkbookRefused as refused:
        return _page(request, edition, refused.messages, 422, slug)
    except Refused as refused:
        return _page(request, edition, [str(refused)], 403, slug)
    return redirect(reverse("drafting:workbook_preview", args=[zone_slug, fiscal_year, pending.token]))


def _pending(request, zone_slug, fiscal_year, token):
    edition = edition_or_refuse(request.user, zone_slug, fiscal_year)
    pending = services.pending_upload(request.user, token)
    if pending is None or pending.edition_id != edition.pk:
        return edition, None
    return edition, pending


EXPIRED = "このアップロードは見つかりません（確定・取消し済みか、時間が経って破棄されました）。もう一度アップロードしてください。"


@login_required
def preview(request, zone_slug, fiscal_year, token):
    edition, pending = _pending(request, zone_slug, fiscal_year, token)
    if pending is None:
        return _page(request, edition, [EXPIRED], 404)
    try:
        reading = services.reading_of(pending)
    except services.WorkbookRefused as refused:  # the edition changed its shape since the upload
        return _page(request, edition, refused.messages, 409, pending.authority.slug)
    except Refused as refused:
        return _page(request, edition, [str(refused)], 403, pending.authority.slug)
    return render(request, "drafting/workbook_preview.html", {
        "edition": edition, "pending": pending, "reading": reading,
        "ignored": [(c, reading.owners.get((c.sheet, c.ref), "")) for c in reading.ignored]})


@login_required
@require_POST
def confirm(request, zone_slug, fiscal_year, token):
    edition, pending = _pending(request, zone_slug, fiscal_year, token)
    if pending is None:
        return _page(request, edition, [EXPIRED], 404)
    slug = pending.authority.slug
    try:
        changes = services.confirm_upload(request.user, pending)
    except services.StalePreview as stale:
        services.discard_upload(request.user, pending)
        return _page(request, edition, [str(stale)], 409, slug)
    except services.WorkbookRefused as refused:
        services.discard_upload(request.user, pending)
        return _page(request, edition, refused.messages, 409, slug)
    except Refused as refused:
        return _page(request, edition, [str(refused)], 403, slug)
    if changes:
        messages.success(request, f"ワークブックから{pending.authority.name}の数値を{len(changes)}件取り込みました。"
                                  "変更は履歴に記録され、該当する部分の承認は取り消されました。")
    else:
        messages.info(request, "変更のある欄はありませんでした。何も変更していません。")
    return redirect(reverse("drafting:workbook", args=[zone_slug, fiscal_year]))


@login_required
@require_POST
def discard(request, zone_slug, fiscal_year, token):
    edition, pending = _pending(request, zone_slug, fiscal_year, token)
    if pending is not None:
        services.discard_upload(request.user, pending)
    messages.info(request, "アップロードしたワークブックを破棄しました。何も変更していません。")
    return redirect(reverse("drafting:workbook", args=[zone_slug, fiscal_year]))


__all__ = ["workbook", "download", "upload", "preview", "confirm", "discard", "require"]
