"""Drafting pages (server-rendered, HTMX). Thin: permissions in reports/permissions.py, writes in services.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..authorities.models import Authority
from ..authorities.rules import require, rules_for
from ..errors import refusal
from ..reports import charts
from ..reports import models as m
from ..reports.figures import derive
from ..reports.interchange.export import edition_snapshot
from ..reports.permissions import viewable_edition_or_refuse
from . import services
from .diffs import revision_diff
from .forms import ItemForm, YearTableForm
from .models import Part
from .registry import KINDS, SECTION_LABELS, kind_of
from .selectors import creation_options, parts_of, section_rows


def _edition(request, zone_slug, fiscal_year):
    return viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)


def _item(request, kind_key, pk):
    kind = KINDS.get(kind_key)
    if kind is None:
        raise Http404
    item = get_object_or_404(kind.model, pk=pk)
    edition = services.edition_of(item)
    require(rules_for(request.user).view_edition(edition))
    return kind, item, edition


def _section_url(edition, section):
    return reverse("drafting:section", args=[edition.zone.slug, edition.fiscal_year, section])


@login_required
def dashboard(request, zone_slug, fiscal_year):
    edition = _edition(request, zone_slug, fiscal_year)
    return render(request, "drafting/dashboard.html", {
        "edition": edition, "parts": parts_of(edition), "sections": SECTION_LABELS,
        "editing_for": rules_for(request.user).editing_for_edition(edition),
    })


@login_required
def section(request, zone_slug, fiscal_year, section):
    edition = _edition(request, zone_slug, fiscal_year)
    if section not in SECTION_LABELS:
        raise Http404
    rows = section_rows(request.user, edition, section)
    from ..workflow.selectors import annotate_part_actions

    parts = annotate_part_actions(request.user, [p for p in parts_of(edition) if p.section == section])
    editing_for = rules_for(request.user).editing_for_edition(edition)
    mine = [p for p in parts if p.authority_id in editing_for]
    return render(request, "drafting/section.html", {
        "edition": edition, "section": section, "section_label": SECTION_LABELS[section], "rows": rows,
        "create_options": creation_options(request.user, edition, section), "parts": parts, "my_parts": mine,
    })


def _form_context(kind, item, edition, form, conflict=None):
    return {"kind": kind, "item": item, "edition": edition, "form": form, "conflict": conflict,
            "owner": kind.owner_of(item), "section": kind.section_of(item), "label": kind.label_of(item)}


@login_required
def item_edit(request, kind_key, pk):
    kind, item, edition = _item(request, kind_key, pk)
    require(rules_for(request.user).edit_item(kind.permission_object(item), edition))
    owner_slug = kind.owner_of(item).slug
    if request.method == "POST":
        form = ItemForm(request.POST, kind=kind, edition=edition, owner_slug=owner_slug)
        if form.is_valid():
            version = form.cleaned_data.get("version") or 0
            try:
                services.update_item(request.user, item, form.cleaned_data, version)
            except services.StaleEdit as stale:
                conflict = [revision_diff(r) for r in stale.revisions]
                return render(request, "drafting/_item_form.html",
                              _form_context(kind, item, edition, form, conflict), status=409)
            if request.headers.get("HX-Request"):
                return _row_response(request, kind, type(item).objects.get(pk=item.pk), edition)
            return redirect(_section_url(edition, kind.section_of(item)))
        return render(request, "drafting/_item_form.html", _form_context(kind, item, edition, form), status=422)
    initial = services.item_state(item)
    initial = {**{f"y{k.split(':')[0]}_{k.split(':')[1]}": _cell(v) for k, v in initial.items() if ":" in k},
               **{k: v for k, v in initial.items() if ":" not in k}, "version": item.version}
    form = ItemForm(initial=initial, kind=kind, edition=edition, owner_slug=owner_slug)
    return render(request, "drafting/_item_form.html", _form_context(kind, item, edition, form))


def _cell(value):
    return "-" if value is None else value


def _row_response(request, kind, item, edition):
    from .selectors import Row

    target = kind.permission_object(item)
    rules = rules_for(request.user)
    row = Row(kind=kind, item=item, label=kind.label_of(item), owner=target.owner,
              can_change=bool(rules.edit_item(target, edition)),
              can_delete=bool(rules.edit_item(target, edition) if kind.parent_attr
                              else rules.delete_item(item, edition)))
    response = render(request, "drafting/_row.html", {"row": row, "edition": edition})
    response.content += _part_panel_oob(request, services.part_of(item), edition)
    return response


def _part_panel_oob(request, part, edition) -> bytes:
    """The part's panel again, swapped out of band: the edit moved the part's version (and maybe its state), so the
    panel's buttons must carry the new one — else the next 審査を依頼 would be refused as stale."""
    from django.template.loader import render_to_string

    from ..workflow.selectors import annotate_part_actions

    part = annotate_part_actions(request.user, [type(part).objects.select_related(
        "authority", "last_editor", "edition__zone").get(pk=part.pk)])[0]
    return render_to_string("workflow/_part_panel.html", {"part": part, "edition": edition, "oob": True},
                            request=request).encode()


