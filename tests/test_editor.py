"""The rich-text editor and the one sanitiser agree: what the editor can produce is exactly what clean_html keeps,
Word's clipboard junk comes out as clean paragraphs and lists, and the drafting form renders the editor's textarea."""
import json
import re

import pytest
from django import forms

from zoneeval import limits
from zoneeval.drafting.fields import RichTextField
from zoneeval.reports.sanitize import ALLOWED_TAGS, EDITOR_EXTENSIONS, clean_html

from .conftest import ROOT

WORD_HTML = (ROOT / "tests" / "fixtures" / "word-paste.html").read_text(encoding="utf-8")

# What the editor's getHTML() gives for each thing it offers (Tiptap's serialisation).
EDITOR_OUTPUT = ('<p>段落<strong>太字</strong><em>斜体</em><br>改行の後</p>'
                 '<ul><li><p>箇条書き</p></li></ul>'
                 '<ol type="1" data-type="decimal"><li><p>番号付き</p></li></ol>')


def test_the_sanitiser_keeps_exactly_the_elements_the_editor_can_produce():
    from django_prose_editor.config import allowlist_from_extensions

    allowed = allowlist_from_extensions(EDITOR_EXTENSIONS)
    assert allowed["tags"] == ALLOWED_TAGS
    # The only attributes the editor writes are the numbered list's style, which the report does not use.
    assert set(allowed["attributes"]) <= {"ol"}


def test_the_editor_output_survives_sanitising_unchanged_but_for_the_list_style():
    assert clean_html(EDITOR_OUTPUT) == EDITOR_OUTPUT.replace(' type="1" data-type="decimal"', "")
    assert {tag for tag in re.findall(r"<([a-z]+)", clean_html(EDITOR_OUTPUT))} == ALLOWED_TAGS


@pytest.mark.parametrize("html, expected", [
    ("<p>CO<sub>2</sub> と <u>下線</u>、<sup>注</sup></p>", "<p>CO2 と 下線、注</p>"),  # not offered: text kept
    ('<h2>見出し</h2><p><a href="https://example.org/">リンク</a><img src="x.png"></p>', "見出し<p>リンク</p>"),
    ('<p style="color:red" class="x" onclick="alert(1)">属性</p><script>alert(1)</script>', "<p>属性</p>"),
    ("<table><tr><td>表</td></tr></table>", "表"),
])
def test_what_the_editor_does_not_offer_is_unwrapped_with_its_text_kept(html, expected):
    assert clean_html(html) == expected


def test_word_clipboard_html_becomes_clean_paragraphs_and_a_list():
    cleaned = clean_html(WORD_HTML)
    assert re.sub(r"\s+", "", cleaned) == ("<p>ワードから貼り付けた段落</p>"
                                           "<ul><li>ワードの項目一</li><li>ワードの項目二</li></ul>")
    for junk in ("mso", "o:p", "span", "font", "style", "Mso", "·", "StartFragment", "&nbsp;"):
        assert junk not in cleaned


def test_word_numbered_paragraphs_become_a_numbered_list_and_empty_paragraphs_go():
    html = ("<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            "<p class=MsoListParagraphCxSpFirst style='mso-list:l1 level1 lfo2'><![if !supportLists]>"
            "<span style='mso-fareast-font-family:Century'><span style='mso-list:Ignore'>１．<span "
            "style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp; </span></span></span><![endif]>一つ目</p>\n"
            "<p class=MsoListParagraphCxSpLast style='mso-list:l1 level1 lfo2'><!--[if !supportLists]-->"
            "<span style='mso-list:Ignore'>２．</span><!--[endif]--><b>二つ目</b></p>"
            "<p class=MsoNormal>その後の段落<o:p></o:p></p>")
    assert re.sub(r"\s+", "", clean_html(html)) == "<ol><li>一つ目</li><li>二つ目</li></ol><p>その後の段落</p>"


def test_an_empty_editor_document_is_no_text():
    assert clean_html("<p></p>") == "" and clean_html("<p>&nbsp;</p><p> </p>") == ""
    assert clean_html("<p>本文</p><p></p>") == "<p>本文</p>"


class _Form(forms.Form):
    result = RichTextField(label="実績・直接効果")


def test_the_form_field_renders_the_editor_textarea_with_its_configuration_and_no_script():
    html = str(_Form(initial={"result": "<p>本文</p>"})["result"])
    config = json.loads(re.search(r'data-django-prose-editor-configurable="([^"]*)"', html).group(1)
                        .replace("&quot;", '"'))
    assert set(EDITOR_EXTENSIONS) - {"NoSpellCheck"} <= set(config["extensions"])
    assert "HTML" not in config["extensions"]  # nobody edits HTML source
    assert "<script" not in html and "&lt;p&gt;本文&lt;/p&gt;" in html  # the value, escaped inside the textarea


def test_the_form_sanitises_a_word_paste_and_measures_the_limit_on_the_sanitised_html():
    form = _Form({"result": WORD_HTML})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["result"] == clean_html(WORD_HTML)
    # Word's markup does not count against the limit; the text does.
    padded = "<p class=MsoNormal style='mso-margin-top-alt:auto'><span>" + "字" * 100 + "<o:p></o:p></span></p>"
    assert _Form({"result": padded * 90}).is_valid()  # 90 × 107 stored characters, far more raw
    too_long = _Form({"result": "<p>" + "字" * limits.RICH_TEXT_MAX + "</p>"})
    assert not too_long.is_valid()
    assert "10,000文字以内で入力してください" in too_long.errors["result"][0]
