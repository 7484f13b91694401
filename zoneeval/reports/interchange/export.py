"""An edition as interchange data (the snapshot every reader uses: export, preview, validator, PDF)."""
from __future__ import annotations

import json

from django.db.models import Prefetch

from ..figures import derive, fmt
from ..models import (
    ActualFigure,
    CountRow,
    Edition,
    FiscalSupportRow,
    Indicator,
    Initiative,
    LocalMeasureRow,
    MeasureRow,
    NumericalTarget,
    Passage,
    RegulatoryProject,
    RegulatoryProposal,
    ScheduleProject,
    Solution,
    SpecialMeasureUse,
    SupportGroup,
    SupportSection,
    SurveyFinding,
    TargetYear,
)

FORMAT = "zoneeval/report"
FORMAT_VERSION = 1


def _passage(p: Passage) -> dict:
    return {"owner": p.owner.slug, "text": p.text}


def _findings(items) -> list[dict]:
    return [{"owner": f.owner.slug, "finding": f.finding, "response": f.response} for f in items]


def _amount(value):
    return fmt(value) if value is not None else None


class _EditionReader:
    """Loads everything of one edition with a fixed, small number of queries."""

    def __init__(self, edition: Edition):
        self.edition = edition
        passages: dict[str, list[Passage]] = {}
        for p in edition.passages.select_related("owner").order_by("slot", "order", "pk"):
            passages.setdefault(p.slot, []).append(p)
        self.passages = passages
        findings: dict[str, list[SurveyFinding]] = {}
        for f in edition.survey_findings.select_related("owner").order_by("order", "pk"):
            findings.setdefault(f.slot, []).append(f)
        self.findings = findings

    def passage(self, slot: str) -> dict:
        return _passage(self.passages[slot][0])

    def optional_passage(self, slot: str) -> dict | None:
        items = self.passages.get(slot)
        return _passage(items[0]) if items else None

    def passage_list(self, slot: str) -> list[dict]:
        return [_passage(p) for p in self.passages.get(slot, [])]


def edition_snapshot(edition: Edition, with_derived: bool = True) -> dict:
    edition = Edition.objects.select_related("zone", "coordinator").get(pk=edition.pk)
    reader = _EditionReader(edition)
    # What the edition prints about its zone and co-authors is its own (reports/printed.py), never the zone's today.
    snapshot = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "zone": {
            "slug": edition.zone.slug,
            "name": edition.zone_name,
            "kind": edition.zone_kind,
            "designation_date": edition.zone_designation_date.isoformat(),
            "first_approval_date": edition.zone_first_approval_date.isoformat(),
        },
        "authorities": [
            {"slug": c.authority.slug, "name": c.name, "kind": c.kind}
            for c in edition.coauthors.select_related("authority").order_by("order")
        ],
        "edition": {
            "fiscal_year": edition.fiscal_year,
            "coordinator": edition.coordinator.slug,
            "plan_period": {
                "first_fiscal_year": edition.plan_first_fiscal_year,
                "last_fiscal_year": edition.plan_last_fiscal_year,
            },
            "latest_approval_date": (
                edition.latest_approval_date.isoformat() if edition.latest_approval_date else None
            ),
        },
        "parts": {
            "part2": {
                "overview": reader.passage("part2.overview"),
                "goal": reader.passage("part2.goal"),
                "previous_evaluation": {
                    "label": edition.previous_evaluation_label,
                    "score": _amount(edition.previous_evaluation_score),
                    "comments": reader.passage("part2.previous_evaluation"),
                },
                "considerations": reader.passage("part2.considerations"),
            },
            "part3": {
                "indicators": _indicators(edition, reader),
                "contribution_approach": reader.passage("part3.contribution_approach"),
                "pathway": reader.passage("part3.pathway"),
                "solutions": _solutions(edition),
            },
            "part4": _part4(edition),
            "part5": _part5(edition, reader),
            "part6": {"passages": reader.passage_list("part6")},
            "part7": {"overall": reader.passage("part7.overall")},
            "annex1_2": {
                "projects": _schedule(edition),
                "notes": reader.passages["annex1_2.notes"][0].text if "annex1_2.notes" in reader.passages else "",
            },
            "annex2": _annex2(edition, reader),
            "annex3": _annex3(edition, reader),
            "annex4": _annex4(edition, reader),
        },
    }
    if edition.partner_bodies != Edition.PartnerBodies.ERROR:  # the default is left out (files of before)
        snapshot["edition"]["partner_bodies"] = edition.partner_bodies
    if edition.annex1_charts:  # the default (off) is left out: files of before stay as they were
        snapshot["edition"]["annex1_charts"] = True
    if with_derived:
        snapshot["derived"] = derive(snapshot)
    return snapshot


