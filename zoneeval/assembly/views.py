"""The pipeline on the edition page: start a run, watch its progress, download the PDF."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..authorities.rules import require, rules_for
from ..errors import safe_next
from ..reports.permissions import viewable_edition_or_refuse
from .finding_links import link_findings
from .models import AssemblyRun
from .services import request_run


def _edition_or_404(request, zone_slug, fiscal_year):
    return viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)


@login_required
@require_POST
def start_run(request, zone_slug: str, fiscal_year: int):
    edition = _edition_or_404(request, zone_slug, fiscal_year)
    require(rules_for(request.user).run_assembly(edition))
    run = request_run(edition, request.user)
    run = AssemblyRun.objects.select_related("artefact", "snapshot").get(pk=run.pk)  # as it is now (eager: done)
    if request.headers.get("HX-Request"):
        return render(request, "assembly/run_status.html", _status_context(request, run, edition))
    messages.success(request, f"取りまとめ・検証・PDF作成を開始しました（実行 #{run.pk}）。")
    page = edition_url(edition)
    url = safe_next(request, page)
    return redirect(url + "#assembly" if url.split("?")[0].endswith(page) else url)


@login_required
def run_status(request, zone_slug: str, fiscal_year: int, run_id: int):
    edition = _edition_or_404(request, zone_slug, fiscal_year)
    run = get_object_or_404(AssemblyRun.objects.select_related("artefact", "snapshot"), pk=run_id, edition=edition)
    # HTMX polls for the fragment; a browser opening the address gets a whole page (title, language, layout).
    if request.headers.get("HX-Request"):
        return render(request, "assembly/run_status.html", _status_context(request, run, edition))
    context = {**_status_context(request, run, edition), "document_url": edition_url(edition)}  # findings link to the document
    return render(request, "assembly/run_status_page.html", context)


def _status_context(request, run, edition) -> dict:
    if not run.is_active and run.snapshot_id:  # a finished run: is it still the edition's content?
        from ..reports.preview import content_hash
        from ..workflow.selectors import mark_current

        mark_current(run, edition, content_hash(edition))  # cached by the edition's content version
        if run.is_current and run.findings and not edition.is_frozen:
            link_findings(edition, run.findings, rules_for(request.user))
    authorities = {c.authority.slug: c.authority.name for c in edition.coauthors.select_related("authority")}
    return {"run": run, "edition": edition, "authorities": authorities}


@login_required
def run_pdf(request, zone_slug: str, fiscal_year: int, run_id: int):
    edition = _edition_or_404(request, zone_slug, fiscal_year)
    run = get_object_or_404(AssemblyRun.objects.select_related("artefact"), pk=run_id, edition=edition)
    if run.artefact is None or not run.artefact.stored():
        raise Http404("PDFはまだ作成されていません")
    filename = f"{edition.zone.slug}-{edition.fiscal_year}-{run.artefact.content_hash[:8]}.pdf"
    return FileResponse(run.artefact.open(), content_type="application/pdf", filename=filename)


def edition_url(edition) -> str:
    from django.urls import reverse

    return reverse("reports:edition_detail", args=[edition.zone.slug, edition.fiscal_year])
