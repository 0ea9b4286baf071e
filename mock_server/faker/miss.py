"""The answer of a value rule that has no value for a field: the generator tries the next rule."""

from __future__ import annotations

from typing import Any


class _Missing:
    """No value from this rule: try the next one."""

    def __repr__(self) -> str:
        return "MISS"


MISS: Any = _Missing()