def _indicators(edition: Edition, reader: _EditionReader) -> list[dict]:
    years = TargetYear.objects.order_by("fiscal_year").prefetch_related(
        Prefetch("actuals", queryset=ActualFigure.objects.select_related("authority").order_by("order", "pk"))
    )
    targets = NumericalTarget.objects.select_related("owner").order_by("order", "pk").prefetch_related(
        Prefetch("years", queryset=years),
        Prefetch("survey_findings", queryset=SurveyFinding.objects.select_related("owner").order_by("order", "pk")),
    )
    indicators = Indicator.objects.filter(edition=edition).order_by("number").prefetch_related(
        Prefetch("targets", queryset=targets)
    )
    result = []
    for indicator in indicators:
        result.append({
            "number": indicator.number,
            "title": indicator.title,
            "targets": [_target(t) for t in indicator.targets.all()],
        })
    return result


def _target(t: NumericalTarget) -> dict:
    return {
        "code": t.code,
        "title": t.title,
        "kind": t.kind,
        "unit": t.unit,
        "plan_goal": _plan_goal(t),
        "baseline": (
            {"fiscal_year": t.baseline_fiscal_year, "value": fmt(t.baseline_value)}
            if t.baseline_value is not None else None
        ),
        "contribution": _amount(t.contribution),
        "owner": t.owner.slug,
        "years": [
            {
                "fiscal_year": y.fiscal_year,
                "target": _amount(y.target_value),
                "actuals": [{"authority": a.authority.slug, "value": fmt(a.value)} for a in y.actuals.all()],
                "stated_progress": y.stated_progress,
            }
            for y in t.years.all()
        ],
        "boxes": {
            "alternative": t.alternative,
            "approach": t.approach,
            "basis": t.basis,
            "self_evaluation": t.self_evaluation,
            "external_factors": t.external_factors,
        },
        "survey_findings": _findings(t.survey_findings.all()),
    }


def _plan_goal(t: NumericalTarget) -> dict | None:
    if t.plan_goal_value is None:
        return None
    goal = {"value": fmt(t.plan_goal_value), "unit": t.plan_goal_unit}
    if t.plan_goal_fiscal_year is not None:  # left out when not given (the cumulative goals of before)
        goal["fiscal_year"] = t.plan_goal_fiscal_year
    return goal


def _body(link) -> str | dict:
    """A body of a 別紙4 row's 自治体名: a co-author's slug, or a partner body by its name."""
    return link.authority.slug if link.authority_id else {"name": link.name}


def _solutions(edition: Edition) -> list[dict]:
    solutions = Solution.objects.filter(edition=edition).select_related("owner").order_by("number").prefetch_related(
        Prefetch("related_targets", queryset=NumericalTarget.objects.order_by("indicator__number", "order", "pk")),
        Prefetch("initiatives", queryset=Initiative.objects.select_related("owner").order_by("order", "pk")),
    )
    return [
        {
            "number": s.number,
            "owner": s.owner.slug,
            "related_targets": [t.code for t in s.related_targets.all()],
            "text": s.text,
            "initiatives": [
                {"owner": i.owner.slug, "heading": i.heading, "text": i.text, "expected": i.expected}
                for i in s.initiatives.all()
            ],
        }
        for s in solutions
    ]


