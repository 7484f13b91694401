"""Writes a checked interchange document into the database, whole or not at all."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from ...authorities.models import Authority
from ..models import (
    ActualFigure,
    CoAuthor,
    CountRow,
    CountYear,
    Edition,
    FiscalSupportRow,
    FiscalSupportYear,
    Indicator,
    Initiative,
    LocalMeasureAuthority,
    LocalMeasureRow,
    MeasureRow,
    NumericalTarget,
    Passage,
    RegulatoryProject,
    RegulatoryProposal,
    ScheduleItem,
    ScheduleProject,
    Solution,
    SpecialMeasureUse,
    SupportGroup,
    SupportProject,
    SupportSection,
    SurveyFinding,
    TargetYear,
    Zone,
)
from ..permissions import grant_edition
from ..sanitize import clean_html
from .checks import Problem, problems_in


class ImportRefused(Exception):
    """The document was refused; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value) -> date | None:
    return None if value is None else date.fromisoformat(value)


def import_document(document: dict, replace: bool = False) -> Edition:
    """Check ``document`` and write it as an edition. Raises ImportRefused (nothing written) on any problem."""
    problems = problems_in(document)
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        authorities = _authorities(document)
        zone = _zone(document["zone"])
        fiscal_year = document["edition"]["fiscal_year"]
        existing = Edition.objects.select_for_update().filter(zone=zone, fiscal_year=fiscal_year).first()
        if existing is not None:
            if not replace:
                raise ImportRefused([Problem(
                    "$.edition.fiscal_year",
                    f"{zone.slug} の {fiscal_year} 年度の評価書は既にあります。置き換えるには --replace を指定してください "
                    f"(the edition exists; use --replace)",
                )])
            if existing.is_frozen:
                raise ImportRefused([Problem("$.edition.fiscal_year", "提出済みの評価書は置き換えられません "
                                                                       "(a submitted edition is never replaced)")])
            if existing.audit_entries.exists():
                raise ImportRefused([Problem("$.edition.fiscal_year", "この評価書には作業の記録（監査ログ）があるため置き換えられません "
                                                                       "(the edition has an audit log; it is never deleted)")])
            existing.delete()
        edition = _EditionWriter(document, zone, authorities).write()
        grant_edition(edition)  # bulk creates bypass the signals that grant permissions item by item
        from ...drafting.services import ensure_parts

        ensure_parts(edition)  # every (section, owner) becomes a part to draft and review
        return edition


def _authorities(document: dict) -> dict[str, Authority]:
    result = {}
    problems = []
    for index, data in enumerate(document["authorities"]):
        authority, created = Authority.objects.get_or_create(
            slug=data["slug"], defaults={"name": data["name"], "kind": data["kind"]}
        )
        if not created and (authority.name, authority.kind) != (data["name"], data["kind"]):
            problems.append(Problem(
                f"$.authorities[{index}]",
                f"'{data['slug']}' は既に '{authority.name}' ({authority.kind}) として登録されています "
                f"(an authority with this slug exists under another name)",
            ))
        result[data["slug"]] = authority
    if problems:
        raise ImportRefused(problems)
    return result


def _zone(data: dict) -> Zone:
    zone, _ = Zone.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "name": data["name"],
            "kind": data["kind"],
            "designation_date": _date(data["designation_date"]),
            "first_approval_date": _date(data["first_approval_date"]),
        },
    )
    return zone