@login_required
@require_POST
def item_create(request, zone_slug, fiscal_year, kind_key):
    edition = _edition(request, zone_slug, fiscal_year)
    kind = KINDS.get(kind_key)
    if kind is None or not kind.creatable:
        raise Http404
    owner = Authority.objects.filter(slug=request.POST.get("owner", "")).first()
    if kind.parent_attr:
        parent = kind.model._meta.get_field(kind.parent_attr).related_model.objects.filter(
            pk=request.POST.get("parent")).first()
        owner_slug = parent.owner.slug if parent else None
    else:
        owner_slug = owner.slug if owner else None
    form = ItemForm(request.POST, kind=kind, edition=edition, owner_slug=owner_slug)
    if not form.is_valid():
        return render(request, "drafting/_create_form.html",
                      {"kind": kind, "edition": edition, "form": form, "container": request.POST.get("container", ""),
                       "owner": owner, "parent": request.POST.get("parent", "")}, status=422)
    item = services.create_item(request.user, kind, edition, request.POST.get("container", ""), owner,
                                form.cleaned_data, parent_id=request.POST.get("parent"))
    messages.success(request, f"「{kind.label_of(item)}」を追加しました。")
    # a query of its own, so that the browser loads the page even when it is already on the section page
    url = _section_url(edition, kind.section_of(item)) + f"?added={item.pk}#item-{kind.key}-{item.pk}"
    if request.headers.get("HX-Request"):  # the whole section page shows the new item in its place
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
def item_new(request, zone_slug, fiscal_year, kind_key):
    """An empty form for a new item (opened by an 'add' button)."""
    edition = _edition(request, zone_slug, fiscal_year)
    kind = KINDS.get(kind_key)
    if kind is None or not kind.creatable:
        raise Http404
    owner = Authority.objects.filter(slug=request.GET.get("owner", "")).first()
    form = ItemForm(kind=kind, edition=edition, initial={"authorities": [owner.slug] if owner else []})
    return render(request, "drafting/_create_form.html", {
        "kind": kind, "edition": edition, "form": form, "container": request.GET.get("container", ""),
        "owner": owner, "parent": request.GET.get("parent", "")})


