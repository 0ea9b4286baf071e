"""How a measured number is shown in a report's table cell: "-" where nothing was measured (NaN)."""

from __future__ import annotations

import math


def whole(value: float) -> str:
    """A count of bytes or requests, with thousands separators."""
    return "-" if math.isnan(value) else f"{value:,.0f}"


def cpu(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def share(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"
