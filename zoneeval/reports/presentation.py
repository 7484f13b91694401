"""Turns a snapshot into what the document templates print (labels, year columns, lookups).

The web preview and (later) the PDF use the same templates and this same context; nothing here computes a figure:
figures come from ``snapshot['derived']`` (see figures.py)."""
from . import era, gantt
from .anchors import target_anchor

# 別紙1's year columns print the full label (令和元年度) on one line when the plan has at most this many years: six
# columns of 6em beside the row labels still leave the two text columns of a portrait page about 8 characters each.
# A longer plan prints the short form (R1, H30), which always fits.
FULL_YEAR_LABELS_UP_TO = 6


def document_context(snapshot: dict) -> dict:
    edition = snapshot["edition"]
    first = edition["plan_period"]["first_fiscal_year"]
    last = edition["plan_period"]["last_fiscal_year"]
    kind = snapshot["zone"]["kind"]
    zone_kind_label = "国際戦略" if kind == "international" else "地域活性化"
    authorities = {a["slug"]: a["name"] for a in snapshot["authorities"]}
    derived = snapshot["derived"]
    targets = [
        {"indicator": indicator, "target": target, "figures": derived["targets"][target["code"]],
         "anchor": target_anchor(target["code"])}
        for indicator in snapshot["parts"]["part3"]["indicators"]
        for target in indicator["targets"]
    ]
    return {
        "doc": snapshot,
        "parts": snapshot["parts"],
        "derived": derived,
        "authorities": authorities,
        "coauthor_names": "、".join(a["name"] for a in snapshot["authorities"]),
        "fiscal_year": edition["fiscal_year"],
        "fiscal_year_label": era.fiscal_year_label(edition["fiscal_year"]),
        "plan_years": list(range(first, last + 1)),
        "plan_range_label": era.fiscal_year_range_label(first, last),
        "plan_year_count": last - first + 1,
        "target_year_heads": [
            era.fiscal_year_label(fy) if last - first + 1 <= FULL_YEAR_LABELS_UP_TO else era.fiscal_year_short_plain(fy)
            for fy in range(first, last + 1)
        ],
        "zone_kind_label": zone_kind_label,
        "document_title": f"{era.fiscal_year_label(edition['fiscal_year'])} {zone_kind_label}総合特別区域評価書",
        "target_sheets": targets,
        "schedule": gantt.schedule(snapshot),
        "fiscal_rows": list(zip(snapshot["parts"]["annex3"]["fiscal"], derived["annex3"]["fiscal"])),
        "tax_rows": list(zip(snapshot["parts"]["annex3"]["tax"], derived["annex3"]["tax"])),
        "financial_rows": list(zip(snapshot["parts"]["annex3"]["financial"], derived["annex3"]["financial"])),
    }
