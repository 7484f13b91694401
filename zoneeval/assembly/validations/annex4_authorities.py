from ...reports.anchors import row_anchor
from . import messages
from .finding import ERROR, Finding

TABLES = ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")
RULE = "annex4_rows_name_coauthors"


def annex4_rows_name_coauthors(snapshot: dict) -> list[Finding]:
    """Every 別紙4 row names (自治体名) one or more bodies; a body that is not a co-author of the edition (a partner
    body written by its name, or a slug no longer among the co-authors) is reported by its name, at the severity the
    edition decides (``edition.partner_bodies``: error when partner bodies are not allowed — the default —, else
    warning or info)."""
    names = {a["slug"]: a["name"] for a in snapshot["authorities"]}
    severity = snapshot["edition"].get("partner_bodies", ERROR)
    allowed = "" if severity == ERROR else messages.ANNEX4_PARTNER_ALLOWED
    findings = []
    for table in TABLES:
        for index, row in enumerate(snapshot["parts"]["annex4"][table]):
            path, anchor = f"$.parts.annex4.{table}[{index}].authorities", row_anchor(f"annex4-{table}", index)
            if not row["authorities"]:
                findings.append(Finding(RULE, ERROR, messages.ANNEX4_NO_AUTHORITY.format(name=row["name"]), "annex4",
                                        path, anchor, row["owner"]))
            for position, body in enumerate(row["authorities"]):
                if isinstance(body, str) and body in names:
                    continue
                if isinstance(body, str):  # a slug that is not (or no longer) a co-author: never allowed
                    body_name, body_severity, note = body, ERROR, ""
                else:
                    body_name, body_severity, note = body["name"], severity, allowed
                findings.append(Finding(RULE, body_severity,
                                        messages.ANNEX4_NOT_COAUTHOR.format(name=row["name"], body=body_name) + note,
                                        "annex4", f"{path}[{position}]", anchor, row["owner"]))
    return findings
