"""Writes a checked interchange document into the database, whole or not at all."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ...authorities.acting import bulk_loading
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
    NationalEvaluation,
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
from ..signals import edition_loaded
from .checks import ImportRefused, Problem, problems_in
from .loader import read_document

__all__ = ["ImportRefused", "import_document", "import_json"]


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _valid(instance, path: str, keys: dict | None = None):
    """``instance`` if its fields hold the model's limits (the same limits as the schema and the forms); otherwise
    the import is refused with the JSON path of each field. ``keys`` maps a model field to its JSON key where they
    differ (a key starting with "$" is a whole path)."""
    exclude = [f.name for f in instance._meta.fields if f.is_relation]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            key = (keys or {}).get(name, name)
            problems.append(Problem(key if key.startswith("$") else f"{path}.{key}", " ".join(messages)))
        raise ImportRefused(problems) from error
    return instance


def import_json(data: str | bytes, replace: bool = False) -> Edition:
    """Read an interchange file's text (see loader.py) and import it; raises ImportRefused on any problem."""
    return import_document(read_document(data), replace=replace)


def import_document(document: dict, replace: bool = False, supersedes: Edition | None = None) -> Edition:
    """Check ``document`` and write it as an edition. Raises ImportRefused (nothing written) on any problem.

    The edition of (zone, year) it meets is the current one (reports/selectors.py ``current_edition``). With
    ``supersedes`` (the current, submitted edition of the document's zone and year) the document is written as its
    correction (訂正版): a new edition of the next revision; the superseded edition is left untouched."""
    from ..selectors import current_edition

    problems = problems_in(document)
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        authorities = _authorities(document)
        zone = _zone(document["zone"])
        fiscal_year = document["edition"]["fiscal_year"]
        existing = current_edition(zone, fiscal_year, for_update=True)
        if supersedes is not None:
            if existing is None or existing.pk != supersedes.pk:
                raise ImportRefused([Problem("$.edition.fiscal_year", "訂正できるのは、その年度の現在の版だけです "
                                                                       "(only the current edition is corrected)")])
            if not existing.is_frozen:
                raise ImportRefused([Problem("$.edition.fiscal_year", "訂正できるのは提出済みの評価書だけです "
                                                                       "(only a submitted edition is corrected)")])
            lineage = {"supersedes": existing, "revision": existing.revision + 1}
        elif existing is not None:
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
            # a correction not yet worked on is replaced by a correction of the same edition
            lineage = {"supersedes": existing.supersedes, "revision": existing.revision}
            with bulk_loading():
                existing.delete()
        else:
            lineage = {}
        with bulk_loading():  # a new edition: no part exists yet to void or notify
            edition = _EditionWriter(document, zone, authorities, **lineage).write()
        grant_edition(edition)  # bulk creates bypass the signals that grant permissions item by item
        edition_loaded.send(sender=Edition, edition=edition)  # drafting: every (section, owner) becomes a part
        return edition


