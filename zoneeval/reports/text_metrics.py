"""How wide a text is and where it breaks into lines, in em, for drawings whose geometry is computed ahead of layout
(the 別紙1-2 schedule). The estimate errs on the side of more lines: callers leave some width unused on every line
(gantt.WRAP_SLACK), so a box sized from it holds its text as WeasyPrint sets it with IPAexGothic; a browser with other
fonts may differ slightly (tests/test_schedule.py checks the PDF).

Widths: the printable ASCII characters take their advance widths in IPAexGothic (the PDF's font, read from the font
file once and written here); every other character counts as 1 em (CJK, kana, full-width forms, and anything rarer,
which is at most 1 em in the Japanese fonts we use). Breaks: between any two CJK characters, except before closing
punctuation and small kana and after opening brackets (kinsoku); between Latin words at spaces; inside a word only
when the word alone is wider than the line (the cells use ``overflow-wrap: anywhere``).
"""
from __future__ import annotations

from functools import lru_cache

_ASCII = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
_ASCII_WIDTHS = (
    0.27, 0.298, 0.338, 0.63, 0.63, 0.85, 0.695, 0.193, 0.333, 0.333, 0.37, 0.678, 0.264, 0.358, 0.264, 0.5, 0.63,
    0.63, 0.63, 0.63, 0.63, 0.63, 0.63, 0.63, 0.63, 0.63, 0.32, 0.32, 0.678, 0.678, 0.678, 0.551, 0.894, 0.637, 0.659,
    0.725, 0.757, 0.595, 0.572, 0.753, 0.75, 0.289, 0.38, 0.646, 0.526, 0.902, 0.76, 0.797, 0.621, 0.797, 0.648, 0.585,
    0.599, 0.747, 0.637, 0.928, 0.686, 0.619, 0.642, 0.3, 0.5, 0.3, 0.5, 0.5, 0.5, 0.55, 0.624, 0.544, 0.624, 0.569,
    0.306, 0.555, 0.607, 0.27, 0.27, 0.518, 0.27, 0.871, 0.604, 0.604, 0.621, 0.622, 0.37, 0.462, 0.346, 0.604, 0.486,
    0.752, 0.489, 0.492, 0.473, 0.329, 0.2, 0.329, 0.5,
)
WIDTHS = dict(zip(_ASCII, _ASCII_WIDTHS))

# A line may not start with these (closing punctuation, small kana, prolonged sound mark) …
NO_LINE_START = set("、。，．,.)]}）］｝」』】〉》〕〙〗’”・：；:;!?！？ー～〜ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ%％")
# … nor end with these (opening brackets).
NO_LINE_END = set("([{（［｛「『【〈《〔〘〖‘“")


def char_width(ch: str) -> float:
    return WIDTHS.get(ch, 1.0)


def text_width(text: str) -> float:
    return sum(char_width(ch) for ch in text)


def _is_word_char(ch: str) -> bool:
    """Characters that join into an unbreakable Latin word (ASCII letters, digits, most ASCII punctuation)."""
    return ch in WIDTHS and ch != " "


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: Latin words, spaces, single CJK characters; kinsoku characters glued to their neighbour."""
    raw: list[str] = []
    word = ""
    for ch in text:
        if _is_word_char(ch):
            word += ch
            continue
        if word:
            raw.append(word)
            word = ""
        raw.append(ch)
    if word:
        raw.append(word)
    tokens: list[str] = []
    glue_next = False
    for token in raw:
        if tokens and (glue_next or token[0] in NO_LINE_START):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue_next = token[-1] in NO_LINE_END
    return tokens


def _split_wide(token: str, width: float) -> list[str]:
    """A token wider than the line, cut where it overflows (``overflow-wrap: anywhere``)."""
    pieces, current = [], ""
    for ch in token:
        if current and text_width(current + ch) > width:
            pieces.append(current)
            current = ""
        current += ch
    return pieces + [current] if current else pieces


@lru_cache(maxsize=4096)
def wrap(text: str, width: float) -> tuple[str, ...]:
    """The lines ``text`` takes in a box ``width`` em wide (an empty text takes no line; a line break starts a line).
    A line keeps the spaces it ends with, so the lines of a one-line text join back into it."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            if paragraph != text:
                lines.append("")
            continue
        current, current_width = "", 0.0
        for token in _tokens(paragraph):
            token_width = text_width(token)
            if token.isspace():
                if current:
                    current += token
                    current_width += token_width
                elif lines:
                    lines[-1] += token
                continue
            trailing = len(current) - len(current.rstrip(" "))
            if current and current_width - trailing * WIDTHS[" "] + token_width > width:
                lines.append(current)
                current, current_width = "", 0.0
            if token_width > width:
                *full, current = _split_wide(token, width)
                lines.extend(full)
                current_width = text_width(current)
                continue
            current += token
            current_width += token_width
        if current.strip():
            lines.append(current)
    return tuple(lines)
