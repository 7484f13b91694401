"""Every bound on report input, stated once, below every app (authorities, reports and the apps above use it).

The interchange schema (``reports/interchange/schema.json``, checked against this module by ``tests/test_limits.py``), the
model fields (max_length and validators, so admin and ``full_clean`` hold them), the drafting forms (derived from the
model fields) and the JSON loader all take their limits from here.

- Text lengths are counted in characters (``len`` of a Python ``str``). A rich-text field is measured on the stored,
  sanitised HTML (what is kept, exported and rendered), tags included.
- Amounts are decimals of at most ``AMOUNT_INTEGER_DIGITS`` digits before and ``AMOUNT_DECIMAL_PLACES`` after the
  point, never negative; counts and other integers are 0 … ``COUNT_MAX``.
- No text may contain control characters (other than tab and newline in multi-line text), bidirectional embedding,
  override or isolate characters (U+202A–U+202E, U+2066–U+2069), surrogates or non-characters; one-line text has no
  tab or line break either.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.deconstruct import deconstructible

# ---- text lengths (characters) ----------------------------------------------------------------------------------
LINE_MAX = 500  # a one-line text: titles, names, headings
SHORT_MAX = 200  # related targets, ministries, evaluation labels
AUTHORITY_NAME_MAX = 200  # a co-author's or a partner body's name
LOCAL_ROW_BODIES_MAX = 20  # bodies named in one 別紙4 row (co-authors and partner bodies)
ZONE_NAME_MAX = 300
UNIT_MAX = 20
CONSULTATION_MAX = 100  # 協議時期
REFERENCE_MAX = 50  # 対応方針の整理番号
SCHEDULE_TITLE_MAX = 1000
SCHEDULE_TEXT_MAX = 2000
RICH_TEXT_MAX = 10_000  # one rich-text field, sanitised HTML (the FY2019 sample's longest is 1,356)
COMMENT_MAX = RICH_TEXT_MAX

# ---- numbers ----------------------------------------------------------------------------------------------------
AMOUNT_MAX_DIGITS = 20
AMOUNT_DECIMAL_PLACES = 4
AMOUNT_INTEGER_DIGITS = AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES
AMOUNT = {"max_digits": AMOUNT_MAX_DIGITS, "decimal_places": AMOUNT_DECIMAL_PLACES}  # DecimalField arguments
CONTRIBUTION = {"max_digits": 6, "decimal_places": 2}  # 寄与度 (%)
SCORE = {"max_digits": 4, "decimal_places": 1}  # 前年度の評価点
# The national evaluation (国の評価) scores each evaluation item on a 5-point scale, to one decimal (e.g. 3.9点).
NATIONAL_SCORE = {"max_digits": 2, "decimal_places": 1}
NATIONAL_SCORE_MIN, NATIONAL_SCORE_MAX = 1, 5
NATIONAL_RESULT_MAX = SHORT_MAX  # the overall result in words (e.g. 概ね順調)
COUNT_MAX = 999_999_999  # counts, numbers, 進捗度: well inside a PostgreSQL integer
FISCAL_YEAR_MIN, FISCAL_YEAR_MAX = 1868, 2200

# ---- identifiers -------------------------------------------------------------------------------------------------
SLUG_MAX = 63
SLUG_BODY = r"[a-z0-9][a-z0-9-]{0,62}"

# ---- characters --------------------------------------------------------------------------------------------------
# As regular-expression character-class contents (valid in Python ``re`` and in ECMA 262, i.e. JSON Schema).
FORBIDDEN_IN_TEXT = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
FORBIDDEN_IN_LINE = FORBIDDEN_IN_TEXT + r"\u0009\u000a\u000d\u2028\u2029"

# ---- the JSON document and the web request ----------------------------------------------------------------------
DOCUMENT_MAX_BYTES = 16 * 1024 * 1024  # an interchange file (the FY2019 sample is 132 KB)
JSON_DEPTH_MAX = 32  # nesting of arrays and objects (the format needs 12)
NUMBER_LITERAL_MAX = 20  # characters of one JSON number literal
WORKBOOK_MAX_BYTES = 2 * 1024 * 1024  # an uploaded .xlsx (the FY2019 workbook is about 30 KB)
WORKBOOK_UNPACKED_MAX_BYTES = 20 * 1024 * 1024  # its parts unpacked: a small file that inflates is refused unread
WORKBOOK_PARTS_MAX = 500  # files inside the .xlsx (zip) package
REQUEST_MAX_BYTES = 10 * 1024 * 1024  # a web form POST: a 1 MB Japanese paste fits, so its field says what is wrong

# ---- what one edition may print --------------------------------------------------------------------------------
DOCUMENT_TEXT_BUDGET = 200_000  # characters of all text in an edition's parts (the FY2019 sample: 26,600; 35 pages)


def anchored(body: str) -> str:
    """A whole-string pattern for both Python ``re.search`` (what jsonschema uses) and ECMA 262. Python's ``$`` also
    matches before a final newline, so ``$(?!\\n)`` is used: the end, and no newline after it."""
    return f"^(?:{body})$(?!\\n)"


def decimal_body(max_digits: int, decimal_places: int) -> str:
    return rf"[0-9]{{1,{max_digits - decimal_places}}}(?:\.[0-9]{{1,{decimal_places}}})?"


SLUG_PATTERN = anchored(SLUG_BODY)
AMOUNT_PATTERN = anchored(decimal_body(**AMOUNT))
CONTRIBUTION_PATTERN = anchored(decimal_body(**CONTRIBUTION))
SCORE_PATTERN = anchored(decimal_body(**SCORE))
NATIONAL_SCORE_PATTERN = anchored(r"[1-4](?:\.[0-9])?|5(?:\.0)?")  # 1 … 5, one decimal at most
FORBIDDEN_IN_TEXT_PATTERN = f"[{FORBIDDEN_IN_TEXT}]"
FORBIDDEN_IN_LINE_PATTERN = f"[{FORBIDDEN_IN_LINE}]"

_FORBIDDEN_TEXT = re.compile(FORBIDDEN_IN_TEXT_PATTERN)
_FORBIDDEN_LINE = re.compile(FORBIDDEN_IN_LINE_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)


def forbidden_character(value: str, *, line: bool) -> str | None:
    """The first forbidden character of ``value`` as 'U+202E', or None."""
    match = (_FORBIDDEN_LINE if line else _FORBIDDEN_TEXT).search(value or "")
    return None if match is None else f"U+{ord(match.group()):04X}"


def characters_message(code_point: str, *, line: bool) -> str:
    extra = "改行・タブ、" if line else ""
    return (f"使用できない文字（{code_point}）が含まれています。{extra}制御文字や書字方向を変える文字"
            f"（U+202A〜U+202E、U+2066〜U+2069）は使えません。")


@deconstructible
class CharactersValidator:
    """Refuses the forbidden characters (``line``: also tab and line breaks)."""

    def __init__(self, line: bool = False):
        self.line = line

    def __call__(self, value):
        found = forbidden_character(str(value), line=self.line)
        if found:
            raise ValidationError(characters_message(found, line=self.line), code="forbidden_character")

    def __eq__(self, other):
        return isinstance(other, CharactersValidator) and other.line == self.line


def is_slug(value: str) -> bool:
    return isinstance(value, str) and _SLUG.search(value) is not None


@deconstructible
class SlugValidator:
    def __call__(self, value):
        if not is_slug(value):
            raise ValidationError("識別子は英小文字・数字・ハイフン（先頭は英小文字か数字、63文字以内）で入力してください。",
                                  code="slug")

    def __eq__(self, other):
        return isinstance(other, SlugValidator)


def length_message(limit: int, length: int) -> str:
    return f"{limit:,}文字以内で入力してください（現在 {length:,}文字）。"


@deconstructible
class LengthValidator(MaxLengthValidator):
    """max_length with a Japanese message that says how long the text is."""

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise ValidationError(length_message(self.limit_value, len(value)), code="max_length")


LINE_VALIDATORS = [CharactersValidator(line=True)]


def text_validators(limit: int = RICH_TEXT_MAX) -> list:
    """Validators for a multi-line (rich) text field."""
    return [LengthValidator(limit), CharactersValidator(line=False)]


NONNEGATIVE = [MinValueValidator(0)]
COUNT_VALIDATORS = [MaxValueValidator(COUNT_MAX)]
FISCAL_YEAR_VALIDATORS = [MinValueValidator(FISCAL_YEAR_MIN), MaxValueValidator(FISCAL_YEAR_MAX)]


@deconstructible
class NationalScoreValidator:
    """A score of the national evaluation: 1 to 5 (the 5-point scale)."""

    def __call__(self, value):
        if value is not None and not NATIONAL_SCORE_MIN <= value <= NATIONAL_SCORE_MAX:
            raise ValidationError(f"評価点は{NATIONAL_SCORE_MIN}〜{NATIONAL_SCORE_MAX}の範囲（5点満点、小数第1位まで）で"
                                  f"入力してください。", code="national_score")

    def __eq__(self, other):
        return isinstance(other, NationalScoreValidator)


NATIONAL_SCORE_VALIDATORS = [NationalScoreValidator()]


def _string(max_length: int, *, line: bool = True, min_length: int = 0) -> dict:
    result = {"type": "string"}
    if min_length:
        result["minLength"] = min_length
    result["maxLength"] = max_length
    result["$ref"] = "#/$defs/line_characters" if line else "#/$defs/text_characters"
    return result


def schema_defs() -> dict:
    """The ``$defs`` of the interchange schema that carry a limit, as this module states them. ``schema.json`` must
    contain each of these exactly (tests/test_limits.py); the rest of the schema refers to them by name."""
    return {
        "line_characters": {"not": {"pattern": FORBIDDEN_IN_LINE_PATTERN}},
        "text_characters": {"not": {"pattern": FORBIDDEN_IN_TEXT_PATTERN}},
        "slug": {"type": "string", "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN},
        "line": _string(LINE_MAX, min_length=1),
        "optional_line": _string(LINE_MAX),
        "short_line": _string(SHORT_MAX),
        "unit": _string(UNIT_MAX),
        "zone_name": _string(ZONE_NAME_MAX, min_length=1),
        "authority_name": _string(AUTHORITY_NAME_MAX, min_length=1),
        "consultation_period": _string(CONSULTATION_MAX),
        "reference_number": _string(REFERENCE_MAX),
        "schedule_title": _string(SCHEDULE_TITLE_MAX),
        "schedule_text": _string(SCHEDULE_TEXT_MAX),
        "text": _string(RICH_TEXT_MAX, line=False),
        "date": {"type": "string", "pattern": anchored(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")},
        "month": {"type": "string", "pattern": anchored(r"[0-9]{4}-(?:0[1-9]|1[0-2])")},
        "fiscal_year": {"type": "integer", "minimum": FISCAL_YEAR_MIN, "maximum": FISCAL_YEAR_MAX},
        "count": {"type": "integer", "minimum": 0, "maximum": COUNT_MAX},
        "number": {"type": "integer", "minimum": 1, "maximum": COUNT_MAX},
        "amount": {"type": "string", "pattern": AMOUNT_PATTERN},
        "contribution": {"type": "string", "pattern": CONTRIBUTION_PATTERN},
        "score": {"type": "string", "pattern": SCORE_PATTERN},
        "national_score": {"type": "string", "pattern": NATIONAL_SCORE_PATTERN},
        "national_result": _string(NATIONAL_RESULT_MAX),
        "target_ref": {"type": "string", "pattern": anchored(r"\([0-9]{1,3}\)(?:-[①-⑳])?")},
        "local_row_bodies": {"type": "array", "minItems": 1, "maxItems": LOCAL_ROW_BODIES_MAX},
    }