class _EditionWriter:
    def __init__(self, document: dict, zone: Zone, authorities: dict[str, Authority]):
        self.doc = document
        self.zone = zone
        self.auth = authorities
        self.edition: Edition | None = None
        self.targets: dict[str, NumericalTarget] = {}

    def write(self) -> Edition:
        data = self.doc["edition"]
        parts = self.doc["parts"]
        previous = parts["part2"]["previous_evaluation"]
        self.edition = Edition.objects.create(
            zone=self.zone,
            fiscal_year=data["fiscal_year"],
            coordinator=self.auth[data["coordinator"]],
            plan_first_fiscal_year=data["plan_period"]["first_fiscal_year"],
            plan_last_fiscal_year=data["plan_period"]["last_fiscal_year"],
            latest_approval_date=_date(data["latest_approval_date"]),
            previous_evaluation_label=previous["label"],
            previous_evaluation_score=_d(previous["score"]),
            # what this edition prints about its zone and co-authors is its own (reports/printed.py)
            zone_name=self.doc["zone"]["name"],
            zone_kind=self.doc["zone"]["kind"],
            zone_designation_date=_date(self.doc["zone"]["designation_date"]),
            zone_first_approval_date=_date(self.doc["zone"]["first_approval_date"]),
        )
        CoAuthor.objects.bulk_create(
            CoAuthor(edition=self.edition, authority=self.auth[a["slug"]], order=i, name=a["name"], kind=a["kind"])
            for i, a in enumerate(self.doc["authorities"])
        )
        self._part2(parts["part2"])
        self._part3(parts["part3"])
        self._part4(parts["part4"])
        self._part5(parts["part5"])
        for order, passage in enumerate(parts["part6"]["passages"]):
            self._passage("part6", passage, order)
        self._passage("part7.overall", parts["part7"]["overall"])
        self._schedule(parts["annex1_2"])
        self._annex2(parts["annex2"])
        self._annex3(parts["annex3"])
        self._annex4(parts["annex4"])
        return self.edition

    # helpers
    def _passage(self, slot: str, data: dict, order: int = 0) -> None:
        Passage.objects.create(
            edition=self.edition, slot=slot, order=order, owner=self.auth[data["owner"]], text=clean_html(data["text"])
        )

    def _findings(self, slot: str, items: list[dict], target: NumericalTarget | None = None) -> None:
        SurveyFinding.objects.bulk_create(
            SurveyFinding(
                edition=self.edition, slot=slot, target=target, order=i, owner=self.auth[f["owner"]],
                finding=clean_html(f["finding"]), response=clean_html(f["response"]),
            )
            for i, f in enumerate(items)
        )

    # parts
    def _part2(self, part: dict) -> None:
        self._passage("part2.overview", part["overview"])
        self._passage("part2.goal", part["goal"])
        self._passage("part2.previous_evaluation", part["previous_evaluation"]["comments"])
        self._passage("part2.considerations", part["considerations"])

    def _part3(self, part: dict) -> None:
        for indicator_data in part["indicators"]:
            indicator = Indicator.objects.create(
                edition=self.edition, number=indicator_data["number"], title=indicator_data["title"]
            )
            for order, t in enumerate(indicator_data["targets"]):
                self._target(indicator, t, order)
        self._passage("part3.contribution_approach", part["contribution_approach"])
        self._passage("part3.pathway", part["pathway"])
        for order, s in enumerate(part["solutions"]):
            solution = Solution.objects.create(
                edition=self.edition, number=s["number"], order=order, owner=self.auth[s["owner"]],
                text=clean_html(s["text"]),
            )
            solution.related_targets.set([self.targets[code] for code in s["related_targets"]])
            Initiative.objects.bulk_create(
                Initiative(
                    solution=solution, order=i, owner=self.auth[x["owner"]], heading=x["heading"],
                    text=clean_html(x["text"]), expected=x["expected"],
                )
                for i, x in enumerate(s["initiatives"])
            )

    def _target(self, indicator: Indicator, t: dict, order: int) -> None:
        goal, baseline, boxes = t.get("plan_goal"), t.get("baseline"), t["boxes"]
        target = NumericalTarget.objects.create(
            indicator=indicator, order=order, owner=self.auth[t["owner"]], code=t["code"], title=t["title"],
            kind=t["kind"], unit=t["unit"],
            plan_goal_value=_d(goal["value"]) if goal else None, plan_goal_unit=goal["unit"] if goal else "",
            baseline_fiscal_year=baseline["fiscal_year"] if baseline else None,
            baseline_value=_d(baseline["value"]) if baseline else None,
            contribution=_d(t.get("contribution")),
            **{name: clean_html(boxes[name]) for name in
               ("alternative", "approach", "basis", "self_evaluation", "external_factors")},
        )
        self.targets[t["code"]] = target
        for y in t["years"]:
            year = TargetYear.objects.create(
                target=target, fiscal_year=y["fiscal_year"], target_value=_d(y["target"]),
                stated_progress=y.get("stated_progress"),
            )
            ActualFigure.objects.bulk_create(
                ActualFigure(target_year=year, authority=self.auth[a["authority"]], value=_d(a["value"]), order=i)
                for i, a in enumerate(y["actuals"])
            )
        self._findings("annex1", t.get("survey_findings", []), target=target)

    def _part4(self, part: dict) -> None:
        order = 0
        for kind, key in (("specific", "specific_projects"), ("general", "general_projects")):
            for p in part[key]:
                RegulatoryProject.objects.create(
                    edition=self.edition, kind=kind, order=order, owner=self.auth[p["owner"]], title=p["title"],
                    text=clean_html(p["text"]),
                )
                order += 1
        RegulatoryProposal.objects.bulk_create(
            RegulatoryProposal(
                edition=self.edition, order=i, owner=self.auth[p["owner"]], title=p["title"],
                consultation_period=p["consultation_period"], proposal=clean_html(p["proposal"]),
                result=clean_html(p["result"]),
            )
            for i, p in enumerate(part["proposals"])
        )

    def _part5(self, part: dict) -> None:
        for kind in ("fiscal", "tax", "financial"):
            data = part[kind]
            section = SupportSection.objects.create(edition=self.edition, kind=kind, stated_count=data["stated_count"])
            if data["none_reason"] is not None:
                self._passage(f"part5.{kind}.none_reason", data["none_reason"])
            for g_order, g in enumerate(data["groups"]):
                group = SupportGroup.objects.create(
                    section=section, order=g_order, heading=g["heading"], counts_this_year=g["counts_this_year"]
                )
                SupportProject.objects.bulk_create(
                    SupportProject(
                        group=group, order=i, owner=self.auth[p["owner"]], title=p["title"],
                        overview=clean_html(p["overview"]), usage=clean_html(p["usage"]),
                        independence=clean_html(p["independence"]),
                    )
                    for i, p in enumerate(g["projects"])
                )

    def _schedule(self, annex: dict) -> None:
        for order, p in enumerate(annex["projects"]):
            project = ScheduleProject.objects.create(
                edition=self.edition, order=order, owner=self.auth[p["owner"]], solution_number=p["solution"],
                number=p["number"], title=p["title"],
            )
            ScheduleItem.objects.bulk_create(
                ScheduleItem(
                    project=project, order=i, label=item["label"], text=item["text"], bars=item["bars"],
                    milestones=item["milestones"],
                )
                for i, item in enumerate(p["items"])
            )
        if annex["notes"]:
            Passage.objects.create(
                edition=self.edition, slot="annex1_2.notes", owner=self.edition.coordinator,
                text=clean_html(annex["notes"]),
            )

    def _annex2(self, annex: dict) -> None:
        SpecialMeasureUse.objects.bulk_create(
            SpecialMeasureUse(
                edition=self.edition, order=i, owner=self.auth[r["owner"]], name=r["name"],
                related_targets=r["related_targets"], ministry=r["ministry"], evaluation=r["evaluation"],
                remarks=clean_html(r["remarks"]),
            )
            for i, r in enumerate(annex["special_measures"])
        )
        rows = [("feasible", r) for r in annex["feasible_measures"]] + [
            ("nationwide", r) for r in annex["nationwide_measures"]
        ]
        MeasureRow.objects.bulk_create(
            MeasureRow(
                edition=self.edition, kind=kind, order=i, owner=self.auth[r["owner"]], name=r["name"],
                related_targets=r["related_targets"], used=r["used"], remarks=clean_html(r["remarks"]),
            )
            for i, (kind, r) in enumerate(rows)
        )
        self._findings("annex2", annex["survey_findings"])

    def _annex3(self, annex: dict) -> None:
        for order, r in enumerate(annex["fiscal"]):
            cumulative = r["cumulative"]
            row = FiscalSupportRow.objects.create(
                edition=self.edition, order=order, owner=self.auth[r["owner"]], name=r["name"],
                related_targets=r["related_targets"], unit=r["unit"], ministry=r["ministry"],
                reference_number=r["reference_number"], adjustment_fund_used=r["adjustment_fund_used"],
                remarks=clean_html(r["remarks"]),
                cumulative_includes_prior_years=cumulative["includes_prior_years"],
                cumulative_since_fiscal_year=cumulative.get("since_fiscal_year"),
                stated_cumulative_requested=_d(cumulative.get("stated_requested")),
                stated_cumulative_national=_d(cumulative.get("stated_national")),
                stated_cumulative_local=_d(cumulative.get("stated_local")),
                stated_cumulative_total=_d(cumulative.get("stated_total")),
            )
            FiscalSupportYear.objects.bulk_create(
                FiscalSupportYear(
                    row=row, fiscal_year=y["fiscal_year"], requested=_d(y["requested"]), national=_d(y["national"]),
                    local=_d(y["local"]), stated_total=_d(y.get("stated_total")),
                    has_stated_total="stated_total" in y,
                )
                for y in r["years"]
            )
        order = 0
        for kind in ("tax", "financial"):
            for r in annex[kind]:
                row = CountRow.objects.create(
                    edition=self.edition, kind=kind, order=order, owner=self.auth[r["owner"]], name=r["name"],
                    related_targets=r["related_targets"], remarks=clean_html(r["remarks"]),
                    stated_cumulative=r.get("stated_cumulative"), has_stated_cumulative="stated_cumulative" in r,
                )
                order += 1
                CountYear.objects.bulk_create(
                    CountYear(row=row, fiscal_year=y["fiscal_year"], count=y["count"]) for y in r["years"]
                )
        self._findings("annex3", annex["survey_findings"])

    def _annex4(self, annex: dict) -> None:
        order = 0
        for table in LocalMeasureRow.Table.values:
            for r in annex[table]:
                row = LocalMeasureRow.objects.create(
                    edition=self.edition, table=table, order=order, owner=self.auth[r["owner"]], name=r["name"],
                    related_targets=r["related_targets"], result=clean_html(r["result"]),
                    self_evaluation=clean_html(r["self_evaluation"]),
                )
                order += 1
                LocalMeasureAuthority.objects.bulk_create(
                    LocalMeasureAuthority(row=row, authority=self.auth[slug], order=i)
                    for i, slug in enumerate(r["authorities"])
                )
        self._passage("annex4.structure", annex["structure"])
        self._passage("annex4.private_sector", annex["private_sector"])
        self._findings("annex4", annex["survey_findings"])
