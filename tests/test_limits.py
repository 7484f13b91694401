"""Bounded input on every way in: the same limits (zoneeval/limits.py) in the schema, the models, the forms, admin
and the JSON loader; a hostile-import corpus refused with its JSON path and nothing changed; the document budget."""
import copy
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from zoneeval import limits
from zoneeval.assembly import services as assembly_services
from zoneeval.assembly.validations import validate
from zoneeval.authorities.models import Authority
from zoneeval.reports import models as m
from zoneeval.reports.interchange.checks import ImportRefused, schema
from zoneeval.reports.interchange.export import edition_snapshot
from zoneeval.reports.interchange.importer import import_document, import_json

pytestmark = pytest.mark.django_db

APPS = ("reports", "authorities", "drafting", "workflow", "assembly", "auth", "guardian")


def _counts():
    """Row counts of every model an import could touch."""
    return {model._meta.label: model._base_manager.count() for label in APPS
            for model in apps.get_app_config(label).get_models()}


# ---- the limits are stated once ---------------------------------------------------------------------------------

def test_schema_states_the_limits_of_limits_py():
    defs = schema()["$defs"]
    for name, expected in limits.schema_defs().items():
        assert name in defs, name
        assert {k: defs[name].get(k) for k in expected} == expected, name


def test_every_free_text_field_of_the_report_models_is_bounded():
    internal = {("Passage", "slot"), ("SurveyFinding", "slot"), ("ExportRecord", "sha256"), ("ExportRecord", "payload")}
    checked = 0
    for model in [*apps.get_app_config("reports").get_models(), Authority]:
        for field in model._meta.get_fields():
            if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
                continue
            if (model.__name__, field.name) in internal or "GroupObjectPermission" in model.__name__:
                continue
            kinds = {type(v).__name__ for v in field.validators}
            assert "CharactersValidator" in kinds or "SlugValidator" in kinds, (model.__name__, field.name)
            if isinstance(field, models.TextField):
                assert "LengthValidator" in kinds, (model.__name__, field.name)
            checked += 1
    assert checked > 50


def test_a_maximal_document_imports_and_one_more_character_is_refused(sample):
    """What the schema accepts, the models store (no database error); the limit itself is the edge."""
    doc = copy.deepcopy(sample)
    row = doc["parts"]["annex4"]["fiscal"][3]
    row["result"] = "あ" * limits.RICH_TEXT_MAX
    row["name"] = "名" * limits.LINE_MAX
    row["related_targets"] = "(" * limits.SHORT_MAX
    doc["parts"]["annex3"]["fiscal"][0]["years"][0]["national"] = "9" * limits.AMOUNT_INTEGER_DIGITS + ".9999"
    doc["parts"]["part5"]["fiscal"]["stated_count"] = limits.COUNT_MAX
    doc["zone"]["name"] = "特" * limits.ZONE_NAME_MAX
    edition = import_document(copy.deepcopy(doc))
    stored = m.LocalMeasureRow.objects.get(edition=edition, table="fiscal", order=3)
    assert len(stored.result) == limits.RICH_TEXT_MAX
    doc["parts"]["annex4"]["fiscal"][3]["result"] += "あ"
    with pytest.raises(ImportRefused) as refused:
        import_document(doc, replace=True)
    assert refused.value.problems[0].path == "$.parts.annex4.fiscal[3].result"


# ---- the hostile-import corpus ----------------------------------------------------------------------------------
# Each case derives a hostile file from the FY2019 sample: (mutate the data, then the text) → the JSON path refused.