def _authorities(document: dict) -> dict[str, Authority]:
    result = {}
    problems = []
    for index, data in enumerate(document["authorities"]):
        _valid(Authority(slug=data["slug"], name=data["name"], kind=data["kind"]), f"$.authorities[{index}]")
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
    _valid(Zone(slug=data["slug"], name=data["name"], kind=data["kind"], designation_date=_date(data["designation_date"]),
                first_approval_date=_date(data["first_approval_date"])), "$.zone")
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
    def __init__(self, document: dict, zone: Zone, authorities: dict[str, Authority],
                 supersedes: Edition | None = None, revision: int = 0):
        self.doc = document
        self.supersedes, self.revision = supersedes, revision
        self.zone = zone
        self.auth = authorities
        self.edition: Edition | None = None
        self.targets: dict[str, NumericalTarget] = {}

    def write(self) -> Edition:
        data = self.doc["edition"]
        parts = self.doc["parts"]
        previous = parts["part2"]["previous_evaluation"]
        self.edition = _valid(Edition(
            zone=self.zone,
            fiscal_year=data["fiscal_year"],
            supersedes=self.supersedes,
            revision=self.revision,
            coordinator=self.auth[data["coordinator"]],
            plan_first_fiscal_year=data["plan_period"]["first_fiscal_year"],
            plan_last_fiscal_year=data["plan_period"]["last_fiscal_year"],
            latest_approval_date=_date(data["latest_approval_date"]),
            partner_bodies=data.get("partner_bodies", Edition.PartnerBodies.ERROR),
            annex1_charts=data.get("annex1_charts", False),
            previous_evaluation_label=previous["label"],
            previous_evaluation_score=_d(previous["score"]),
            # what this edition prints about its zone and co-authors is its own (reports/printed.py)
            zone_name=self.doc["zone"]["name"],
            zone_kind=self.doc["zone"]["kind"],
            zone_designation_date=_date(self.doc["zone"]["designation_date"]),
            zone_first_approval_date=_date(self.doc["zone"]["first_approval_date"]),
        ), "$.edition", {
            "previous_evaluation_label": "$.parts.part2.previous_evaluation.label",
            "previous_evaluation_score": "$.parts.part2.previous_evaluation.score",
            "plan_first_fiscal_year": "plan_period.first_fiscal_year",
            "plan_last_fiscal_year": "plan_period.last_fiscal_year"})
        self.edition.save()
        CoAuthor.objects.bulk_create(
            CoAuthor(edition=self.edition, authority=self.auth[a["slug"]], order=i, name=a["name"], kind=a["kind"])
            for i, a in enumerate(self.doc["authorities"])
        )
        self._part2(parts["part2"])
        self._part3(parts["part3"])
        self._part4(parts["part4"])
        self._part5(parts["part5"])
        for order, passage in enumerate(parts["part6"]["passages"]):
            self._passage("part6", passage, f"$.parts.part6.passages[{order}]", order)
        self._passage("part7.overall", parts["part7"]["overall"], "$.parts.part7.overall")
        self._schedule(parts["annex1_2"])
        self._annex2(parts["annex2"])
        self._annex3(parts["annex3"])
        self._annex4(parts["annex4"])
        self._national_evaluation(self.doc.get("national_evaluation"))
        return self.edition

    def _national_evaluation(self, data: dict | None) -> None:
        """The optional national evaluation (国の評価) of the edition: archival data, not report content."""
        if data is None:
            return
        _valid(NationalEvaluation(
            edition=self.edition, progress_score=_d(data.get("progress_score")),
            support_score=_d(data.get("support_score")), overall_score=_d(data["overall_score"]),
            result=data.get("result", ""), comments=clean_html(data.get("comments", "")),
        ), "$.national_evaluation").save()

    # helpers
    def _passage(self, slot: str, data: dict, path: str, order: int = 0) -> None:
        _valid(Passage(
            edition=self.edition, slot=slot, order=order, owner=self.auth[data["owner"]], text=clean_html(data["text"])
        ), path).save()

    def _findings(self, slot: str, items: list[dict], path: str, target: NumericalTarget | None = None) -> None:
        SurveyFinding.objects.bulk_create([
            _valid(SurveyFinding(
                edition=self.edition, slot=slot, target=target, order=i, owner=self.auth[f["owner"]],
                finding=clean_html(f["finding"]), response=clean_html(f["response"]),
            ), f"{path}[{i}]")
            for i, f in enumerate(items)
        ])

    # parts
    def _part2(self, part: dict) -> None:
        for key in ("overview", "goal"):
            self._passage(f"part2.{key}", part[key], f"$.parts.part2.{key}")
        self._passage("part2.previous_evaluation", part["previous_evaluation"]["comments"],
                      "$.parts.part2.previous_evaluation.comments")
        self._passage("part2.considerations", part["considerations"], "$.parts.part2.considerations")

    def _part3(self, part: dict) -> None:
        for i_index, indicator_data in enumerate(part["indicators"]):
            path = f"$.parts.part3.indicators[{i_index}]"
            indicator = _valid(Indicator(
                edition=self.edition, number=indicator_data["number"], title=indicator_data["title"]
            ), path)
            indicator.save()
            for order, t in enumerate(indicator_data["targets"]):
                self._target(indicator, t, order, f"{path}.targets[{order}]")
        self._passage("part3.contribution_approach", part["contribution_approach"], "$.parts.part3.contribution_approach")
        self._passage("part3.pathway", part["pathway"], "$.parts.part3.pathway")
        for order, s in enumerate(part["solutions"]):
            path = f"$.parts.part3.solutions[{order}]"
            solution = _valid(Solution(
                edition=self.edition, number=s["number"], order=order, owner=self.auth[s["owner"]],
                text=clean_html(s["text"]),
            ), path)
            solution.save()
            solution.related_targets.set([self.targets[code] for code in s["related_targets"]])
            Initiative.objects.bulk_create([
                _valid(Initiative(
                    solution=solution, order=i, owner=self.auth[x["owner"]], heading=x["heading"],
                    text=clean_html(x["text"]), expected=x["expected"],
                ), f"{path}.initiatives[{i}]")
                for i, x in enumerate(s["initiatives"])
            ])

    def _target(self, indicator: Indicator, t: dict, order: int, path: str) -> None:
        goal, baseline, boxes = t.get("plan_goal"), t.get("baseline"), t["boxes"]
        target = _valid(NumericalTarget(
            indicator=indicator, order=order, owner=self.auth[t["owner"]], code=t["code"], title=t["title"],
            kind=t["kind"], unit=t["unit"],
            plan_goal_value=_d(goal["value"]) if goal else None, plan_goal_unit=goal["unit"] if goal else "",
            plan_goal_fiscal_year=goal.get("fiscal_year") if goal else None,
            baseline_fiscal_year=baseline["fiscal_year"] if baseline else None,
            baseline_value=_d(baseline["value"]) if baseline else None,
            contribution=_d(t.get("contribution")),
            **{name: clean_html(boxes[name]) for name in
               ("alternative", "approach", "basis", "self_evaluation", "external_factors")},
        ), path, {"plan_goal_value": "plan_goal.value", "plan_goal_unit": "plan_goal.unit",
                  "plan_goal_fiscal_year": "plan_goal.fiscal_year",
                  "baseline_fiscal_year": "baseline.fiscal_year", "baseline_value": "baseline.value",
                  **{name: f"boxes.{name}" for name in
                     ("alternative", "approach", "basis", "self_evaluation", "external_factors")}})
        target.save()
        self.targets[t["code"]] = target
        for y_index, y in enumerate(t["years"]):
            year = _valid(TargetYear(
                target=target, fiscal_year=y["fiscal_year"], target_value=_d(y["target"]),
                stated_progress=y.get("stated_progress"),
            ), f"{path}.years[{y_index}]", {"target_value": "target"})
            year.save()
            ActualFigure.objects.bulk_create([
                _valid(ActualFigure(target_year=year, authority=self.auth[a["authority"]], value=_d(a["value"]), order=i),
                       f"{path}.years[{y_index}].actuals[{i}]")
                for i, a in enumerate(y["actuals"])
            ])
        self._findings("annex1", t.get("survey_findings", []), f"{path}.survey_findings", target=target)

    def _part4(self, part: dict) -> None:
        order = 0
        for kind, key in (("specific", "specific_projects"), ("general", "general_projects")):
            for index, p in enumerate(part[key]):
                _valid(RegulatoryProject(
                    edition=self.edition, kind=kind, order=order, owner=self.auth[p["owner"]], title=p["title"],
                    text=clean_html(p["text"]),
                ), f"$.parts.part4.{key}[{index}]").save()
                order += 1
        RegulatoryProposal.objects.bulk_create([
            _valid(RegulatoryProposal(
                edition=self.edition, order=i, owner=self.auth[p["owner"]], title=p["title"],
                consultation_period=p["consultation_period"], proposal=clean_html(p["proposal"]),
                result=clean_html(p["result"]),
            ), f"$.parts.part4.proposals[{i}]")
            for i, p in enumerate(part["proposals"])
        ])

    def _part5(self, part: dict) -> None:
        for kind in ("fiscal", "tax", "financial"):
            data, path = part[kind], f"$.parts.part5.{kind}"
            section = _valid(SupportSection(edition=self.edition, kind=kind, stated_count=data["stated_count"]), path)
            section.save()
            if data["none_reason"] is not None:
                self._passage(f"part5.{kind}.none_reason", data["none_reason"], f"{path}.none_reason")
            for g_order, g in enumerate(data["groups"]):
                group = _valid(SupportGroup(
                    section=section, order=g_order, heading=g["heading"], counts_this_year=g["counts_this_year"]
                ), f"{path}.groups[{g_order}]")
                group.save()
                SupportProject.objects.bulk_create([
                    _valid(SupportProject(
                        group=group, order=i, owner=self.auth[p["owner"]], title=p["title"],
                        overview=clean_html(p["overview"]), usage=clean_html(p["usage"]),
                        independence=clean_html(p["independence"]),
                    ), f"{path}.groups[{g_order}].projects[{i}]")
                    for i, p in enumerate(g["projects"])
                ])

    def _schedule(self, annex: dict) -> None:
        for order, p in enumerate(annex["projects"]):
            path = f"$.parts.annex1_2.projects[{order}]"
            project = _valid(ScheduleProject(
                edition=self.edition, order=order, owner=self.auth[p["owner"]], solution_number=p["solution"],
                number=p["number"], title=p["title"],
            ), path, {"solution_number": "solution"})
            project.save()
            ScheduleItem.objects.bulk_create([
                _valid(ScheduleItem(
                    project=project, order=i, label=item["label"], text=item["text"], bars=item["bars"],
                    milestones=item["milestones"],
                ), f"{path}.items[{i}]")
                for i, item in enumerate(p["items"])
            ])
        if annex["notes"]:
            _valid(Passage(
                edition=self.edition, slot="annex1_2.notes", owner=self.edition.coordinator,
                text=clean_html(annex["notes"]),
            ), "$.parts.annex1_2", {"text": "notes"}).save()

    def _annex2(self, annex: dict) -> None:
        SpecialMeasureUse.objects.bulk_create([
            _valid(SpecialMeasureUse(
                edition=self.edition, order=i, owner=self.auth[r["owner"]], name=r["name"],
                related_targets=r["related_targets"], ministry=r["ministry"], evaluation=r["evaluation"],
                remarks=clean_html(r["remarks"]),
            ), f"$.parts.annex2.special_measures[{i}]")
            for i, r in enumerate(annex["special_measures"])
        ])
        rows = [("feasible", f"$.parts.annex2.feasible_measures[{i}]", r)
                for i, r in enumerate(annex["feasible_measures"])] + [
            ("nationwide", f"$.parts.annex2.nationwide_measures[{i}]", r)
            for i, r in enumerate(annex["nationwide_measures"])
        ]
        MeasureRow.objects.bulk_create([
            _valid(MeasureRow(
                edition=self.edition, kind=kind, order=i, owner=self.auth[r["owner"]], name=r["name"],
                related_targets=r["related_targets"], used=r["used"], remarks=clean_html(r["remarks"]),
            ), path)
            for i, (kind, path, r) in enumerate(rows)
        ])
        self._findings("annex2", annex["survey_findings"], "$.parts.annex2.survey_findings")

    def _annex3(self, annex: dict) -> None:
        for order, r in enumerate(annex["fiscal"]):
            cumulative, path = r["cumulative"], f"$.parts.annex3.fiscal[{order}]"
            row = _valid(FiscalSupportRow(
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
            ), path, {"cumulative_includes_prior_years": "cumulative.includes_prior_years",
                      "cumulative_since_fiscal_year": "cumulative.since_fiscal_year",
                      **{f"stated_cumulative_{c}": f"cumulative.stated_{c}"
                         for c in ("requested", "national", "local", "total")}})
            row.save()
            FiscalSupportYear.objects.bulk_create([
                _valid(FiscalSupportYear(
                    row=row, fiscal_year=y["fiscal_year"], requested=_d(y["requested"]), national=_d(y["national"]),
                    local=_d(y["local"]), stated_total=_d(y.get("stated_total")),
                    has_stated_total="stated_total" in y,
                ), f"{path}.years[{y_index}]")
                for y_index, y in enumerate(r["years"])
            ])
        order = 0
        for kind in ("tax", "financial"):
            for index, r in enumerate(annex[kind]):
                path = f"$.parts.annex3.{kind}[{index}]"
                row = _valid(CountRow(
                    edition=self.edition, kind=kind, order=order, owner=self.auth[r["owner"]], name=r["name"],
                    related_targets=r["related_targets"], remarks=clean_html(r["remarks"]),
                    stated_cumulative=r.get("stated_cumulative"), has_stated_cumulative="stated_cumulative" in r,
                ), path)
                row.save()
                order += 1
                CountYear.objects.bulk_create([
                    _valid(CountYear(row=row, fiscal_year=y["fiscal_year"], count=y["count"]), f"{path}.years[{y_index}]")
                    for y_index, y in enumerate(r["years"])
                ])
        self._findings("annex3", annex["survey_findings"], "$.parts.annex3.survey_findings")

    def _annex4(self, annex: dict) -> None:
        order = 0
        for table in LocalMeasureRow.Table.values:
            for index, r in enumerate(annex[table]):
                row = _valid(LocalMeasureRow(
                    edition=self.edition, table=table, order=order, owner=self.auth[r["owner"]], name=r["name"],
                    related_targets=r["related_targets"], result=clean_html(r["result"]),
                    self_evaluation=clean_html(r["self_evaluation"]),
                ), f"$.parts.annex4.{table}[{index}]")
                row.save()
                order += 1
                LocalMeasureAuthority.objects.bulk_create(
                    # a co-author by its slug, a partner body outside the co-authors by its name
                    LocalMeasureAuthority(row=row, authority=self.auth[body], order=i) if isinstance(body, str)
                    else _valid(LocalMeasureAuthority(row=row, name=body["name"], order=i),
                                f"$.parts.annex4.{table}[{index}].authorities[{i}]")
                    for i, body in enumerate(r["authorities"])
                )
        self._passage("annex4.structure", annex["structure"], "$.parts.annex4.structure")
        self._passage("annex4.private_sector", annex["private_sector"], "$.parts.annex4.private_sector")
        self._findings("annex4", annex["survey_findings"], "$.parts.annex4.survey_findings")
