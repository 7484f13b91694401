"""Read-only pages of reports. Thin: selectors read, templates print."""
from django.http import Http404
from django.shortcuts import render

from .interchange.export import edition_snapshot
from .presentation import document_context
from .selectors import get_edition, list_editions


def edition_list(request):
    return render(request, "reports/edition_list.html", {"editions": list_editions()})


def edition_detail(request, zone_slug: str, fiscal_year: int):
    edition = get_edition(zone_slug, fiscal_year)
    if edition is None:
        raise Http404("評価書がありません")
    from ..assembly.selectors import can_run_assembly, latest_run

    context = document_context(edition_snapshot(edition))
    context["edition"] = edition
    context["run"] = latest_run(edition)
    context["can_run_assembly"] = can_run_assembly(request.user, edition)
    return render(request, "reports/edition_detail.html", context)