def _part4(edition: Edition) -> dict:
    projects = RegulatoryProject.objects.filter(edition=edition).select_related("owner").order_by("order", "pk")
    return {
        kind: [{"owner": p.owner.slug, "title": p.title, "text": p.text} for p in projects if p.kind == value]
        for kind, value in (("specific_projects", "specific"), ("general_projects", "general"))
    } | {
        "proposals": [
            {
                "owner": p.owner.slug,
                "title": p.title,
                "consultation_period": p.consultation_period,
                "proposal": p.proposal,
                "result": p.result,
            }
            for p in RegulatoryProposal.objects.filter(edition=edition).select_related("owner").order_by("order", "pk")
        ]
    }


def _part5(edition: Edition, reader: _EditionReader) -> dict:
    sections = SupportSection.objects.filter(edition=edition).prefetch_related(
        Prefetch(
            "groups",
            queryset=SupportGroup.objects.order_by("order", "pk").prefetch_related("projects__owner"),
        )
    )
    result = {}
    for section in sections:
        result[section.kind] = {
            "stated_count": section.stated_count,
            "none_reason": reader.optional_passage(f"part5.{section.kind}.none_reason"),
            "groups": [
                {
                    "heading": g.heading,
                    "counts_this_year": g.counts_this_year,
                    "projects": [
                        {
                            "owner": p.owner.slug,
                            "title": p.title,
                            "overview": p.overview,
                            "usage": p.usage,
                            "independence": p.independence,
                        }
                        for p in sorted(g.projects.all(), key=lambda p: (p.order, p.pk))
                    ],
                }
                for g in section.groups.all()
            ],
        }
    return {kind: result[kind] for kind in ("fiscal", "tax", "financial")}


def _schedule(edition: Edition) -> list[dict]:
    projects = ScheduleProject.objects.filter(edition=edition).select_related("owner").order_by(
        "order", "pk"
    ).prefetch_related("items")
    return [
        {
            "solution": p.solution_number,
            "number": p.number,
            "title": p.title,
            "owner": p.owner.slug,
            "items": [
                {
                    "label": i.label,
                    "text": i.text,
                    # JSON columns do not keep key order on PostgreSQL (jsonb): write keys in schema order.
                    "bars": [{"start": b["start"], "end": b["end"]} for b in i.bars],
                    "milestones": [{"month": m["month"], "label": m["label"]} for m in i.milestones],
                }
                for i in sorted(p.items.all(), key=lambda i: (i.order, i.pk))
            ],
        }
        for p in projects
    ]


def _annex2(edition: Edition, reader: _EditionReader) -> dict:
    rows = MeasureRow.objects.filter(edition=edition).select_related("owner").order_by("order", "pk")

    def measure(r):
        return {
            "owner": r.owner.slug, "name": r.name, "related_targets": r.related_targets,
            "used": r.used, "remarks": r.remarks,
        }

    return {
        "special_measures": [
            {
                "owner": r.owner.slug, "name": r.name, "related_targets": r.related_targets,
                "ministry": r.ministry, "evaluation": r.evaluation, "remarks": r.remarks,
            }
            for r in SpecialMeasureUse.objects.filter(edition=edition).select_related("owner").order_by("order", "pk")
        ],
        "feasible_measures": [measure(r) for r in rows if r.kind == MeasureRow.Kind.FEASIBLE],
        "nationwide_measures": [measure(r) for r in rows if r.kind == MeasureRow.Kind.NATIONWIDE],
        "survey_findings": _findings(reader.findings.get("annex2", [])),
    }