@login_required
@require_POST
def item_preview(request, kind_key, pk):
    """a+b, 累計 of a 別紙3 row as the user types (nothing is saved)."""
    from ..reports.figures import count_row_figures, fiscal_row_figures

    kind, item, edition = _item(request, kind_key, pk)
    if kind.year_grid is None:
        raise Http404
    form = ItemForm(request.POST, kind=kind, edition=edition, owner_slug=kind.owner_of(item).slug)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    years = []
    for fy in edition.plan_years:
        values = {f.name: cleaned.get(f"y{fy}_{f.name}", "") for f in kind.year_grid.fields}
        if all(v == "" for v in values.values()):
            continue
        years.append({"fiscal_year": fy, **{k: (None if v in ("", None) else str(v)) for k, v in values.items()}})
    if kind.model is m.FiscalSupportRow:
        figures = fiscal_row_figures({"name": item.name, "years": years, "cumulative": {
            "includes_prior_years": item.cumulative_includes_prior_years,
            "stated_requested": item.stated_cumulative_requested, "stated_national": item.stated_cumulative_national,
            "stated_local": item.stated_cumulative_local}})
    else:
        figures = count_row_figures({"name": item.name, "years": [
            {"fiscal_year": y["fiscal_year"], "count": None if y["count"] is None else int(y["count"])} for y in years]},
            edition.fiscal_year)
    return render(request, "drafting/_grid_figures.html", {"figures": figures, "fiscal": kind.model is m.FiscalSupportRow})


@login_required
@require_POST
def item_delete(request, kind_key, pk):
    kind, item, edition = _item(request, kind_key, pk)
    section = kind.section_of(item)
    part = services.part_of(item)
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = 0
    try:
        services.delete_item(request.user, item, version)
    except services.StaleEdit:
        return refusal(request, "この項目は他の人が更新しました。読み込み直して内容を確認してから削除してください。", 409)
    if request.headers.get("HX-Request"):  # the row goes; its part's panel shows the new version and state
        return HttpResponse(_part_panel_oob(request, part, edition))
    return redirect(_section_url(edition, section))


@login_required
def target_years(request, pk):
    target = get_object_or_404(m.NumericalTarget.objects.select_related("indicator__edition", "owner"), pk=pk)
    edition = target.indicator.edition
    rules = rules_for(request.user)
    require(rules.view_edition(edition))
    can_targets = bool(rules.edit_item(target, edition))
    # The authority whose 実績値 the user enters: the one asked for, else the target's owner, else their first
    # (of those the rules let them enter for: for a level target only its owner, once for the zone).
    choices = _actual_authorities(rules, target, edition)
    wanted = request.POST.get("authority") or request.GET.get("authority")
    authority = next((a for a in choices if a.slug == wanted), choices[0] if choices else None)
    conflict = None
    status = 200
    if request.method == "POST":
        form = YearTableForm(request.POST, edition=edition, can_edit_targets=can_targets, actual_authority=authority,
                             zone_figure=target.has_zone_figure)
        if not (can_targets or authority):
            raise PermissionDenied("この数値目標を編集する権限がありません。")
        if form.is_valid():
            try:
                services.save_year_table(request.user, target, form.targets(), form.actuals(), authority,
                                         form.cleaned_data["version"])
                return redirect(reverse("drafting:target_years", args=[target.pk]) + "?saved=1")
            except services.StaleEdit as stale:
                conflict, status = [revision_diff(r) for r in stale.revisions], 409
        else:
            status = 422
    else:
        form = YearTableForm(initial=_year_initial(target, authority), edition=edition, can_edit_targets=can_targets,
                             actual_authority=authority, zone_figure=target.has_zone_figure)
    return render(request, "drafting/target_years.html", {
        "target": target, "edition": edition, "form": form, "authority": authority, "conflict": conflict,
        "table": _year_table(target, edition, form if request.method == "POST" else None, authority),
        "saved": request.GET.get("saved"), "can_edit": can_targets or authority is not None,
    }, status=status)


@login_required
@require_POST
def target_years_preview(request, pk):
    """Computed figures for what the user has typed so far (nothing is saved)."""
    target = get_object_or_404(m.NumericalTarget.objects.select_related("indicator__edition", "owner"), pk=pk)
    edition = target.indicator.edition
    rules = rules_for(request.user)
    require(rules.view_edition(edition))
    wanted = request.POST.get("authority", "")
    authority = next((a for a in _actual_authorities(rules, target, edition) if a.slug == wanted), None)
    form = YearTableForm(request.POST, edition=edition, can_edit_targets=bool(rules.edit_item(target, edition)),
                         actual_authority=authority, zone_figure=target.has_zone_figure)
    form.is_valid()
    return render(request, "drafting/_year_figures.html",
                  {"table": _year_table(target, edition, form, authority), "edition": edition})


