"""The validation rule catalogue. Each rule is a pure function of the assembled snapshot (interchange data with its
``derived`` block) returning findings; one rule a module. Errors block sign-off, warnings inform."""
from ...reports.figures import derive
from .annex3_totals import annex3_totals_agree
from .annex4_authorities import annex4_rows_name_coauthors
from .contributions import contributions_add_up
from .document_budget import document_within_budget
from .finding import ERROR, INFO, SEVERITY_LABELS, WARNING, Finding
from .part5_counts import part5_counts_agree
from .plan_goal import plan_goal_matches_yearly_targets
from .plan_period import inside_plan_period
from .required_parts import required_parts_complete
from .solution_targets import solutions_name_existing_targets
from .stated_progress import stated_progress_agrees
from .target_years import target_years_complete
from .text_figures import text_figures_agree

RULES = [
    document_within_budget,
    required_parts_complete,
    target_years_complete,
    stated_progress_agrees,
    text_figures_agree,
    plan_goal_matches_yearly_targets,
    annex3_totals_agree,
    contributions_add_up,
    inside_plan_period,
    solutions_name_existing_targets,
    annex4_rows_name_coauthors,
    part5_counts_agree,
]


def validate(snapshot: dict) -> list[Finding]:
    """Run every rule of the catalogue; errors first, then warnings, then information, each in document order."""
    if "derived" not in snapshot:
        snapshot = snapshot | {"derived": derive(snapshot)}
    findings = [finding for rule in RULES for finding in rule(snapshot)]
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: order.get(f.severity, 1))


__all__ = ["ERROR", "INFO", "RULES", "SEVERITY_LABELS", "WARNING", "Finding", "validate"]
