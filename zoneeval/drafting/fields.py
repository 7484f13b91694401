"""Form fields for what people really type: full-width digits and separators, 令和/平成 months, rich text."""
import html
import re
from decimal import Decimal

from django import forms
from django_prose_editor.fields import ProseEditorFormField

from .. import limits
from ..reports.input import NotANumber, normalise_digits, parse_amount
from ..reports.sanitize import EDITOR_EXTENSIONS, clean_html

MONTH = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


NUMBER_TEXT_MAX = 64  # characters typed into a number box (separators and spaces included)
LENGTH_ERROR = {"max_length": "%(limit_value)s文字以内で入力してください（現在 %(show_value)s文字）。"}


def decimal_places(amount: Decimal) -> int:
    sign, digits, exponent = amount.as_tuple()
    digits = list(digits)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    return max(0, -exponent)


class AmountField(forms.CharField):
    """A decimal amount: '５０，６６６', '1,200', '24.5'. Negative values are refused unless allowed; digits and
    decimal places are bounded like the model field it edits (zoneeval/limits.py)."""

    def __init__(self, *, allow_negative=False, integer=False, max_digits=limits.AMOUNT_MAX_DIGITS,
                 decimal_places=limits.AMOUNT_DECIMAL_PLACES, max_value=None, unit="", **kwargs):
        self.allow_negative, self.integer, self.unit = allow_negative, integer, unit
        self.max_digits, self.places = max_digits, (0 if integer else decimal_places)
        self.max_value = limits.COUNT_MAX if integer and max_value is None else max_value
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > NUMBER_TEXT_MAX:
            raise forms.ValidationError(f"数値として長すぎます（{len(value):,}文字）。", code="too_long")
        try:
            amount = parse_amount(value)
        except NotANumber:
            raise forms.ValidationError("数値を入力してください（例：1,200 または １２００）。「%(value)s」は数値ではありません。",
                                        params={"value": value}, code="not_a_number")
        if amount is None:
            return None
        if amount < 0 and not self.allow_negative:
            raise forms.ValidationError("負の値は入力できません。", code="negative")
        if self.integer and decimal_places(amount) > 0:
            raise forms.ValidationError("件数は整数で入力してください。", code="not_integer")
        whole_digits = self.max_digits - self.places
        if amount != 0 and amount.adjusted() + 1 > whole_digits:
            raise forms.ValidationError(f"値が大きすぎます（整数部は{whole_digits}桁まで）。", code="too_large")
        if decimal_places(amount) > self.places:
            raise forms.ValidationError(f"小数点以下は{self.places}桁までです。", code="too_many_places")
        if self.max_value is not None and amount > self.max_value:
            raise forms.ValidationError(f"{self.max_value:,}以下で入力してください。", code="too_large")
        return int(amount) if self.integer else amount


class MonthField(forms.CharField):
    """A calendar month: '2019-04', '2019/4', '2019年4月', '２０１９－０４'."""

    def to_python(self, value):
        value = normalise_digits(super().to_python(value) or "")
        if not value.strip():
            return ""
        match = MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError("月は「2019-04」の形で入力してください。", code="bad_month")
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


class RichTextField(ProseEditorFormField):
    """Sanitised rich text (p, ul, ol, li, br, strong, em), edited in the browser with a rich-text editor
    (django-prose-editor; ``static/js/editor.js`` turns the textarea into it, nobody sees a tag). Without JavaScript
    the textarea remains: plain lines become paragraphs. Whatever arrives goes through ``clean_html``."""

    def __init__(self, **kwargs):
        kwargs["extensions"] = dict(EDITOR_EXTENSIONS)
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        kwargs.setdefault("validators", limits.text_validators(limits.RICH_TEXT_MAX))
        super().__init__(**kwargs)
        self.widget.attrs.update({"rows": 6})

    def to_python(self, value):
        value = super().to_python(value) or ""
        found = limits.forbidden_character(value, line=False)  # refused as typed, not silently dropped by nh3
        if found:
            raise forms.ValidationError(limits.characters_message(found, line=False), code="forbidden_character")
        if value and "<" not in value:  # plain text typed into the box: one paragraph per line
            value = "".join(f"<p>{html.escape(line.strip())}</p>" for line in value.splitlines() if line.strip())
        # The limits (zoneeval/limits.py) are checked on what is stored: the sanitised HTML.
        return clean_html(value)
