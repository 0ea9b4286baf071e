"""Whether a value read back is the one sent, as the pages allow it to come back. The lifecycle checks and the
APIs' invariants judge every read-back of a write by this one rule."""

from __future__ import annotations

from typing import Any

MONEY_TOLERANCE = 0.005  # X5


def reads_back_as_sent(sent: Any, got: Any) -> bool:
    """Whether a value read back is the one sent, as the pages allow it to come back: money with a
    tolerance (X5), a date sent as YYYY-MM-DD may come back as a date-time of that day (CC13, X3), a list
    in any order, a string the same."""
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent is got
    if isinstance(sent, int | float) and isinstance(got, int | float):
        return abs(float(sent) - float(got)) <= MONEY_TOLERANCE
    if isinstance(sent, str) and isinstance(got, str) and len(sent) == 10 and sent[4:5] == "-":
        return got == sent or got.startswith(sent + "T") or got.startswith(sent + " ")
    if isinstance(sent, list) and isinstance(got, list):
        return sorted(map(repr, sent)) == sorted(map(repr, got))
    return bool(sent == got)
