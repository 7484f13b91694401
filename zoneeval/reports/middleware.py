"""A form POST larger than the request limit (zoneeval/limits.py REQUEST_MAX_BYTES, Django's
DATA_UPLOAD_MAX_MEMORY_SIZE) is answered with a Japanese page (413) before anything reads the body, instead of
Django's bare 400. Under HTMX the message goes to the page's alert area and the form, with what was typed, stays."""
from django.conf import settings
from django.shortcuts import render

from .. import limits


class RequestTooLargeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and request.method in ("POST", "PUT", "PATCH"):
            htmx = bool(request.headers.get("HX-Request"))
            context = {"limit_mb": limit // (1024 * 1024), "length_mb": round(length / (1024 * 1024), 1),
                       "rich_text_max": f"{limits.RICH_TEXT_MAX:,}"}
            response = render(request, "_request_too_large.html" if htmx else "request_too_large.html", context,
                              status=413)
            if htmx:
                response["HX-Retarget"] = "#request-refused"
                response["HX-Reswap"] = "innerHTML"
                response["X-Refusal"] = "413"  # static/js/refusals.js: shown above the form, the text kept
            return response
        return self.get_response(request)
