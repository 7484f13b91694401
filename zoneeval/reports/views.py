"""Read-only pages of reports. Thin: selectors read, templates print."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .interchange.export import edition_snapshot
from .presentation import document_context
from .permissions import can_view_edition, viewable_editions
from .selectors import get_edition


@login_required
def edition_list(request):
    editions = viewable_editions(request.user) if not request.user.is_superuser else None
    from .selectors import list_editions

    queryset = list_editions()
    if editions is not None:
        queryset = queryset.filter(pk__in=editions.values("pk"))
    return render(request, "reports/edition_list.html", {"editions": queryset})


@login_required
def edition_detail(request, zone_slug: str, fiscal_year: int):
    edition = get_edition(zone_slug, fiscal_year)
    if edition is None:
        raise Http404("評価書がありません")
    if not can_view_edition(request.user, edition):
        raise PermissionDenied("この評価書を閲覧する権限がありません。")
    from ..assembly.selectors import can_run_assembly, latest_run

    context = document_context(edition_snapshot(edition))
    context["edition"] = edition
    context["run"] = latest_run(edition)
    context["can_run_assembly"] = can_run_assembly(request.user, edition)
    context["is_coordinator"] = context["can_run_assembly"]
    from ..workflow.selectors import signoff_status
    from ..workflow.services import signable_run

    run, reason = (None, "") if edition.is_frozen else signable_run(edition)
    from ..workflow.services import is_approver, is_coordinator

    status = signoff_status(edition, run.snapshot.content_hash if run else None)
    context.update(signable_run=run, signable_reason=reason, signoff_status=status,
                   can_sign=any(is_approver(request.user, s["authority"].pk) and not s["signoff"] for s in status),
                   can_submit=is_coordinator(request.user, edition))
    return render(request, "reports/edition_detail.html", context)
