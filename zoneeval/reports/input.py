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