def _annex3(edition: Edition, reader: _EditionReader) -> dict:
    fiscal = FiscalSupportRow.objects.filter(edition=edition).select_related("owner").order_by(
        "order", "pk"
    ).prefetch_related("years")
    counts = CountRow.objects.filter(edition=edition).select_related("owner").order_by(
        "order", "pk"
    ).prefetch_related("years")

    def fiscal_year(y):
        data = {
            "fiscal_year": y.fiscal_year,
            "requested": _amount(y.requested),
            "national": _amount(y.national),
            "local": _amount(y.local),
        }
        if y.has_stated_total:
            data["stated_total"] = _amount(y.stated_total)
        return data

    def count_row(r):
        data = {
            "owner": r.owner.slug, "name": r.name, "related_targets": r.related_targets, "remarks": r.remarks,
            "years": [{"fiscal_year": y.fiscal_year, "count": y.count} for y in r.years.all()],
        }
        if r.has_stated_cumulative:
            data["stated_cumulative"] = r.stated_cumulative
        return data

    return {
        "fiscal": [
            {
                "owner": r.owner.slug,
                "name": r.name,
                "related_targets": r.related_targets,
                "unit": r.unit,
                "ministry": r.ministry,
                "reference_number": r.reference_number,
                "adjustment_fund_used": r.adjustment_fund_used,
                "remarks": r.remarks,
                "years": [fiscal_year(y) for y in r.years.all()],
                "cumulative": {
                    "includes_prior_years": r.cumulative_includes_prior_years,
                    "since_fiscal_year": r.cumulative_since_fiscal_year,
                    "stated_requested": _amount(r.stated_cumulative_requested),
                    "stated_national": _amount(r.stated_cumulative_national),
                    "stated_local": _amount(r.stated_cumulative_local),
                    "stated_total": _amount(r.stated_cumulative_total),
                },
            }
            for r in fiscal
        ],
        "tax": [count_row(r) for r in counts if r.kind == "tax"],
        "financial": [count_row(r) for r in counts if r.kind == "financial"],
        "survey_findings": _findings(reader.findings.get("annex3", [])),
    }


def _annex4(edition: Edition, reader: _EditionReader) -> dict:
    rows = LocalMeasureRow.objects.filter(edition=edition).select_related("owner").order_by(
        "order", "pk"
    ).prefetch_related("authority_links__authority")
    tables: dict[str, list] = {t: [] for t in LocalMeasureRow.Table.values}
    for r in rows:
        tables[r.table].append({
            "owner": r.owner.slug,
            "authorities": [_body(link) for link in sorted(r.authority_links.all(), key=lambda x: x.order)],
            "name": r.name,
            "related_targets": r.related_targets,
            "result": r.result,
            "self_evaluation": r.self_evaluation,
        })
    return tables | {
        "structure": reader.passage("annex4.structure"),
        "private_sector": reader.passage("annex4.private_sector"),
        "survey_findings": _findings(reader.findings.get("annex4", [])),
    }


def national_evaluation_block(edition: Edition) -> dict | None:
    """The edition's national evaluation (国の評価) as the optional top-level ``national_evaluation`` block, or None.
    It is not report content: ``edition_snapshot`` (what is validated, rendered, hashed and signed) leaves it out."""
    from ..models import NationalEvaluation

    evaluation = NationalEvaluation.objects.filter(edition=edition).first()
    if evaluation is None:
        return None
    return {
        "progress_score": _amount(evaluation.progress_score),
        "support_score": _amount(evaluation.support_score),
        "overall_score": _amount(evaluation.overall_score),
        "result": evaluation.result,
        "comments": evaluation.comments,
    }


def export_document(edition: Edition, with_derived: bool = True) -> dict:
    """What ``export_report`` writes: the snapshot, and the national evaluation when one is recorded."""
    document = edition_snapshot(edition, with_derived=with_derived)
    block = national_evaluation_block(edition)
    if block is not None:
        document["national_evaluation"] = block
    return document


def to_json(snapshot: dict) -> str:
    """The canonical text of an export (UTF-8 characters kept, two-space indent)."""
    return json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n"
