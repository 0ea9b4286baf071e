"""The store's questions as SQLite SQL: predicates, sort keys and the per-key maxima lookup, over JSON text.

A field is `json_extract(doc, '$."a"."b"')`, written the same way in queries and in the expression indexes
(records.py), so that SQLite can use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from mock_server.store import query as q
from mock_server.store.clauses import combined, text_leaf, where_clause


def _json_path(field_name: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in field_name.split("."))


@lru_cache(maxsize=4096)
def column(field_name: str) -> str:
    """The SQL expression of a record field; the same text in queries and in indexes."""
    return f"json_extract(doc, '{_json_path(field_name)}')"


def table(resource: str) -> str:
    return f'"r_{resource}"'


def _bound(value: Any) -> Any:
    """A value as SQLite compares it with json_extract's results: JSON true is 1."""
    return int(value) if isinstance(value, bool) else value


def _expr(expr: q.Expr) -> str:
    if isinstance(expr, q.Doc):
        return column(expr.path)
    if isinstance(expr, q.Elem):
        return "je.value" if expr.path is None else f"json_extract(je.value, '{_json_path(expr.path)}')"
    if isinstance(expr, q.Text):
        return f"CAST({_expr(expr.of)} AS TEXT)"
    if isinstance(expr, q.Lower):
        return f"lower(CAST({_expr(expr.of)} AS TEXT))"
    return f"substr({_expr(expr.of)}, 1, 10)"


def _as_text(expr: q.Expr) -> str:
    return f"CAST({_expr(expr)} AS TEXT)"


def _in(predicate: q.In, params: list[Any]) -> str:
    if not predicate.values:
        return "0"
    params.extend(_bound(v) for v in predicate.values)
    return f"{_expr(predicate.expr)} IN ({', '.join('?' * len(predicate.values))})"


def _array(predicate: q.Has | q.Any_, params: list[Any]) -> str:
    """Some element of the array satisfies the predicate: equals the value (Has), or its `where` (Any_)."""
    elements = f"json_each(doc, '{_json_path(predicate.path)}')"
    if isinstance(predicate, q.Has):
        params.append(_bound(predicate.value))
        return f"EXISTS (SELECT 1 FROM {elements} WHERE value = ?)"
    return f"EXISTS (SELECT 1 FROM {elements} AS je WHERE {compile_predicate(predicate.where, params)})"


def compile_predicate(predicate: q.Predicate, params: list[Any]) -> str:
    """SQL for one predicate; its values are appended to `params` in order."""
    shared = combined(predicate, params, compile_predicate, "1", "0") or text_leaf(predicate, params, _as_text, "?")
    if shared is not None:
        return shared
    if isinstance(predicate, q.Compare):
        params.append(_bound(predicate.value))
        return f"{_expr(predicate.expr)} {predicate.op} ?"
    if isinstance(predicate, q.In):
        return _in(predicate, params)
    if isinstance(predicate, q.Has | q.Any_):
        return _array(predicate, params)
    return "0"


def compile_where(predicates: Sequence[q.Predicate]) -> tuple[str, list[Any]]:
    return where_clause(predicates, compile_predicate)


def order_by(order: Sequence[q.Sort]) -> str:
    keys = ", ".join(f"{column(s.path)}{' COLLATE NOCASE' if s.text else ''} {'DESC' if s.descending else 'ASC'}"
                     for s in order)
    return f" ORDER BY {keys + ', ' if keys else ''}pk ASC"


@lru_cache(maxsize=1024)
def maxima_sql(resource_names: tuple[str, ...], fields: tuple[str, ...], key_field: str, keys: int) -> str:
    """Per key among `keys` bound values, the largest of each field among each resource's records holding it."""
    largest = ", ".join(f"MAX({column(f)})" for f in fields)
    key, marks = column(key_field), ", ".join("?" * keys)
    return " UNION ALL ".join(f"SELECT {key}, {largest} FROM {table(name)} WHERE {key} IN ({marks}) GROUP BY {key}"
                              for name in resource_names)
