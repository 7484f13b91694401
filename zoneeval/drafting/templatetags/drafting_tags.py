"""Displaying stored item values on the drafting pages (formatting only)."""
from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from ...reports.sanitize import clean_html
from ...reports.templatetags.report_format import num

register = template.Library()


@register.filter
def field_value(item, field):
    if field.kind == "authorities":  # the co-authors named
        return format_html_join("、", "{}", ((link.authority.name,) for link in item.authority_links.all()
                                            if link.authority_id))
    if field.kind == "bodies":  # the partner bodies named
        return format_html_join("、", "{}", ((link.name,) for link in item.authority_links.all()
                                            if not link.authority_id))
    if field.name in ("bar_start", "bar_end"):
        bars = item.bars or []
        return bars[0]["start" if field.name == "bar_start" else "end"] if bars else ""
    if field.kind == "milestones":
        return "、".join(f"◆{m['month']} {m['label']}" for m in item.milestones)
    value = getattr(item, field.name)
    if field.kind == "rich":
        return mark_safe(clean_html(value or ""))
    if field.kind == "bool":
        return "有" if value else "無"
    if field.kind in ("amount", "count"):
        return "" if value is None else f"{num(value)}{field.unit}"
    if field.kind == "choice":
        return dict(field.choices).get(value, value)
    return value


@register.filter
def grid_rows(item, kind):
    """[(fiscal year, [values])] of an item's year grid."""
    if not kind.year_grid:
        return []
    rows = []
    for year in getattr(item, kind.year_grid.related_name).all():
        rows.append((year.fiscal_year, [num(getattr(year, f.name)) for f in kind.year_grid.fields]))
    return rows
