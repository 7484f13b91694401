from ...reports.anchors import part_anchor
from ...reports.era import fiscal_year_label
from ...reports.figures import dec
from . import messages
from .finding import ERROR, Finding

LABELS = {"fiscal": "①財政支援の事業件数", "tax": "②税制支援の適用件数", "financial": "③金融支援の新規契約件数"}


def part5_counts_agree(snapshot: dict) -> list[Finding]:
    """The counts stated in part 5 (事業件数, 適用件数, 新規契約件数) agree with the projects listed under headings that
    count this year, and with 別紙3's figures for the year (fiscal rows with a national budget, tax and financial
    counts)."""
    fiscal_year = snapshot["edition"]["fiscal_year"]
    counts = snapshot["derived"]["counts"]["part5"]
    annex3 = snapshot["parts"]["annex3"]
    derived3 = snapshot["derived"]["annex3"]
    coordinator = snapshot["edition"]["coordinator"]
    findings = []
    for kind, label in LABELS.items():
        stated = counts[kind]["stated"]
        path = f"$.parts.part5.{kind}.stated_count"
        if stated != counts[kind]["counting_this_year"]:
            findings.append(Finding("part5_counts_agree", ERROR, messages.PART5_COUNT.format(
                label=label, stated=stated, listed=counts[kind]["counting_this_year"]), "part5", path,
                part_anchor("part5"), coordinator))
        if kind == "fiscal":
            in_annex3 = sum(
                1 for row in annex3["fiscal"] for y in row["years"]
                if y["fiscal_year"] == fiscal_year and (dec(y["national"]) or 0) > 0
            )
        else:
            in_annex3 = sum(r["this_year"] or 0 for r in derived3[kind])
        if stated != in_annex3:
            findings.append(Finding("part5_counts_agree", ERROR, messages.PART5_COUNT_ANNEX3.format(
                label=label, stated=stated, year=fiscal_year_label(fiscal_year), annex3=in_annex3), "part5", path,
                part_anchor("part5"), coordinator))
    return findings
