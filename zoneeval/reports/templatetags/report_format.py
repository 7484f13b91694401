"""Template filters that print report figures the Japanese way. Formatting only; no figure is computed here."""
from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.safestring import mark_safe

from .. import era
from ..sanitize import clean_html

register = template.Library()


@register.filter
def wareki_fy(fiscal_year):
    """2019 → 令和元年度."""
    return era.fiscal_year_label(int(fiscal_year)) if fiscal_year not in (None, "") else ""


@register.filter
def wareki_fy_short(fiscal_year):
    """2019 → H31・R1 (schedule heads)."""
    return era.fiscal_year_short(int(fiscal_year)) if fiscal_year not in (None, "") else ""


@register.filter
def wareki_fy_letter(fiscal_year):
    """2019 → R1 (table heads)."""
    return era.fiscal_year_short_plain(int(fiscal_year)) if fiscal_year not in (None, "") else ""


@register.filter
def wareki_date(value):
    """'2011-12-22' → 平成23年12月22日."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return era.date_label(day)


@register.filter
def num(value, dash="-"):
    """'50666' → 50,666; '24.5' → 24.5; None → '-' (or the given placeholder)."""
    if value is None or value == "":
        return dash
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return value
    if d == d.to_integral_value():
        return f"{int(d):,}"
    integer, _, fraction = format(d.normalize(), "f").partition(".")
    return f"{int(integer):,}.{fraction}"


@register.filter
def percent(value):
    return "" if value is None else f"{value}%"


@register.filter
def rich(value):
    """Stored text is sanitised on the way in; sanitise again on the way out (defence in depth)."""
    return mark_safe(clean_html(value or ""))


@register.filter
def authority_names(slugs, authorities):
    """['kanagawa', 'yokohama'] + {slug: name} → '神奈川県 横浜市'."""
    return " ".join(authorities.get(s, s) for s in slugs)


@register.filter
def lookup(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def index(sequence, i):
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError):
        return None


@register.filter
def numbered_groups(groups):
    """Part 5 groups with their projects numbered 1, 2, 3… running across the groups of one section
    (①-1, ①-2 under the first group, ①-3 under the next): [(group, [(n, project), …]), …]. Numbering only."""
    numbered, n = [], 0
    for group in groups or []:
        projects = []
        for project in group.get("projects", []):
            n += 1
            projects.append((n, project))
        numbered.append((group, projects))
    return numbered


_WIDE_CODE = str.maketrans({"(": "（", ")": "）", "-": "－"})


@register.filter
def wide_code(code):
    """'(1)-①' → '（1）－①' (the body text prints target numbers with full-width brackets)."""
    return str(code or "").translate(_WIDE_CODE)
