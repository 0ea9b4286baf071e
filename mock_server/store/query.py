"""What the engine and the behaviours ask of the store, as small objects each backend compiles to its own SQL.

A value expression names a record field (`Doc("owner.id")`), or a field of the array element being tested
(`Elem("number")` inside `Any`), possibly as text (`Text`), lower-cased (`Lower`) or cut to its date (`Day`).
A predicate compares one with Python values; `And`, `Or` and `Nothing` combine them. A `Query` adds the
sort keys and the page window. Values stay Python values (True stays a boolean): the backend binds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Comparison = Literal["=", "!=", "<", "<=", ">", ">="]


# value expressions ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Doc:
    """A field of the record, dotted into objects (`owner.id`)."""

    path: str


@dataclass(frozen=True, slots=True)
class Elem:
    """Inside `Any`: a field of the array element (`number`), or the element itself (None)."""

    path: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """The value as text: a number's digits, an array's JSON."""

    of: Doc | Elem


@dataclass(frozen=True, slots=True)
class Lower:
    """The value as lower-case text."""

    of: Doc | Elem


@dataclass(frozen=True, slots=True)
class Day:
    """The first ten characters of a date or timestamp: its date."""

    of: Doc | Elem


Expr = Doc | Elem | Text | Lower | Day


# predicates ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Compare:
    expr: Expr
    op: Comparison
    value: Any


@dataclass(frozen=True, slots=True)
class In:
    expr: Expr
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Like:
    """The value, as lower-case text, contains `needle` (matched literally, case-insensitively)."""

    expr: Expr
    needle: str


@dataclass(frozen=True, slots=True)
class IsNull:
    """The field is missing or null (`negate`: it has a value)."""

    expr: Expr
    negate: bool = False


@dataclass(frozen=True, slots=True)
class CsvHas:
    """A comma-separated text value lists `value` as one of its items."""

    expr: Expr
    value: str


@dataclass(frozen=True, slots=True)
class Has:
    """The array at `path` holds `value` as one of its elements."""

    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class Any_:
    """Some element of the array at `path` satisfies `where` (written with `Elem`)."""

    path: str
    where: Predicate


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class Nothing:
    """Matches no record (an IN of no values)."""


Predicate = Compare | In | Like | IsNull | CsvHas | Has | Any_ | And | Or | Nothing


def eq(path: str, value: Any) -> Compare:
    return Compare(Doc(path), "=", value)


def same_text(path: str, value: str) -> Compare:
    """The field equals `value` ignoring case (emails)."""
    return Compare(Lower(Doc(path)), "=", value.lower())


def any_of(*parts: Predicate) -> Predicate:
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def all_of(*parts: Predicate) -> Predicate:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


# sorting and pages -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Sort:
    path: str
    descending: bool = False
    text: bool = False  # compared as text, ignoring case


@dataclass(slots=True)
class Query:
    where: list[Predicate] = field(default_factory=list)
    order: list[Sort] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
