from ...reports.anchors import row_anchor
from . import messages
from .finding import ERROR, Finding

TABLES = ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")


def annex4_rows_name_coauthors(snapshot: dict) -> list[Finding]:
    """Every 別紙4 row names (自治体名) one or more co-authors of the edition."""
    coauthors = {a["slug"] for a in snapshot["authorities"]}
    findings = []
    for table in TABLES:
        for index, row in enumerate(snapshot["parts"]["annex4"][table]):
            path, anchor = f"$.parts.annex4.{table}[{index}].authorities", row_anchor(f"annex4-{table}", index)
            if not row["authorities"]:
                findings.append(Finding("annex4_rows_name_coauthors", ERROR,
                                        messages.ANNEX4_NO_AUTHORITY.format(name=row["name"]), "annex4", path, anchor,
                                        row["owner"]))
            for slug in row["authorities"]:
                if slug not in coauthors:
                    findings.append(Finding("annex4_rows_name_coauthors", ERROR,
                                            messages.ANNEX4_NOT_COAUTHOR.format(name=row["name"], slug=slug),
                                            "annex4", path, anchor, row["owner"]))
    return findings