def _actual_authorities(rules, target, edition) -> list:
    """The co-authors whose 実績値 of ``target`` the user may enter, the target's owner first."""
    mine = Authority.objects.filter(pk__in=rules.editing_for_edition(edition))
    return sorted((a for a in mine if rules.enter_actual(target, a.pk, edition)), key=lambda a: a.pk != target.owner_id)


def _year_initial(target, authority):
    initial = {"version": target.version}
    for year in target.years.prefetch_related("actuals"):
        initial[f"target_{year.fiscal_year}"] = year.target_value
        for actual in year.actuals.all():
            if authority and actual.authority_id == authority.pk:
                initial[f"actual_{year.fiscal_year}"] = actual.value
    return initial


def _year_table(target, edition, form, authority):
    """The year rows with the zone totals and 進捗度 computed from stored figures, overlaid with what the form
    holds (so the computed figures follow the user's typing)."""
    snapshot = edition_snapshot(edition, with_derived=False)
    code = target.code
    target_data = next(t for i in snapshot["parts"]["part3"]["indicators"] for t in i["targets"] if t["code"] == code)
    if form is not None and form.is_bound:
        cleaned = getattr(form, "cleaned_data", {})
        years = {y["fiscal_year"]: y for y in target_data["years"]}
        for fy in edition.plan_years:
            year = years.setdefault(fy, {"fiscal_year": fy, "target": None, "actuals": []})
            if f"target_{fy}" in cleaned:
                value = cleaned[f"target_{fy}"]
                year["target"] = None if value is None else str(value)
            if authority is not None and f"actual_{fy}" in cleaned:
                year["actuals"] = [a for a in year["actuals"] if a["authority"] != authority.slug]
                if cleaned[f"actual_{fy}"] is not None:
                    year["actuals"].append({"authority": authority.slug, "value": str(cleaned[f"actual_{fy}"])})
        target_data["years"] = sorted(years.values(), key=lambda y: y["fiscal_year"])
    figures = derive(snapshot)["targets"][code]
    names = {a["slug"]: a["name"] for a in snapshot["authorities"]}
    rows = []
    by_year = {y["fiscal_year"]: y for y in target_data["years"]}
    for year in figures["years"]:
        raw = by_year.get(year["fiscal_year"], {"actuals": []})
        rows.append({**year, "parts": [(names.get(a["authority"], a["authority"]), a["value"]) for a in raw["actuals"]]})
    # a level target: one zone figure (no per-authority column), no cumulative row
    chart = charts.target_chart(target_data, figures, edition.plan_first_fiscal_year, edition.plan_last_fiscal_year,
                                edition.fiscal_year, table_note="数値は下の計算結果の表のとおり")
    return {"rows": rows, "figures": figures, "unit": target.unit, "zone_figure": target.has_zone_figure,
            "cumulative": not target.has_zone_figure, "chart": chart}


@login_required
def part_history(request, part_id):
    part = get_object_or_404(Part.objects.select_related("edition__zone", "authority"), pk=part_id)
    require(rules_for(request.user).view_edition(part.edition))
    revisions = part.revisions.select_related("user")[:200]
    return render(request, "drafting/history.html", {
        "part": part, "edition": part.edition, "entries": [revision_diff(r) for r in revisions]})


@login_required
@require_POST
def presence(request, part_id):
    part = get_object_or_404(Part.objects.select_related("edition"), pk=part_id)
    require(rules_for(request.user).view_edition(part.edition))
    others = services.mark_present(request.user, part)
    return render(request, "drafting/_presence.html", {"others": others, "part": part})


__all__ = ["dashboard", "section", "item_edit", "item_create", "item_new", "item_delete", "target_years",
           "target_years_preview", "part_history", "presence", "kind_of"]
