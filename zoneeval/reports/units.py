"""Units of report figures and conversion between units of one dimension (億円 ↔ 千円, 万人 ↔ 人)."""
from decimal import Decimal

# unit -> (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "円": ("yen", Decimal(1)),
    "千円": ("yen", Decimal(1_000)),
    "百万円": ("yen", Decimal(1_000_000)),
    "億円": ("yen", Decimal(100_000_000)),
    "人": ("people", Decimal(1)),
    "千人": ("people", Decimal(1_000)),
    "万人": ("people", Decimal(10_000)),
    "件": ("count", Decimal(1)),
    "社": ("companies", Decimal(1)),
    "%": ("percent", Decimal(1)),
    "％": ("percent", Decimal(1)),
}


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when the units are unknown or of different kinds."""
    if from_unit == to_unit:
        return value
    a, b = UNITS.get(from_unit), UNITS.get(to_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return value * a[1] / b[1]
