"""Revenue Orbit's stored dates and timestamps read back as moments, to compare and order them."""

from __future__ import annotations

import datetime as dt
from typing import Any


def moment(value: Any) -> dt.datetime | None:
    """A stored date or timestamp as an aware datetime (naive values are UTC); None when unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