def _set(path, value):
    def mutate(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _text(old, new):
    return lambda text: text.replace(old, new, 1)


ANNEX4_ROW = ("parts", "annex4", "fiscal", 3)
HOSTILE = {
    "decimal_40_digits": (_set(("parts", "annex3", "fiscal", 0, "years", 0, "national"), "1" * 40), None,
                          "$.parts.annex3.fiscal[0].years[0].national"),
    "decimal_too_many_places": (_set(("parts", "annex3", "fiscal", 0, "years", 0, "national"), "1.123456"), None,
                                "$.parts.annex3.fiscal[0].years[0].national"),
    "integer_10_to_30": (_set(("parts", "part5", "fiscal", "stated_count"), 10 ** 30), None,
                         "$.parts.part5.fiscal.stated_count"),
    "integer_over_count_max": (_set(("parts", "part5", "fiscal", "stated_count"), limits.COUNT_MAX + 1), None,
                               "$.parts.part5.fiscal.stated_count"),
    "zone_slug_trailing_newline": (_set(("zone", "slug"), "evil\n"), None, "$.zone.slug"),
    "authority_slug_trailing_newline": (_set(("authorities", 1, "slug"), "yokohama\n"), None, "$.authorities[1].slug"),
    "date_trailing_newline": (_set(("zone", "designation_date"), "2011-12-22\n"), None, "$.zone.designation_date"),
    "deep_nesting": (None, _text('"derived": {', '"derived": ' + "[" * 100_000 + "]" * 100_000 + ', "x": {'),
                     "$.derived"),
    "duplicate_key": (None, _text('"kind": "international"', '"kind": "international", "kind": "regional"'),
                      "$.zone.kind"),
    "negative_target": (_set(("parts", "part3", "indicators", 0, "targets", 0, "years", 0, "target"), "-5"), None,
                        "$.parts.part3.indicators[0].targets[0].years[0].target"),
    "negative_actual": (_set(("parts", "part3", "indicators", 0, "targets", 0, "years", 0, "actuals", 0, "value"),
                             "-1"), None, "$.parts.part3.indicators[0].targets[0].years[0].actuals[0].value"),
    "nul_character": (_set(ANNEX4_ROW + ("name",), "横浜\x00市"), None, "$.parts.annex4.fiscal[3].name"),
    "bidi_override": (_set(("parts", "part6", "passages", 0, "text"), "<p>abc\u202edef</p>"), None,
                      "$.parts.part6.passages[0].text"),
    "bidi_isolate": (_set(("authorities", 1, "name"), "横浜\u2066市"), None, "$.authorities[1].name"),
    "line_break_in_a_name": (_set(ANNEX4_ROW + ("name",), "一行目\n二行目"), None, "$.parts.annex4.fiscal[3].name"),
    "over_long_rich_text": (_set(ANNEX4_ROW + ("result",), "あ" * (limits.RICH_TEXT_MAX + 1)), None,
                            "$.parts.annex4.fiscal[3].result"),
    "rich_text_over_long_once_sanitised": (_set(ANNEX4_ROW + ("result",), "&" * limits.RICH_TEXT_MAX), None,
                                           "$.parts.annex4.fiscal[3].result"),
    "over_long_zone_name": (_set(("zone", "name"), "特" * (limits.ZONE_NAME_MAX + 1)), None, "$.zone.name"),
    "nan": (_set(("parts", "part5", "fiscal", "stated_count"), 424242), _text("424242", "NaN"),
            "$.parts.part5.fiscal.stated_count"),
    "infinity": (_set(("parts", "part5", "fiscal", "stated_count"), 424242), _text("424242", "-Infinity"),
                 "$.parts.part5.fiscal.stated_count"),
    "float_where_an_integer_belongs": (_set(("parts", "part5", "fiscal", "stated_count"), 424242),
                                       _text("424242", "1.5"), "$.parts.part5.fiscal.stated_count"),
}


def _hostile_text(sample, case) -> str:
    mutate_data, mutate_text, _ = HOSTILE[case]
    doc = copy.deepcopy(sample)
    if mutate_data:
        mutate_data(doc)
    text = json.dumps(doc, ensure_ascii=False)
    return mutate_text(text) if mutate_text else text


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_with_its_json_path_and_nothing_changes(tmp_path, sample, edition, case):
    text = _hostile_text(sample, case)
    path = HOSTILE[case][2]
    before = (_counts(), json.dumps(edition_snapshot(edition), ensure_ascii=False, default=str))

    with pytest.raises(ImportRefused) as refused:
        import_json(text.encode("utf-8"), replace=True)
    assert any(p.path.startswith(path) for p in refused.value.problems), refused.value.problems
    assert len(str(refused.value)) < 5_000  # a 1 MB value is never echoed back whole

    file = tmp_path / f"{case}.json"
    file.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(CommandError) as command:
        call_command("import_report", str(file), replace=True)
    assert path in str(command.value) and "何も変更していません" in str(command.value)

    assert (_counts(), json.dumps(edition_snapshot(edition), ensure_ascii=False, default=str)) == before


def test_trailing_newline_slug_creates_no_second_authority(sample, edition):
    doc = copy.deepcopy(sample)
    doc["authorities"][1]["slug"] = "yokohama\n"
    with pytest.raises(ImportRefused):
        import_document(doc, replace=True)
    assert Authority.objects.filter(slug__startswith="yokohama").count() == 1


# ---- the web forms ----------------------------------------------------------------------------------------------

@pytest.fixture
def drafter(edition):
    from zoneeval.authorities.services import ensure_user

    yokohama = Authority.objects.get(slug="yokohama")
    return ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role="drafter")


def _local_row(edition):
    return m.LocalMeasureRow.objects.filter(edition=edition, table="fiscal", owner__slug="yokohama").first()


def _row_post(row, **changes):
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets, "result": row.result,
            "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all()]}
    data.update(changes)
    return data


def test_a_1_mb_paste_into_an_annex4_row_is_refused_beside_the_field_and_kept(client, edition, drafter):
    client.force_login(drafter)
    row = _local_row(edition)
    before = (row.result, row.version)
    paste = "令和元年度の実績。" * 40_000  # 360,000 characters, 1 MB in UTF-8
    for encoded in (False, True):
        url = reverse("drafting:item_edit", args=["local-row", row.pk])
        if encoded:  # as a browser (and htmx) sends it
            from urllib.parse import urlencode

            response = client.post(url, urlencode(_row_post(row, result=paste), doseq=True),
                                   content_type="application/x-www-form-urlencoded", HTTP_HX_REQUEST="true")
        else:
            response = client.post(url, _row_post(row, result=paste))
        body = response.content.decode()
        assert response.status_code == 422
        assert f"{limits.RICH_TEXT_MAX:,}文字以内で入力してください" in body
        assert paste in body  # what was typed is still in the form
    row.refresh_from_db()
    assert (row.result, row.version) == before


