"""Numbers as a Brazilian reader writes them: 1.234.567 and R$ 1.234,56."""

from __future__ import annotations

from decimal import Decimal


def count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def brl(value: Decimal | float | None) -> str:
    if value is None:
        return "-"
    text = f"{Decimal(value).quantize(Decimal('0.01')):,}"
    return "R$ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%".replace(".", ",")
