"""The edition page's preview (the whole document as HTML, ~190 KB) and the content hash, cached.

Building them means reading the whole edition (the snapshot), computing every figure, rendering every template and
hashing the JSON: the cost of the page. They depend only on the content, the language and the code that prints it,
so they are kept in Django's cache (Redis when configured, shared by every process; per process otherwise) under
(edition, content version, submitted or not, language, fingerprint of the templates and code). The content version
moves with every change of the content by any path (reports/versions.py), so a change shows at once; nothing
personal is in the fragment (the buttons and permissions of the page are rendered per request around it)."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from .interchange.export import edition_snapshot, to_json
from .presentation import document_context

# What the preview is made of besides the content.
INPUTS = ("templates/reports/document/*.html", "zoneeval/reports/*.py", "zoneeval/reports/templatetags/*.py",
          "zoneeval/reports/interchange/*.py")
TIMEOUT = 7 * 24 * 3600  # a version never changes meaning; old versions simply age out


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The templates and code that print the preview, hashed once per process (a deploy changes the key)."""
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    for path in sorted({p for pattern in INPUTS for p in base.glob(pattern) if p.is_file()}):
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _key(edition) -> str:
    # created_at: an id is used again by another edition when a database is made anew
    return (f"edition-preview:{edition.pk}:{edition.created_at.timestamp():.6f}:{edition.content_version}:"
            f"{int(edition.is_frozen)}:"
            f"{translation.get_language() or settings.LANGUAGE_CODE}:{fingerprint()}")


def build(edition) -> dict:
    """Build the preview from the content (no cache): the document HTML, the content hash (the same as assembly's
    ``content_hash`` of the snapshot), the title's parts and the co-authors' printed names."""
    snapshot = edition_snapshot(edition)
    context = document_context(snapshot)
    payload = to_json(snapshot)
    return {"html": render_to_string("reports/document/document.html", context),
            "content_hash": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
            "zone_name": snapshot["zone"]["name"], "document_title": context["document_title"],
            "fiscal_year_label": context["fiscal_year_label"], "authorities": context["authorities"]}


def edition_preview(edition) -> dict:
    """The cached preview of ``edition`` as read now (its ``content_version``): html (safe), content_hash,
    zone_name, document_title, fiscal_year_label, authorities (slug -> printed name)."""
    key = _key(edition)
    preview = cache.get(key)
    if preview is None:
        preview = build(edition)
        cache.set(key, preview, TIMEOUT)
    return {**preview, "html": mark_safe(preview["html"])}  # noqa: S308 — rendered by our templates (autoescaped)


def content_hash(edition) -> str:
    """The edition's current content hash, from the cache when its content has not changed."""
    return edition_preview(edition)["content_hash"]
