"""Report text is user input: keep a small set of formatting tags and drop everything else.

The rich-text editor of the drafting forms (django-prose-editor, ``EDITOR_EXTENSIONS``) offers exactly what the report
uses and this sanitiser keeps: paragraphs, bulleted and numbered lists, bold and italic, line breaks. What the editor
can produce is what survives here (tests/test_editor.py holds the two together), so text edited in the browser,
imported from JSON or typed without JavaScript is stored alike, and nothing the editor cannot show is ever stored.
"""
import html
import re

import nh3

ALLOWED_TAGS = {"p", "ul", "ol", "li", "br", "strong", "em"}

# The editor's extensions (django-prose-editor's configurable preset; the keys are its extension names). Document,
# Text, Paragraph, History (undo/redo), Dropcursor, Gapcursor and the menu are added by the library.
EDITOR_EXTENSIONS = {
    "Paragraph": True,
    "HardBreak": True,
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": {"enableListAttributes": False},  # numbered 1, 2, 3: no list-style or start dialog
    "ListItem": True,
    "NoSpellCheck": False,
}


def clean_html(text: str) -> str:
    """Sanitised HTML: no attributes, no scripts, no styles, no links or images; text content is kept. What Word puts
    on the clipboard comes out as clean paragraphs and lists: its list paragraphs (``mso-list``) become ``<ul>``/``<ol>``
    without their typed bullets, ``<o:p>``, ``<span style="mso-…">`` and ``<font>`` are unwrapped, its ``<style>``
    blocks, conditional comments and empty paragraphs dropped. (The editor does the same to a paste in the browser,
    static/js/editor.js, before the text ever gets here.)"""
    if not text:
        return ""
    cleaned = nh3.clean(_word_lists(text), tags=ALLOWED_TAGS, attributes={}, url_schemes=set(),
                        strip_comments=True)
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned).strip()
    # An editor's empty document ("<p></p>") or a paste of nothing but empty paragraphs is no text.
    return cleaned if _TEXT.search(_TAG.sub("", cleaned).replace("&nbsp;", "")) else ""


_TAG = re.compile(r"<[^>]*>")
_TEXT = re.compile(r"[^\s\u00a0\u3000]")
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|\u3000|<br>)*</p>")
_WORD_LIST_PARAGRAPH = re.compile(r"<p\b(?=[^>]*mso-list\s*:\s*l\d)[^>]*>(.*?)</p\s*>", re.I | re.S)
_WORD_MARKER = re.compile(r"<!--\[if !supportLists\]-->(.*?)<!--\[endif\]-->|<!\[if !supportLists\]>(.*?)<!\[endif\]>"
                          r"|<span\b[^>]*mso-list\s*:\s*ignore[^>]*>(.*?)</span\s*>", re.I | re.S)
_ORDERED_MARKER = re.compile(r"^[\s\u00a0]*[(（]?[0-9０-９a-zA-Zａ-ｚＡ-Ｚⅰ-ⅻⅠ-Ⅻ①-⑳]{1,3}[.．)）、]")


def _word_lists(text: str) -> str:
    """Word writes a list as paragraphs styled ``mso-list:l0 level1`` that begin with the bullet or number as text:
    consecutive ones become one list (numbered if the first marker is a number or letter), the markers go."""
    if "mso-list" not in text.lower():
        return text
    parts, position, open_list = [], 0, None
    for match in _WORD_LIST_PARAGRAPH.finditer(text):
        markers = []
        body = _WORD_MARKER.sub(lambda marker: markers.append(marker.group(0)) or "", match.group(1))
        marker_text = html.unescape(_TAG.sub("", "".join(markers)))
        tag = "ol" if _ORDERED_MARKER.match(marker_text) else "ul"
        between = text[position:match.start()]
        if open_list and (_TAG.sub("", between).strip() or "<p" in between.lower() or tag != open_list):
            parts.append(f"</{open_list}>")
            open_list = None
        parts.append(between)
        if not open_list:
            parts.append(f"<{tag}>")
            open_list = tag
        parts.append(f"<li>{body}</li>")
        position = match.end()
    if open_list:
        parts.append(f"</{open_list}>")
    parts.append(text[position:])
    return "".join(parts)


# Bullets people type at the start of a line instead of using a list: 「・」 (Japanese), 「･」 (half-width), 「•」.
TYPED_BULLETS = "・･•"
_BULLET_PARAGRAPHS = re.compile(r"(?:<p>[\s\u3000]*[" + TYPED_BULLETS + r"].*?</p>\s*)+", re.S)
_BULLET_PARAGRAPH = re.compile(r"<p>[\s\u3000]*[" + TYPED_BULLETS + r"][\s\u3000]*(.*?)</p>", re.S)
_BULLET_ITEM = re.compile(r"<li>([\s\u3000]*(?:<(?:strong|em)>)*)[\s\u3000]*[" + TYPED_BULLETS + r"][\s\u3000]*")


def typed_bullets_as_lists(text: str) -> str:
    """For display (the ``rich`` filter; what is stored is left as written): consecutive paragraphs that begin with a
    typed bullet become one bulleted list, and a list item loses a typed bullet of its own (the list draws one), so
    that a report has one bullet style, the list's. Works on clean_html's output, whose tags carry no attributes."""
    text = _BULLET_ITEM.sub(lambda m: "<li>" + m.group(1), text)
    return _BULLET_PARAGRAPHS.sub(
        lambda run: "<ul>" + "".join(f"<li>{m.group(1)}</li>" for m in _BULLET_PARAGRAPH.finditer(run.group(0)))
        + "</ul>", text)
