"""What a refused, missing or failed request shows: the site's layout with the reason and what to do, never a bare
sentence or Django's technical page. One function, ``refusal``, answers every refused action — a PermissionDenied
raised anywhere (handler403) and the views that refuse a stale or forbidden action themselves; an HTMX request gets
the same as a fragment (``templates/_refusal.html``) to show where the action was."""
from __future__ import annotations

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

DEFAULT_REASON = "この操作を行う権限がありません。"
HELP = {
    403: "この操作が必要な場合は、所属自治体の取りまとめ担当者に役割の付与を依頼してください。",
    409: "他の人の変更が先に保存されています。ページを読み込み直して最新の内容を確認してから、もう一度操作してください。",
}
TITLES = {403: "この操作はできません", 409: "他の人が先に変更しました"}


def _back_url(request) -> str | None:
    """The page the user came from, if it is on this site (never an outside address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return None


def safe_next(request, default: str) -> str:
    """Where to go back after an action: the form's ``next`` or the page the user came from, if it is on this site;
    otherwise ``default``."""
    for candidate in (request.POST.get("next") or request.GET.get("next") or "", request.META.get("HTTP_REFERER", "")):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
            return candidate
    return default


def _reason(error) -> str:
    if error is None:
        return DEFAULT_REASON
    if isinstance(error, str):
        return error or DEFAULT_REASON
    message = error.args[0] if getattr(error, "args", None) else ""
    return str(message) if message else DEFAULT_REASON


def refusal(request, error=None, status: int = 403):
    """A refused action: the layout page (or, for HTMX, the fragment) with the reason and what to do."""
    context = {"reason": _reason(error), "status": status, "title": TITLES.get(status, TITLES[403]),
               "help": HELP.get(status, HELP[403]), "back_url": _back_url(request)}
    if request.headers.get("HX-Request"):
        # Marked as a refusal: static/js/refusals.js shows it above the form or row where the user acted, instead of
        # letting it replace what they typed.
        response = render(request, "_refusal.html", context, status=status)
        response["X-Refusal"] = str(status)
        return response
    return render(request, "403.html", context, status=status)


def permission_denied(request, exception=None):
    """handler403: every PermissionDenied raised in a view."""
    return refusal(request, exception, 403)


def page_not_found(request, exception=None):
    """handler404: the layout page; never the list of URL routes."""
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


def server_error(request):
    """handler500: a standalone page rendered without a request context (no database, no context processors), so
    that it shows whatever failed. It shows the request id (zoneeval.logs), which leads an operator to the log lines."""
    return HttpResponseServerError(loader.get_template("500.html").render(
        {"request_id": getattr(request, "request_id", "")}))
