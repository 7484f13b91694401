"""Form fields for what people really type: full-width digits and separators, 令和/平成 months, rich text."""
import html
import re
from decimal import Decimal

from django import forms

from ..reports.input import NotANumber, normalise_digits, parse_amount
from ..reports.sanitize import clean_html

MONTH = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


class AmountField(forms.CharField):
    """A decimal amount: '５０，６６６', '1,200', '24.5'. Negative values are refused unless allowed."""

    def __init__(self, *, allow_negative=False, integer=False, **kwargs):
        self.allow_negative, self.integer = allow_negative, integer
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        try:
            amount = parse_amount(value)
        except NotANumber:
            raise forms.ValidationError("数値を入力してください（例：1,200 または １２００）。「%(value)s」は数値ではありません。",
                                        params={"value": value}, code="not_a_number")
        if amount is None:
            return None
        if amount < 0 and not self.allow_negative:
            raise forms.ValidationError("負の値は入力できません。", code="negative")
        if self.integer and amount != amount.to_integral_value():
            raise forms.ValidationError("件数は整数で入力してください。", code="not_integer")
        if abs(amount) >= Decimal(10) ** 15:
            raise forms.ValidationError("値が大きすぎます。", code="too_large")
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


class RichTextField(forms.CharField):
    """Sanitised rich text (p, ul, ol, li, br, strong, em, u, sub, sup); plain lines become paragraphs."""

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
        self.widget.attrs.update({"rows": 6})

    def to_python(self, value):
        value = super().to_python(value) or ""
        if value and "<" not in value:  # plain text typed into the box: one paragraph per line
            value = "".join(f"<p>{html.escape(line.strip())}</p>" for line in value.splitlines() if line.strip())
        return clean_html(value)
