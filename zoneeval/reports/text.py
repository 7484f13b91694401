"""Plain-text views of stored rich text (for checks and search, never for display)."""
import html
import re

_BLOCK_END = re.compile(r"</(p|li)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def plain_text(value: str) -> str:
    """The text without tags or surrounding whitespace."""
    return html.unescape(_TAG.sub("", value or "")).strip()


def sentences(value: str) -> list[str]:
    """Sentences of a rich text: split at 。 and at the end of every paragraph or list item."""
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("。", value or "")))
    return [s.strip() for s in text.split("。") if s.strip()]
