"""The validation rule catalogue: for every rule, an edition that breaks it and one that passes it.

The passing edition is the FY2019 sample with the reference's two real disagreements corrected; each breaking edition
changes one thing of it. Rules are pure functions of the snapshot, so no database is needed."""
import copy

import pytest

from zoneeval.assembly.validations import ERROR, RULES, validate
from zoneeval.reports.figures import derive


@pytest.fixture
def clean(sample):
    doc = copy.deepcopy(sample)
    doc["parts"]["part3"]["indicators"][0]["targets"][0]["years"][0]["stated_progress"] = 103
    doc["parts"]["annex3"]["fiscal"][0]["cumulative"]["stated_total"] = "2554872"
    doc["derived"] = derive(doc)
    return doc


def _run(rule, doc):
    doc = copy.deepcopy(doc)
    doc["derived"] = derive(doc)
    return rule(doc)


def _target(doc, i, t):
    return doc["parts"]["part3"]["indicators"][i]["targets"][t]


def _self_evaluation(doc, i, t, old, new):
    target = _target(doc, i, t)
    assert old in target["boxes"]["self_evaluation"]
    target["boxes"]["self_evaluation"] = target["boxes"]["self_evaluation"].replace(old, new)


BREAKERS = {
    "required_parts_complete": [
        lambda d: d["parts"]["part7"]["overall"].update(text="<p> </p>"),
        lambda d: d["parts"]["part6"]["passages"].pop(3),  # 川崎市 wrote nothing in section 6
        lambda d: d["parts"]["part3"]["solutions"][1].update(text=""),
    ],
    "target_years_complete": [
        lambda d: _target(d, 1, 0)["years"][2].update(actuals=[]),
        lambda d: _target(d, 2, 0)["years"][4].update(target=None),
        lambda d: _target(d, 3, 0)["boxes"].update(self_evaluation=""),
    ],
    "stated_progress_agrees": [
        lambda d: _target(d, 2, 0)["years"][1].update(stated_progress=107),
    ],
    "text_figures_agree": [
        lambda d: _self_evaluation(d, 2, 0, "令和元年度末で261件", "令和元年度末で260件"),
        lambda d: _self_evaluation(d, 0, 1, "累計増加数は1,290人", "累計増加数は1,209人"),
        lambda d: _self_evaluation(d, 0, 0, "実績額は120億円", "実績額は121億円"),
        lambda d: _self_evaluation(d, 0, 0, "目標額87億円", "目標額78億円"),
        lambda d: _self_evaluation(d, 0, 0, "進捗度は138%", "進捗度は183%"),
        lambda d: _self_evaluation(d, 0, 2, "50,000人を上回る", "51,000人を上回る"),
        lambda d: _self_evaluation(d, 1, 0, "実績値は5件", "実績値は５件".replace("５", "6")),
    ],
    "plan_goal_matches_yearly_targets": [
        lambda d: _target(d, 0, 0)["years"][4].update(target="100"),
        lambda d: _target(d, 0, 2).update(plan_goal={"value": "25", "unit": "万人"}),
        lambda d: _target(d, 1, 0).update(kind="level"),  # a level target without its baseline and goal years
    ],
    "annex3_totals_agree": [
        lambda d: d["parts"]["annex3"]["fiscal"][1]["years"][2].update(stated_total="417716"),
        lambda d: d["parts"]["annex3"]["fiscal"][1]["cumulative"].update(stated_local="841000"),
        lambda d: d["parts"]["annex3"]["fiscal"][0]["cumulative"].update(stated_national="100"),  # below the table
        lambda d: d["parts"]["annex3"]["tax"][3].update(stated_cumulative=3),
    ],
    "contributions_add_up": [
        lambda d: _target(d, 0, 0).update(contribution="50"),
        lambda d: _target(d, 0, 1).update(contribution=None),
    ],
    "inside_plan_period": [
        lambda d: d["parts"]["annex1_2"]["projects"][3]["items"][0]["bars"][0].update(end="2022-06"),
        lambda d: d["parts"]["annex1_2"]["projects"][11]["items"][1]["milestones"][0].update(month="2017-03"),
        lambda d: d["parts"]["annex3"]["tax"][0]["years"].append({"fiscal_year": 2023, "count": 0}),
        lambda d: d["parts"]["annex1_2"]["projects"][0]["items"][0]["bars"][0].update(start="2021-04", end="2020-04"),
    ],
    "solutions_name_existing_targets": [
        lambda d: d["parts"]["part3"]["solutions"][0]["related_targets"].append("(5)"),
    ],
    "annex4_rows_name_coauthors": [
        lambda d: d["parts"]["annex4"]["other"][0]["authorities"].append("tokyo"),
        lambda d: d["parts"]["annex4"]["fiscal"][0].update(authorities=[]),
    ],
    "part5_counts_agree": [
        lambda d: d["parts"]["part5"]["fiscal"].update(stated_count=2),
        lambda d: d["parts"]["annex3"]["tax"][4]["years"][2].update(count=1),
        lambda d: d["parts"]["part5"]["tax"]["groups"][0].update(counts_this_year=True),
    ],
    "document_within_budget": [  # rows of 10,000 characters: each within its field's limit, together too much
        lambda d: [row.update(result="あ" * 10_000) for table in ("fiscal", "other") for row in d["parts"]["annex4"][table]],
    ],
}


def test_every_rule_of_the_catalogue_has_breaking_cases():
    assert {rule.__name__ for rule in RULES} == set(BREAKERS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rule_passes_the_corrected_sample(rule, clean):
    assert _run(rule, clean) == []


@pytest.mark.parametrize("rule, index", [(r, i) for r in RULES for i in range(len(BREAKERS[r.__name__]))],
                         ids=lambda x: x.__name__ if callable(x) else str(x))
def test_rule_catches_what_breaks_it(rule, index, clean):
    broken = copy.deepcopy(clean)
    BREAKERS[rule.__name__][index](broken)
    findings = _run(rule, broken)
    assert findings, f"{rule.__name__} missed breaker #{index}"
    assert all(f.rule == rule.__name__ and f.message and f.item.startswith("$") and f.anchor for f in findings)


def test_the_reference_document_disagrees_with_itself_exactly_twice(sample):
    errors = [f for f in validate(sample) if f.severity == ERROR]
    assert sorted(f.rule for f in errors) == ["annex3_totals_agree", "stated_progress_agrees"]
    messages = " ".join(f.message for f in errors)
    assert "104%" in messages and "103%" in messages
    assert "19,664,872" in messages and "2,554,872" in messages


def test_full_width_figures_in_text_are_read(clean):
    broken = copy.deepcopy(clean)
    _self_evaluation(broken, 2, 0, "令和元年度末で261件", "令和元年度末で２６０件")
    assert [f.rule for f in validate(broken)] == ["text_figures_agree"]
