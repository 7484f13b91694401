"""The official PDF, rendered by WeasyPrint from the same templates as the web preview."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from ..reports.presentation import document_context
from . import pdf_tags
from .url_fetcher import SafeURLFetcher

# Every PDF (draft or submitted) is tagged for accessibility: PDF/UA-1, with the additions of pdf_tags.
PDF_VARIANT = "pdf/ua-1"

_FONT_CONFIG: FontConfiguration | None = None
_STYLESHEETS: list[CSS] | None = None


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: a long-lived worker pays for font loading once."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def stylesheets() -> list[CSS]:
    """The preview's stylesheet, then the print rules; parsed once per process."""
    global _STYLESHEETS
    if _STYLESHEETS is None:
        css_dir = settings.BASE_DIR / "static" / "css"
        _STYLESHEETS = [
            CSS(filename=str(css_dir / name), font_config=font_config(), url_fetcher=SafeURLFetcher())
            for name in ("app.css", "print.css")
        ]
    return _STYLESHEETS


def draft_mark(day=None) -> str:
    """The mark every PDF but the submitted one carries on every page: 「案　令和元年11月29日作成」."""
    from django.utils import timezone

    from ..reports.era import date_label

    return f"案　{date_label(day or timezone.localdate())}作成"


def document_html(snapshot: dict, final: bool = False) -> str:
    """The print HTML of a snapshot (the document partials of the preview inside a print wrapper). Every PDF is a
    draft (案 and its date on every page) unless ``final``: the one rendered when the edition is submitted."""
    context = document_context(snapshot)
    context["for_print"] = True
    context["draft_mark"] = "" if final else draft_mark()
    return render_to_string("reports/print.html", context)


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    seconds: float
    refused_urls: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def render_pdf(snapshot: dict, html: str | None = None, pdf_variant: str | None = PDF_VARIANT) -> RenderResult:
    """The PDF of a snapshot (or of ``html``). ``pdf_variant=None`` writes an untagged PDF (for measuring only)."""
    pdf_tags.install()
    started = time.perf_counter()
    html = html if html is not None else document_html(snapshot)
    built = time.perf_counter()
    fetcher = SafeURLFetcher()
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static") + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets(), font_config=font_config()
    )
    laid_out = time.perf_counter()
    pdf = document.write_pdf(pdf_variant=pdf_variant, uncompressed_pdf=False)
    done = time.perf_counter()
    return RenderResult(
        pdf=pdf, pages=len(document.pages), seconds=done - started, refused_urls=fetcher.refused,
        timings={"html": built - started, "layout": laid_out - built, "write": done - laid_out},
    )
