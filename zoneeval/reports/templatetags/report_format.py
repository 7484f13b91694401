"""Template filters that print report figures the Japanese way. Formatting only; no figure is computed here."""
from datetime import date, datetime

from django import template
from django.utils.safestring import mark_safe

from .. import era
from ..input import display_amount
from ..sanitize import clean_html, typed_bullets_as_lists

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
def wareki(value, arg=""):
    """The one way the UI prints a moment or a day: a datetime → 令和元年11月29日 13:19 in local time (the site's
    TIME_ZONE, Asia/Tokyo); ``wareki:"seconds"`` adds the seconds; a date → 令和元年11月29日; None → ''."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return era.datetime_label(value, seconds=arg == "seconds")
    return era.date_label(value)


@register.filter
def num(value, dash="-"):
    """'50666' → 50,666; '24.5' → 24.5; Decimal('5.0000') → 5; None → '-' (or the given placeholder)."""
    if value is None or value == "":
        return dash
    return display_amount(value)


@register.filter
def percent(value):
    return "" if value is None else f"{value}%"


@register.filter
def rich(value):
    """Stored text is sanitised on the way in; sanitise again on the way out (defence in depth). Bullets typed as
    text are shown as list items (one bullet style in the document)."""
    return mark_safe(typed_bullets_as_lists(clean_html(value or "")))


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
