"""The workbook (Excel) of an edition's figures: what it contains, and the import per authority (preview → confirm)."""
import copy
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zoneeval import limits
from zoneeval.authorities.models import Authority
from zoneeval.authorities.rules import Refused
from zoneeval.drafting.models import Part, Revision, WorkbookUpload
from zoneeval.drafting.workbook import services
from zoneeval.drafting.workbook.layout import target_sheet_name
from zoneeval.reports import models as m
from zoneeval.reports.era import fiscal_year_label
from zoneeval.reports.figures import count_row_figures, derive, fiscal_row_figures
from zoneeval.reports.interchange.export import edition_snapshot

from .test_drafting import users  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _find(ws, text, column=None):
    """The (row, column) of the cell whose value is ``text``."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text and (column is None or cell.column == column):
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not on {ws.title}")


def _year_column(ws, fiscal_year, head_text="年度"):
    row, _ = _find(ws, head_text)
    for cell in ws[row]:
        if cell.value == fiscal_year_label(fiscal_year):
            return cell.column
    raise AssertionError(fiscal_year)


def _state(edition) -> dict:
    return edition_snapshot(edition, with_derived=False)


# ---- export ------------------------------------------------------------------------------------------------

def test_export_has_the_documents_headings_formats_and_figures_computed_by_figures_py(edition):
    kawasaki = Authority.objects.get(slug="kawasaki")
    book = _book(services.export_workbook(None, edition, kawasaki))
    snapshot = edition_snapshot(edition)
    derived = derive(snapshot)
    indicators = snapshot["parts"]["part3"]["indicators"]
    codes = [t["code"] for i in indicators for t in i["targets"]]
    assert [ws.title for ws in book if ws.sheet_state == "visible"] == [target_sheet_name(c) for c in codes] + [
        "別紙3 財政支援", "別紙3 税制支援", "別紙3 金融支援", "5 件数"]

    for indicator in indicators:
        for target in indicator["targets"]:
            ws = book[target_sheet_name(target["code"])]
            assert ws.protection.sheet
            assert ws["A1"].value == "別紙1 目標に向けた取組の進捗に関する評価"
            assert _find(ws, f"評価指標({indicator['number']}) {indicator['title']}")
            assert _find(ws, f"（単位：{target['unit']}）")
            figures = derived["targets"][target["code"]]
            progress_row, _ = _find(ws, "進捗度（%）")
            total_row, _ = _find(ws, "実績値（合計）")
            for year in figures["years"]:
                col = _year_column(ws, year["fiscal_year"])  # 和暦 heads (era.py)
                progress = ws.cell(progress_row, col)
                assert progress.number_format == "0%" and progress.protection.locked
                assert progress.fill.fgColor.rgb.endswith("D9D9D9")  # grey: computed
                if year["progress"] is None:
                    assert progress.value is None
                else:
                    assert round(progress.value * 100) == year["progress"]
                total = ws.cell(total_row, col).value
                assert (None if total is None else Decimal(str(total))) == (
                    None if year["actual"] is None else Decimal(year["actual"]))
            _, cumulative_col = _find(ws, "累計")
            assert Decimal(str(ws.cell(total_row, cumulative_col).value)) == Decimal(figures["cumulative_actual"])
            assert round(ws.cell(progress_row, cumulative_col).value * 100) == figures["cumulative_progress"]
            # kanagawa's 目標値 and 実績値 are locked in kawasaki's workbook; kawasaki's 実績値 cells are open
            target_row, _ = _find(ws, "目標値")
            own_row, _ = _find(ws, "実績値（川崎市）")
            col = _year_column(ws, edition.fiscal_year)
            assert ws.cell(target_row, col).protection.locked
            assert not ws.cell(own_row, col).protection.locked
            assert ws.cell(own_row, col).fill.fgColor.rgb.endswith("FFF2CC")

    fiscal = book["別紙3 財政支援"]
    assert _find(fiscal, "（単位：千円。「-」は該当なし）")
    for data in snapshot["parts"]["annex3"]["fiscal"]:
        figures = fiscal_row_figures(data)
        name_row, _ = _find(fiscal, data["name"], column=1)
        _, cumulative_col = _find(fiscal, "累計")
        for offset, name in enumerate(("requested", "national", "local", "total")):
            cell = fiscal.cell(name_row + offset, cumulative_col)
            assert cell.protection.locked and cell.number_format == "#,##0"
            expected = figures["cumulative"][name]
            assert (None if cell.value is None else Decimal(str(cell.value))) == (
                None if expected is None else Decimal(expected))
        for year in figures["years"]:
            cell = fiscal.cell(name_row + 3, _year_column(fiscal, year["fiscal_year"]))
            assert (None if cell.value is None else Decimal(str(cell.value))) == (
                None if year["total"] is None else Decimal(year["total"]))
        national = fiscal.cell(name_row + 1, _year_column(fiscal, edition.fiscal_year))
        assert national.number_format == "#,##0" and national.protection.locked  # kanagawa's row
    tax = book["別紙3 税制支援"]
    for data in snapshot["parts"]["annex3"]["tax"]:
        name_row, _ = _find(tax, data["name"], column=1)
        _, cumulative_col = _find(tax, "累計")
        assert tax.cell(name_row, cumulative_col).value == count_row_figures(data, edition.fiscal_year)["cumulative"]
        assert not tax.cell(name_row, _year_column(tax, edition.fiscal_year)).protection.locked  # kawasaki's
    counts = book["5 件数"]
    row, _ = _find(counts, "② 税制支援（適用件数）")
    part5 = derived["counts"]["part5"]["tax"]
    assert [counts.cell(row, c).value for c in (2, 3, 4)] == [part5["stated"], part5["listed"],
                                                              part5["counting_this_year"]]


def test_a_level_target_has_one_zone_figure_and_no_cumulative_in_heisei_years(shiomi_edition):
    book = _book(services.export_workbook(None, shiomi_edition))
    snapshot = edition_snapshot(shiomi_edition)
    level = next(t for i in snapshot["parts"]["part3"]["indicators"] for t in i["targets"] if t["kind"] == "level")
    owner = next(a["name"] for a in snapshot["authorities"] if a["slug"] == level["owner"])
    ws = book[target_sheet_name(level["code"])]
    assert _find(ws, f"実績値（特区全体・{owner}）")
    assert [c.value for r in ws.iter_rows() for c in r if c.value == "累計"] == []
    assert [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("実績値（")] \
        == [f"実績値（特区全体・{owner}）"]
    assert _year_column(ws, shiomi_edition.fiscal_year) and fiscal_year_label(shiomi_edition.fiscal_year).startswith("平成")


# ---- import ------------------------------------------------------------------------------------------------

def _kawasaki_edits(edition, book):
    """Change one kawasaki tax count, enter a kawasaki 実績値 (full-width, with a comma) and — not kawasaki's —
    a kanagawa 目標値. Returns the cells."""
    fy = edition.fiscal_year
    tax = book["別紙3 税制支援"]
    row, _ = _find(tax, "医薬品等の研究開発促進", column=1)
    count_cell = tax.cell(row, _year_column(tax, fy))
    count_cell.value = 2
    ws = book[target_sheet_name("(1)-①")]
    own_row, _ = _find(ws, "実績値（川崎市）")
    actual_cell = ws.cell(own_row, _year_column(ws, fy))
    actual_cell.value = "１，２３４"
    target_row, _ = _find(ws, "目標値")
    foreign_cell = ws.cell(target_row, _year_column(ws, fy))
    foreign_cell.value = 90
    return count_cell, actual_cell, foreign_cell


def test_round_trip_changes_only_the_uploading_authoritys_cells_with_revisions(edition, users):
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    annex3_part, _ = Part.objects.get_or_create(edition=edition, section="annex3", authority=kawasaki)
    Part.objects.filter(pk=annex3_part.pk).update(state="approved")
    before = _state(edition)
    book = _book(services.export_workbook(user, edition, kawasaki))
    count_cell, actual_cell, foreign_cell = _kawasaki_edits(edition, book)

    pending, reading = services.preview_upload(user, edition, kawasaki, _save(book), "filled.xlsx")
    assert sorted((c.sheet, c.ref, c.old_text, c.new_text) for c in reading.changes) == sorted([
        ("別紙3 税制支援", count_cell.coordinate, "0", "2"),
        ("別紙1 (1)-①", actual_cell.coordinate, "（空欄）", "1,234"),
    ])
    assert [(c.sheet, c.ref, c.old_text, c.new_text) for c in reading.ignored] == [
        ("別紙1 (1)-①", foreign_cell.coordinate, "87", "90")]
    assert _state(edition) == before  # a preview changes nothing

    changes = services.confirm_upload(user, pending)
    assert len(changes) == 2
    assert not WorkbookUpload.objects.filter(pk=pending.pk).exists()  # kept only as long as needed
    after = _state(edition)
    expected = copy.deepcopy(before)
    row = next(r for r in expected["parts"]["annex3"]["tax"] if r["name"] == "医薬品等の研究開発促進")
    next(y for y in row["years"] if y["fiscal_year"] == edition.fiscal_year)["count"] = 2
    target = next(t for i in expected["parts"]["part3"]["indicators"] for t in i["targets"] if t["code"] == "(1)-①")
    year = next(y for y in target["years"] if y["fiscal_year"] == edition.fiscal_year)
    year["actuals"].append({"authority": "kawasaki", "value": "1234"})
    assert after == expected  # kanagawa's 目標値 stays 87; nothing else moved
    revisions = Revision.objects.filter(part__edition=edition, user=user)
    assert {(r.part.section, r.part.authority.slug) for r in revisions} == {("annex3", "kawasaki"),
                                                                           ("targets", "kawasaki")}
    annex3_part.refresh_from_db()
    assert annex3_part.state != "approved"  # a content change voids the approval (workflow/signals.py)


def _refusal(edition, user, authority, data) -> list[str]:
    before = _state(edition)
    with pytest.raises(services.WorkbookRefused) as refused:
        services.preview_upload(user, edition, authority, data)
    assert _state(edition) == before
    return refused.value.messages


@pytest.mark.parametrize("typed, message", [
    ("たくさん", "数値を入力してください"),
    ("=1+1", "数式は取り込めません"),
    (-3, "負の値は入力できません"),
    ("1.5", "件数は整数で入力してください"),
    (timezone.datetime(2019, 4, 1), "数値で入力してください"),
    (True, "数値で入力してください"),
])
def test_a_bad_cell_refuses_the_whole_file_naming_sheet_and_cell(edition, users, typed, message):
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    book = _book(services.export_workbook(user, edition, kawasaki))
    count_cell, actual_cell, _ = _kawasaki_edits(edition, book)  # valid changes, refused with the bad one
    count_cell.value = typed
    messages = _refusal(edition, user, kawasaki, _save(book))
    assert messages[0].startswith(f"シート『別紙3 税制支援』のセル {count_cell.coordinate}：")
    assert message in messages[0]


def test_hostile_workbooks_are_refused_with_a_message(edition, users, monkeypatch):
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    exported = services.export_workbook(user, edition, kawasaki)

    book = _book(exported)
    book.create_sheet("メモ")
    assert "シート『メモ』はこの評価書のワークブックにないシートです" in _refusal(edition, user, kawasaki, _save(book))[0]

    book = _book(exported)
    del book["別紙3 金融支援"]
    assert "シート『別紙3 金融支援』がありません" in _refusal(edition, user, kawasaki, _save(book))[0]

    book = _book(exported)
    tax = book["別紙3 税制支援"]
    row, _ = _find(tax, "医薬品等の研究開発促進", column=1)
    tax.insert_rows(row)  # a row added: every cell below moved
    messages = _refusal(edition, user, kawasaki, _save(book))
    assert messages[0].startswith(f"シート『別紙3 税制支援』のセル A{row}：表の形がこの評価書と違います")

    assert "Excel のワークブック（.xlsx）として読めません" in _refusal(edition, user, kawasaki, b"not a workbook")[0]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", b"<" + b" " * (limits.WORKBOOK_UNPACKED_MAX_BYTES + 1))
    assert "展開すると" in _refusal(edition, user, kawasaki, bomb.getvalue())[0]

    monkeypatch.setattr(limits, "WORKBOOK_MAX_BYTES", 1000)
    assert "ファイルが大きすぎます" in _refusal(edition, user, kawasaki, exported)[0]


def test_a_preview_made_stale_by_another_change_is_refused_and_nothing_applied(edition, users):
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    book = _book(services.export_workbook(user, edition, kawasaki))
    _kawasaki_edits(edition, book)
    pending, reading = services.preview_upload(user, edition, kawasaki, _save(book))
    assert reading.changes
    # meanwhile kanagawa changes its 実績値 through the form's service
    from zoneeval.drafting import services as drafting

    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(1)-①")
    drafting.save_year_table(users["kanagawa-drafter"], target, {}, {edition.fiscal_year: Decimal("121")},
                             Authority.objects.get(slug="kanagawa"), target.version)
    before = _state(edition)
    with pytest.raises(services.StalePreview):
        services.confirm_upload(user, pending)
    assert _state(edition) == before


def test_another_users_upload_cannot_be_confirmed(edition, users):
    kawasaki = Authority.objects.get(slug="kawasaki")
    book = _book(services.export_workbook(users["kawasaki-drafter"], edition, kawasaki))
    _kawasaki_edits(edition, book)
    pending, _ = services.preview_upload(users["kawasaki-drafter"], edition, kawasaki, _save(book))
    assert services.pending_upload(users["kawasaki-approver"], pending.token) is None
    with pytest.raises(Refused):
        services.confirm_upload(users["kawasaki-approver"], pending)


def test_who_may_download_and_import(edition, users):
    kawasaki = Authority.objects.get(slug="kawasaki")
    with pytest.raises(Refused):
        services.export_workbook(users["kawasaki-drafter"], edition)  # the whole workbook: the coordinator's
    assert services.export_workbook(users["coordinator"], edition)
    with pytest.raises(Refused):
        services.export_workbook(users["viewer"], edition, kawasaki)
    with pytest.raises(Refused):
        services.preview_upload(users["yokohama-drafter"], edition, kawasaki,
                                services.export_workbook(None, edition, kawasaki))


def test_a_frozen_edition_refuses_import_with_a_clear_message(edition, users, client):
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    data = services.export_workbook(user, edition, kawasaki)
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    edition.refresh_from_db()
    with pytest.raises(Refused, match="提出済みの評価書は変更できません"):
        services.preview_upload(user, edition, kawasaki, data)
    assert services.export_workbook(user, edition, kawasaki)  # still readable
    client.force_login(user)
    response = client.post(reverse("drafting:workbook_upload", args=["keihin", edition.fiscal_year]),
                           {"authority": "kawasaki", "file": io.BytesIO(data)})
    assert response.status_code == 403
    assert "提出済みの評価書は変更できません" in response.content.decode()


# ---- over HTTP ---------------------------------------------------------------------------------------------

def _upload(client, edition, data, authority="kawasaki"):
    file = io.BytesIO(data)
    file.name = "filled.xlsx"
    return client.post(reverse("drafting:workbook_upload", args=[edition.zone.slug, edition.fiscal_year]),
                       {"authority": authority, "file": file})


def test_http_download_upload_preview_confirm_with_messages_on_screen(client, edition, users):
    client.force_login(users["kawasaki-drafter"])
    page = client.get(reverse("reports:edition_detail", args=["keihin", edition.fiscal_year])).content.decode()
    download = reverse("drafting:workbook_download", args=["keihin", edition.fiscal_year]) + "?authority=kawasaki"
    assert f'href="{download}"' in page and "川崎市が入力する欄のワークブック" in page
    response = client.get(download)
    assert response.status_code == 200 and "kawasaki" in response["Content-Disposition"]
    book = _book(response.content)
    count_cell, _, foreign = _kawasaki_edits(edition, book)

    bad = _book(response.content)
    bad["別紙3 税制支援"][count_cell.coordinate] = "=SUM(D1:D3)"
    refused = _upload(client, edition, _save(bad))
    assert refused.status_code == 422
    assert f"シート『別紙3 税制支援』のセル {count_cell.coordinate}：数式は取り込めません" in refused.content.decode()

    response = _upload(client, edition, _save(book))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    text = preview.content.decode()
    assert preview.status_code == 200 and "変更される欄（2件）" in text and "取り込まない欄（1件）" in text
    assert foreign.coordinate in text and "神奈川県" in text
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    done = client.post(reverse("drafting:workbook_confirm", args=["keihin", edition.fiscal_year, token]), follow=True)
    assert "ワークブックから川崎市の数値を2件取り込みました" in done.content.decode()
    assert m.CountYear.objects.get(row__edition=edition, row__name="医薬品等の研究開発促進",
                                   fiscal_year=edition.fiscal_year).count == 2
    again = client.post(reverse("drafting:workbook_confirm", args=["keihin", edition.fiscal_year, token]))
    assert "このアップロードは見つかりません" in again.content.decode()


def test_http_stale_confirm_says_so_on_the_upload_page(client, edition, users):
    client.force_login(users["kawasaki-drafter"])
    data = services.export_workbook(users["kawasaki-drafter"], edition, Authority.objects.get(slug="kawasaki"))
    book = _book(data)
    _kawasaki_edits(edition, book)
    token = _upload(client, edition, _save(book))["Location"].rstrip("/").rsplit("/", 1)[1]
    row = m.CountRow.objects.get(edition=edition, name="遺伝子治療の研究開発促進")
    m.CountYear.objects.filter(row=row, fiscal_year=edition.fiscal_year).update(count=5)
    response = client.post(reverse("drafting:workbook_confirm", args=["keihin", edition.fiscal_year, token]))
    assert response.status_code == 409 and "プレビューの後に" in response.content.decode()
    assert m.CountYear.objects.get(row__edition=edition, row__name="医薬品等の研究開発促進",
                                   fiscal_year=edition.fiscal_year).count == 0


# ---- commands ----------------------------------------------------------------------------------------------

def test_the_commands_export_and_import(edition, users, tmp_path, capsys):
    out = tmp_path / "keihin.xlsx"
    call_command("export_workbook", "--zone", "keihin", "--year", str(edition.fiscal_year), "--out", str(out),
                 "--authority", "kawasaki")
    book = _book(out.read_bytes())
    count_cell, _, _ = _kawasaki_edits(edition, book)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(_save(book))
    args = ["import_workbook", str(filled), "--zone", "keihin", "--year", str(edition.fiscal_year),
            "--authority", "kawasaki", "--user", "kawasaki-drafter"]
    call_command(*args, "--dry-run")
    printed = capsys.readouterr().out
    assert f"変更 シート『別紙3 税制支援』{count_cell.coordinate}" in printed and "取り込まない（神奈川県の欄）" in printed
    assert not Revision.objects.filter(user=users["kawasaki-drafter"]).exists()
    call_command(*args)
    assert "川崎市の数値を2件取り込みました" in capsys.readouterr().out
    assert Revision.objects.filter(user=users["kawasaki-drafter"]).count() == 2
    assert not WorkbookUpload.objects.exists()
    with pytest.raises(CommandError, match="権限がありません"):
        call_command("import_workbook", str(filled), "--zone", "keihin", "--year", str(edition.fiscal_year),
                     "--authority", "kawasaki", "--user", "yokohama-drafter")


def test_changes_made_in_the_edition_after_the_download_are_kept_unless_typed_over(edition, users):
    """The file says what each input cell held at the download (a very hidden sheet): a cell the user did not type
    in keeps the edition's newer value; one typed over a newer value is a change, marked as such."""
    kawasaki = Authority.objects.get(slug="kawasaki")
    user = users["kawasaki-drafter"]
    fy = edition.fiscal_year
    book = _book(services.export_workbook(user, edition, kawasaki))
    assert book["zoneeval"].sheet_state == "veryHidden"

    def count(name):
        return m.CountYear.objects.filter(row__edition=edition, row__name=name, fiscal_year=fy)

    count("遺伝子治療の研究開発促進").update(count=4)  # a colleague, after the download
    count("診断支援事業とテーラーメイド医療への展開").update(count=7)
    m.ActualFigure.objects.filter(target_year__target__indicator__edition=edition, target_year__target__code="(1)-①",
                                  target_year__fiscal_year=fy).update(value=Decimal("121"))
    tax = book["別紙3 税制支援"]
    col = _year_column(tax, fy)
    typed = tax.cell(_find(tax, "医薬品等の研究開発促進", column=1)[0], col)
    typed.value = 2
    over = tax.cell(_find(tax, "診断支援事業とテーラーメイド医療への展開", column=1)[0], col)
    over.value = 3
    pending, reading = services.preview_upload(user, edition, kawasaki, _save(book))
    assert sorted((c.ref, c.old_text, c.new_text, c.changed_since_download) for c in reading.changes) == sorted([
        (typed.coordinate, "0", "2", False), (over.coordinate, "7", "3", True)])
    assert next(c for c in reading.changes if c.ref == over.coordinate).base_text == "0"
    assert sorted(c.label for c in reading.newer) == sorted([
        f"「遺伝子治療の研究開発促進」{fiscal_year_label(fy)} 件数", f"{fiscal_year_label(fy)} 実績値（神奈川県）"])
    assert reading.ignored == []
    services.confirm_upload(user, pending)
    assert count("遺伝子治療の研究開発促進").get().count == 4
    assert count("診断支援事業とテーラーメイド医療への展開").get().count == 3
    assert m.ActualFigure.objects.get(target_year__target__indicator__edition=edition,
                                      target_year__target__code="(1)-①", target_year__fiscal_year=fy).value == 121
