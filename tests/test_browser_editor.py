"""The rich-text editor in a real browser (Debian's Chromium driven by Playwright) against a live server: type, make
a list, paste from Word, save, reload, edit again — no tag is ever visible, the text and the list come back, the stored
HTML is clean, and the Content-Security-Policy is never violated."""
import re

import pytest

from zoneeval import limits
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m
from zoneeval.reports.sanitize import ALLOWED_TAGS

from .conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

# What Word puts on the clipboard (trimmed): its styles, conditional comments, <o:p>, spans and fonts, and a bulleted
# list written as paragraphs with mso-list styles and a bullet glyph in an mso-list:Ignore span.
WORD_HTML = (ROOT / "tests" / "fixtures" / "word-paste.html").read_text(encoding="utf-8")

PASTE = """([selector, html]) => {
  const target = document.querySelector(selector)
  const data = new DataTransfer()
  data.setData("text/html", html)
  data.setData("text/plain", "ワードから貼り付けた段落")
  target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}))
}"""

WATCH_CSP = """window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));"""

TAG_TEXT = re.compile(r"</?\s*(p|ul|ol|li|br|strong|em|span|font|o:p)\b[^>]*>|&lt;|&gt;", re.I)


def _sign_in(page, live_server, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", "yokohama-drafter")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("form button[type=submit]")


def _visible_text(page) -> str:
    return page.locator("body").inner_text()


@pytest.fixture
def drafting(live_server, edition, browser_page):  # noqa: F811
    yokohama = m.CoAuthor.objects.get(edition=edition, authority__slug="yokohama").authority
    ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role="drafter")
    own = m.LocalMeasureRow.objects.filter(edition=edition, owner=yokohama, table="fiscal").order_by("order").first()
    page = browser_page
    console = []
    page.on("console", lambda message: console.append((message.type, f"{message.text} {message.location.get('url')}")))
    page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
    page.add_init_script(WATCH_CSP)
    _sign_in(page, live_server, "/keihin/2019/draft/annex4/")
    return page, own, console


def _open_editor(page, own):
    row = page.locator(f"#item-local-row-{own.pk}")
    row.get_by_role("button", name=re.compile("編集")).first.click()  # HTMX swaps the form in
    editor = row.locator(".form-row:has(textarea[name=result]) .ProseMirror")
    editor.wait_for()
    return row, editor


def _no_csp_violation(page, console):
    violations = page.evaluate("window.__cspViolations")
    csp_console = [text for kind, text in console if "Content Security Policy" in text or "Refused to" in text]
    errors = [(kind, text) for kind, text in console  # an HTTP status (favicon 404, the refusal's 422) is no error
              if kind in ("error", "pageerror") and not text.startswith("Failed to load resource")]
    assert violations == [] and csp_console == [] and errors == []


