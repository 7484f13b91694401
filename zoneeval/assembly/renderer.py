"""Which renderer made an artefact: a fingerprint of everything besides the content that decides the PDF's bytes.

A draft PDF is reused when both the content (the snapshot's hash) and the renderer are the same. Without the
renderer in the key, a deploy that changes a template, a stylesheet or the layout code would keep serving PDFs laid
out by the old code for every edition whose content did not change. The fingerprint is computed once per process
from the files themselves, so it cannot be forgotten when one of them changes."""
from __future__ import annotations

import hashlib
from functools import lru_cache

import weasyprint
from django.conf import settings

# What the PDF is made of besides the content: templates, stylesheets, the code that prepares and draws it.
INPUTS = (
    "templates/reports/print.html",
    "templates/reports/document/*.html",
    "static/css/*.css",
    "zoneeval/reports/*.py",
    "zoneeval/reports/templatetags/*.py",
    "zoneeval/assembly/render.py",
    "zoneeval/assembly/pdf_tags.py",
    "zoneeval/assembly/url_fetcher.py",
    "zoneeval/assembly/pieces.py",  # a draft is merged from pieces (and their fonts shared)
    "zoneeval/assembly/pdf_fonts.py",
)


def input_files() -> list:
    base = settings.BASE_DIR
    return sorted({path for pattern in INPUTS for path in base.glob(pattern) if path.is_file()})


@lru_cache(maxsize=1)
def fingerprint() -> str:
    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n".encode())
    base = settings.BASE_DIR
    for path in input_files():
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
