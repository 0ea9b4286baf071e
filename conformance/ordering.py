"""Is a list in the order asked for? Judged only where every collation a server may use agrees.

The pages state no collation (dialects.md, issue 13): databases sort text by code point (SQLite,
PostgreSQL "C"), case-insensitively (MySQL's *_ci), or by a language's rules that ignore punctuation and
spaces at first (PostgreSQL with en_US, ICU). So two texts are compared only when they are ASCII and all
three readings put them in the same strict order; numbers compare as numbers; nulls may come first or last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_NOT_ALNUM = re.compile(r"[^0-9a-z]")

COLLATIONS: tuple[Callable[[str], str], ...] = (
    lambda text: text,                                  # code point
    lambda text: text.casefold(),                       # case-insensitive
    lambda text: _NOT_ALNUM.sub("", text.casefold()),   # letters and digits first (language collations)
)


def _order(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 when every accepted collation agrees on the order of a and b; None when they do not
    (or the values are not comparable at all)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return (a > b) - (a < b)
    if not (isinstance(a, str) and isinstance(b, str)) or not (a.isascii() and b.isascii()):
        return None
    seen = {(key(a) > key(b)) - (key(a) < key(b)) for key in COLLATIONS}
    return seen.pop() if len(seen) == 1 else None


def misplaced(values: list[Any], descending: bool) -> tuple[Any, Any] | None:
    """The first two values out of order, judged only where the order is unambiguous; None if in order.
    Each value is compared with the nearest earlier one whose order against it is unambiguous."""
    present = [v for v in values if v is not None]
    nulls = [i for i, v in enumerate(values) if v is None]
    if nulls and nulls != list(range(len(nulls))) and nulls != list(range(len(values) - len(nulls), len(values))):
        return (None, None)
    wrong = 1 if not descending else -1
    for index, value in enumerate(present):
        for earlier in reversed(present[:index]):
            order = _order(earlier, value)
            if order is None:
                continue
            if order == wrong:
                return (earlier, value)
            break
    return None
