"""The charts in Chromium: on the edition page (a 地域活性化 zone in Heisei years with level targets) and on a target's
year-table page, at 1366 px and 390 px: drawn inside the screen, axe-core finds nothing, their table opens.
Screenshots go to var/screenshots/ (charts-*)."""

import pytest

from tests.browser_support import PASSWORD, WIDTHS, check_view, signed_in_page
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db(transaction=True)


from .test_browser_a11y import browser  # noqa: E402,F401  (one Chromium for the module, fixture)


def _chart_boxes(page):
    """Each chart's box (which scrolls sideways on a narrow screen) and its drawing's width."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.chart-drawing')].map(svg => {
        const box = svg.closest('.chart-scroll').getBoundingClientRect(), r = svg.getBoundingClientRect();
        return {left: box.left, right: box.right, width: r.width, height: r.height};
    })""")


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_in_chromium(browser, live_server, shiomi_edition, width):
    ensure_user("chart-coordinator", PASSWORD, authority=shiomi_edition.coordinator, role="coordinator")
    page = signed_in_page(browser, live_server.url, "chart-coordinator")
    base = f"{live_server.url}/{shiomi_edition.zone.slug}/{shiomi_edition.fiscal_year}/"
    numerical = m.NumericalTarget.objects.filter(indicator__edition=shiomi_edition).exclude(kind="qualitative")

    def visit_edition(p):
        p.goto(base)
        p.locator("svg.chart-drawing").first.scroll_into_view_if_needed()

    report = check_view(page, role="charts", name="edition", width=width, visit=visit_edition)
    assert report["violations"] == [] and report["overflow"] == 0, report
    boxes = _chart_boxes(page)
    assert len(boxes) == numerical.count()
    # inside the screen, and never drawn narrower than 600 px (its text would be too small to read)
    assert all(box["left"] >= 0 and box["right"] <= width and box["width"] >= 600 for box in boxes), boxes
    page.locator("details.chart-table summary").first.click()
    assert page.locator("details.chart-table table").first.is_visible()

    target = numerical.order_by("pk").first()
    report = check_view(page, role="charts", name="target-years", width=width,
                        visit=f"{live_server.url}/draft/target/{target.pk}/years/")
    assert report["violations"] == [] and report["overflow"] == 0, report
    boxes = _chart_boxes(page)
    assert len(boxes) == 1 and boxes[0]["right"] <= width and boxes[0]["width"] >= 600
    page.close()
