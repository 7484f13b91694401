"""Read-only pages of reports. Thin: selectors read, templates print."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..assembly.finding_links import link_findings
from ..assembly.selectors import latest_run
from ..authorities.rules import rules_for
from ..drafting.workbook.selectors import download_choices, import_authorities
from ..workflow.selectors import edition_buttons, lost_signoffs, mark_current, signoff_status
from ..workflow.services import signable_run
from ..workflow.yearly_selectors import yearly_panel
from .charts import national_score_chart
from .permissions import viewable_edition_or_refuse, viewable_editions
from .preview import edition_preview
from .selectors import list_editions, national_scores


@login_required
def edition_list(request):
    editions = list_editions()
    if not request.user.is_superuser:
        editions = editions.filter(pk__in=viewable_editions(request.user).values("pk"))
    return render(request, "reports/edition_list.html", {"editions": editions})


@login_required
def edition_detail(request, zone_slug: str, fiscal_year: int, revision: int | None = None):
    """An edition's page: the current edition of (zone, year), or the given revision (a superseded one, read-only)."""
    edition = viewable_edition_or_refuse(request.user, zone_slug, fiscal_year, revision)
    preview = edition_preview(edition)  # the document and its hash, cached by the edition's content version
    hash_now = preview["content_hash"]
    context = {"document_html": preview["html"], "doc": {"zone": {"name": preview["zone_name"]}},
               "document_title": preview["document_title"], "fiscal_year_label": preview["fiscal_year_label"],
               "authorities": preview["authorities"]}
    run, reason = (None, "") if edition.is_frozen else signable_run(edition, hash_now)
    status = signoff_status(edition, run.snapshot.content_hash if run else None)
    rules = rules_for(request.user)
    latest = mark_current(latest_run(edition), edition, hash_now)
    if latest is not None and latest.is_current and latest.findings and not edition.is_frozen:
        link_findings(edition, latest.findings, rules)
    context.update(
        edition=edition, run=latest, can_run_assembly=rules.run_assembly(edition),
        can_set_print_options=rules.set_print_options(edition),
        national_chart=national_score_chart(national_scores(edition.zone)),
        can_manage_members=bool(rules.managed_authority_ids([s["authority"].pk for s in status])),
        can_correct=rules.correct_edition(edition), workbook_downloads=download_choices(rules, edition),
        workbook_import=bool(import_authorities(rules, edition)),
        signable_run=run, signable_reason=reason, signoff_status=status, lost_signoffs=lost_signoffs(edition),
        **edition_buttons(rules, edition, run, reason, status), **yearly_panel(rules, edition),
    )
    return render(request, "reports/edition_detail.html", context)

