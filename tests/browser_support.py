"""Browser-test helpers: Debian's Chromium driven by Playwright, axe-core's WCAG 2.1 AA checks, the horizontal-scroll
check of narrow screens and screenshots (var/screenshots/, git-ignored).

axe-core is a devDependency in package.json (scripts/test.sh runs `npm ci` when node_modules lacks it). Its source is
run with `page.evaluate`, which executes in the page through the DevTools protocol and is not subject to the site's
Content-Security-Policy; the context keeps the CSP on (no `bypass_csp`), so what is checked is the page as users get
it, CSP included.
"""
import contextlib
import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1366, 390)
PASSWORD = "pw-for-tests-123"


@contextlib.contextmanager
def sync_playwright():
    """Playwright's sync API, with what Django needs around it: the API runs an event loop in this thread, so
    Django's async-safety check is relaxed while it is open (and restored after, so that later tests and the
    subprocesses they start do not inherit it); and the database connections that the tests opened while it ran are
    closed when it ends. Those connections live in the context of the Playwright session, where the session's
    teardown of the test database does not see them: left open, the test database could not be dropped ("database
    … is being accessed by other users") and stayed behind."""
    from django.db import connections
    from playwright.sync_api import sync_playwright as playwright_session

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_session() as playwright:
            try:
                yield playwright
            finally:
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("Debian's chromium is needed (scripts/test.sh installs it)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def signed_in_page(browser, base_url: str, username: str | None, password: str = PASSWORD):
    """A new context (its own cookies) and page, signed in as `username` (None: anonymous)."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(20000)
    if username:
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/login/" in page.url:
            raise AssertionError(f"{username} could not sign in")
    return page


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations of the page as it is now, each reduced to what a reader needs."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG21_AA)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")[:300]} for n in v["nodes"]]}
            for v in result["violations"]]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements sticking out past the viewport's right edge (for the failure message)."""
    return page.evaluate("""limit => {
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && r.width > 0) {
          out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                   (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                   ' right=' + Math.round(r.right));
        }
        if (out.length >= limit) break;
      }
      return out;
    }""", limit)


def squeezed_controls(page, limit: int = 5) -> list[str]:
    """Buttons (and links drawn as buttons) whose label wraps onto more than two lines: a row of controls that does
    not wrap squeezes each one to a column a character or two wide (the failure message names them)."""
    return page.evaluate("""limit => {
      const out = [];
      for (const el of document.querySelectorAll('button, a.button, input[type=submit]')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        const style = getComputedStyle(el);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
        const inner = r.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
                      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
        if (inner > line * 2.5) {
          out.push((el.innerText || el.value || '').trim().slice(0, 20) + ' (' + Math.round(r.width) + '×'
                   + Math.round(r.height) + 'px)');
        }
        if (out.length >= limit) break;
      }
      return out;
    }""", limit)


def screenshot(page, role: str, name: str, width: int) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{role}-{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_view(page, *, role: str, name: str, width: int, visit=None) -> dict:
    """Set the width, optionally visit (a URL or a callable), then axe, the sideways-scroll check and a screenshot."""
    started = time.monotonic()
    page.set_viewport_size({"width": width, "height": 900})
    if isinstance(visit, str):
        page.goto(visit)
    elif visit is not None:
        visit(page)
    page.wait_for_load_state()
    overflow = horizontal_overflow(page)
    report = {"view": f"{role}-{name}-{width}", "violations": run_axe(page), "overflow": overflow,
              "sticking_out": widest_elements(page) if overflow else [],
              "squeezed": squeezed_controls(page),
              "template_leaks": page.evaluate(
                  "() => ['{#', '#}', '{%', '{{'].filter(mark => document.body.innerText.includes(mark))")}
    screenshot(page, role, name, width)
    if page.evaluate("() => !!document.activeElement && !!document.activeElement.closest('main form')"):
        # What the user sees where the focus went (e.g. the form that 編集 opened), not only the whole page.
        page.evaluate("() => document.activeElement.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(SCREENSHOTS / f"{role}-{name}-{width}-focus.png"))
    report["seconds"] = round(time.monotonic() - started, 2)
    return report
