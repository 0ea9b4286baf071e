"""What both backends' compilers share: And, Or and Nothing around their own leaves, and the WHERE clause."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mock_server.store import query as q

Compile = Callable[[q.Predicate, list[Any]], str]  # a backend's SQL for one predicate; values go to the list


def combined(predicate: q.Predicate, params: list[Any], compile_one: Compile, true: str, false: str) -> str | None:
    """The SQL of And, Or and Nothing (their parts through `compile_one`); None for any other predicate."""
    if isinstance(predicate, q.And | q.Or):
        if not predicate.parts:
            return true if isinstance(predicate, q.And) else false
        joiner = " AND " if isinstance(predicate, q.And) else " OR "
        return joiner.join(f"({compile_one(p, params)})" for p in predicate.parts)
    if isinstance(predicate, q.Nothing):
        return false
    return None


def text_leaf(predicate: q.Predicate, params: list[Any], text: Callable[[q.Expr], str], mark: str) -> str | None:
    """The SQL of Like, IsNull and CsvHas, given a backend's SQL for an expression as text and its placeholder;
    None for any other predicate."""
    if isinstance(predicate, q.Like):
        params.append(contains_pattern(predicate.needle))
        return f"lower({text(predicate.expr)}) LIKE {mark} ESCAPE '\\'"
    if isinstance(predicate, q.IsNull):
        return f"{text(predicate.expr)} IS {'NOT ' if predicate.negate else ''}NULL"
    if isinstance(predicate, q.CsvHas):
        params.append(listed_pattern(predicate.value))
        return f"(',' || {text(predicate.expr)} || ',') LIKE {mark}"
    return None


def where_clause(predicates: Sequence[q.Predicate], compile_one: Compile) -> tuple[str, list[Any]]:
    """` WHERE (a) AND (b)` and its values in order; empty without predicates."""
    if not predicates:
        return "", []
    params: list[Any] = []
    return " WHERE " + " AND ".join(f"({compile_one(p, params)})" for p in predicates), params


def contains_pattern(needle: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') that matches text holding `needle`, lower-cased, literally."""
    return "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def listed_pattern(value: str) -> str:
    """A LIKE pattern matching ',a,b,c,' (a comma-separated value between commas) that lists `value`."""
    return f"%,{value},%"