@pytest.mark.parametrize("field, typed, message", [
    ("name", "名" * (limits.LINE_MAX + 1), "500文字以内で入力してください"),
    ("name", "横浜\u202e市", "使用できない文字（U+202E）"),
    ("self_evaluation", "<p>a\x00b</p>", "使用できない文字（U+0000）"),
])
def test_over_long_lines_and_forbidden_characters_are_refused_in_japanese(client, edition, drafter, field, typed,
                                                                          message):
    client.force_login(drafter)
    row = _local_row(edition)
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]), _row_post(row, **{field: typed}))
    assert response.status_code == 422 and message in response.content.decode()


@pytest.mark.parametrize("typed, message", [
    ("1" * 17, "整数部は16桁まで"),
    ("1.12345", "小数点以下は4桁まで"),
    ("1e30", "整数部は16桁まで"),
])
def test_amounts_are_bounded_like_the_model(client, edition, typed, message):
    from zoneeval.authorities.services import ensure_user

    kanagawa = Authority.objects.get(slug="kanagawa")
    client.force_login(ensure_user("kanagawa-drafter", "pw-for-tests-123", authority=kanagawa, role="drafter"))
    row = m.FiscalSupportRow.objects.filter(edition=edition, owner=kanagawa).order_by("order").last()
    response = client.post(reverse("drafting:item_edit", args=["fiscal-row", row.pk]),
                           {"version": row.version, "name": row.name, "y2019_national": typed})
    body = response.content.decode()
    assert response.status_code == 422 and message in body and f'value="{typed}"' in body


def test_a_request_over_the_limit_gets_a_japanese_413_not_a_bare_400(client, edition, drafter):
    client.force_login(drafter)
    row = _local_row(edition)
    url = reverse("drafting:item_edit", args=["local-row", row.pk])
    huge = "あ" * (limits.REQUEST_MAX_BYTES // 3 + 1000)
    response = client.post(url, _row_post(row, result=huge))
    assert response.status_code == 413 and "送信された内容が大きすぎます" in response.content.decode()
    response = client.post(url, _row_post(row, result=huge), HTTP_HX_REQUEST="true")
    assert response.status_code == 413 and response["HX-Retarget"] == "#request-refused"
    assert "入力した内容は画面に残っています" in response.content.decode()
    row.refresh_from_db()
    assert row.version == 1


# ---- admin -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("特" * (limits.ZONE_NAME_MAX + 1), "300"),
    ("京浜\u202e臨海部", "使用できない文字（U+202E）"),
])
def test_admin_holds_the_same_limits(client, edition, name, message):
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-for-tests-123")
    client.force_login(admin)
    zone = edition.zone
    response = client.post(reverse("admin:reports_zone_change", args=[zone.pk]), {
        "slug": zone.slug, "name": name, "kind": zone.kind,
        "designation_date": zone.designation_date.isoformat(),
        "first_approval_date": zone.first_approval_date.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200 and "errorlist" in body and message in body
    zone.refresh_from_db()
    assert zone.name != name
    response = client.post(reverse("admin:authorities_authority_change", args=[edition.coordinator.pk]), {
        "slug": "Kanagawa_2", "name": edition.coordinator.name, "kind": edition.coordinator.kind,
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    assert response.status_code == 200 and "識別子は英小文字" in response.content.decode()
    assert not Authority.objects.filter(slug="Kanagawa_2").exists()


# ---- the document budget ----------------------------------------------------------------------------------------

def test_a_document_over_budget_is_an_error_finding_and_is_never_rendered(edition, monkeypatch):
    rows = list(m.LocalMeasureRow.objects.filter(edition=edition).values_list("pk", flat=True))
    needed = limits.DOCUMENT_TEXT_BUDGET // limits.RICH_TEXT_MAX + 1
    assert len(rows) >= needed
    m.LocalMeasureRow.objects.filter(pk__in=rows[:needed]).update(result="あ" * limits.RICH_TEXT_MAX)

    findings = [f for f in validate(edition_snapshot(edition)) if f.rule == "document_within_budget"]
    assert len(findings) == 1 and findings[0].severity == "error" and "文書が大きすぎます" in findings[0].message
    assert findings[0].item.startswith("$.parts.annex4")

    def no_render(snapshot):
        raise AssertionError("an over-budget document must not be rendered")

    monkeypatch.setattr(assembly_services, "render_pdf", no_render)
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces
    run = assembly_services.run_synchronously(edition)
    assert run.artefact_id is None and run.status == "failed" and "大きすぎる" in run.failure
    assert any(f["rule"] == "document_within_budget" for f in run.findings)


def test_the_sample_is_well_inside_the_budget(edition):
    assert not [f for f in validate(edition_snapshot(edition)) if f.rule == "document_within_budget"]
