"""The integers the mock stores and answers: 64-bit, as SQLite and PostgreSQL's bigint hold them and as a JSON
client can round-trip them. One definition, for validation, queries, pages and the behaviours."""

from __future__ import annotations

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def fits_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def clamp_int64(value: int) -> int:
    """A bound past the 64-bit range matches nothing a bound at its edge would not, so a query may clamp it."""
    return max(INT64_MIN, min(INT64_MAX, value))