def test_type_list_paste_from_word_save_reload_shows_no_tag_and_keeps_the_text(drafting, tmp_path):
    from playwright.sync_api import expect

    page, own, console = drafting
    row, editor = _open_editor(page, own)
    # The old text is shown formatted, not as HTML source; the textarea is hidden inside the editor.
    assert "<p>" not in _visible_text(page) and "&lt;p" not in page.locator("main").inner_text()
    expect(row.locator("textarea[name=result]")).to_be_hidden()
    expect(row.locator(".prose-menubar button[data-name=bulletList]").first).to_have_accessible_name("箇条書き")

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("ブラウザで書いた段落")
    page.keyboard.press("Enter")
    row.locator(".form-row:has(textarea[name=result]) button[data-name=bulletList]").click()
    page.keyboard.type("箇条書きの一")
    page.keyboard.press("Enter")
    page.keyboard.type("箇条書きの二")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.evaluate(PASTE, [f"#item-local-row-{own.pk} .form-row:has(textarea[name=result]) .ProseMirror", WORD_HTML])
    expect(editor.locator("ul li")).to_have_count(4)
    assert "·" not in editor.inner_text() and "<" not in editor.inner_text()
    page.screenshot(path=str(tmp_path / "editor-before-save.png"), full_page=False)

    row.locator("button[type=submit]").click()
    expect(page.locator(f"#item-local-row-{own.pk} .ProseMirror")).to_have_count(0)  # saved: the row is back
    own.refresh_from_db()
    stored = own.result
    assert stored == ("<p>ブラウザで書いた段落</p><ul><li><p>箇条書きの一</p></li><li><p>箇条書きの二</p></li></ul>"
                      "<p>ワードから貼り付けた段落</p><ul><li><p>ワードの項目一</p></li><li><p>ワードの項目二</p></li></ul>")
    assert set(re.findall(r"</?([a-z0-9:]+)", stored)) <= ALLOWED_TAGS and not re.search(r"<[a-z]+\s", stored)

    page.reload()
    text = _visible_text(page)
    assert not TAG_TEXT.search(text), TAG_TEXT.search(text)
    shown = page.locator(f"#item-local-row-{own.pk}")
    expect(shown).to_contain_text("ブラウザで書いた段落")
    expect(shown.locator("ul li")).to_have_count(4)

    row, editor = _open_editor(page, own)
    expect(editor.locator("p").first).to_have_text("ブラウザで書いた段落")
    expect(editor.locator("ul li")).to_have_text(["箇条書きの一", "箇条書きの二", "ワードの項目一", "ワードの項目二"])
    assert not TAG_TEXT.search(_visible_text(page))
    page.screenshot(path=str(tmp_path / "editor-reopened.png"), full_page=False)
    _no_csp_violation(page, console)


def test_too_long_text_is_refused_beside_the_editor_with_the_text_kept(drafting):
    from playwright.sync_api import expect

    page, own, console = drafting
    before = own.result
    row, editor = _open_editor(page, own)
    editor.click()
    page.keyboard.press("Control+A")
    long_text = "長" * (limits.RICH_TEXT_MAX + 1)
    page.evaluate("""([selector, text]) => {
      const data = new DataTransfer(); data.setData("text/plain", text)
      document.querySelector(selector).dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                                                 cancelable: true}))
    }""", [f"#item-local-row-{own.pk} .form-row:has(textarea[name=result]) .ProseMirror", long_text])
    row.locator("button[type=submit]").click()
    error = page.locator(f"#item-local-row-{own.pk} .form-row:has(textarea[name=result]) .field-error")
    expect(error).to_contain_text("10,000文字以内で入力してください")
    editor = page.locator(f"#item-local-row-{own.pk} .form-row:has(textarea[name=result]) .ProseMirror")
    assert long_text in editor.inner_text()  # what was typed is kept, in the editor again
    own.refresh_from_db()
    assert own.result == before
    _no_csp_violation(page, console)


def test_a_new_item_posted_without_htmx_carries_the_editor_text(drafting):
    """The 追加 form is swapped in by htmx but posted as a normal form: the editor's HTML goes with it."""
    from playwright.sync_api import expect

    page, own, console = drafting
    page.locator('.create-options button[hx-get*="local-row"][hx-get*="owner=yokohama"]').first.click()
    form = page.locator("#new-item form")
    editor = form.locator(".form-row:has(textarea[name=result]) .ProseMirror")
    editor.wait_for()
    form.locator("input[name=name]").fill("ブラウザで追加した取組")
    editor.click()
    page.keyboard.type("追加した実績")
    page.keyboard.press("Control+B")
    page.keyboard.type("太字")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"#item-"))
    created = m.LocalMeasureRow.objects.get(edition=own.edition, name="ブラウザで追加した取組")
    assert created.result == "<p>追加した実績<strong>太字</strong></p>"
    expect(page.locator(f"#item-local-row-{created.pk}")).to_contain_text("追加した実績太字")
    assert not TAG_TEXT.search(_visible_text(page))
    _no_csp_violation(page, console)
