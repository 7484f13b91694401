"""Numbers as people type them: full-width digits and separators (１２０, ５０，６６６, 1,200) normalised."""
import unicodedata
from decimal import Decimal, InvalidOperation

_FULLWIDTH = str.maketrans({"，": ",", "．": ".", "－": "-", "ー": "-", "−": "-", "　": " "})


def normalise_digits(text: str) -> str:
    """Full-width digits, commas, points and minus signs as ASCII; everything else unchanged."""
    out = []
    for ch in text or "":
        if "０" <= ch <= "９":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out).translate(_FULLWIDTH) if any(c in text for c in "，．－−　") else "".join(out)


class NotANumber(ValueError):
    pass


def parse_amount(text: str) -> Decimal | None:
    """'５０，６６６' → Decimal('50666'); '' → None. Raises NotANumber for anything else."""
    cleaned = normalise_digits(text).strip().replace(",", "").replace(" ", "")
    if cleaned == "":
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise NotANumber(text) from exc
    if not value.is_finite():
        raise NotANumber(text)
    return value


def display_amount(value) -> str:
    """A figure as it reads back to the user: the value typed, in meaning — no trailing zeros of the stored decimal
    places, thousands separators (Decimal('5.0000') → '5', '1200.0000' → '1,200', '１２３４.５０' → '1,234.5').
    None → ''; text that is not a number (a typed mistake, '-') comes back unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        amount = value if isinstance(value, Decimal) else parse_amount(str(value))
    except NotANumber:
        return str(value)
    if amount is None:
        return ""
    if not amount.is_finite():
        return str(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    integer, _, fraction = format(amount.normalize(), "f").partition(".")
    sign = "-" if integer.startswith("-") else ""
    return f"{sign}{int(integer.lstrip('-') or 0):,}.{fraction}"
