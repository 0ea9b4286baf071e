"""The store's questions as PostgreSQL SQL: predicates, sort keys and the per-key maxima lookup, over `doc jsonb`.

A field is read as jsonb (`doc #> path`) where it is compared with JSON values, so a number stays a number and
`true` a boolean, and as text (`doc #>> path`) where text is asked for. The expressions written here are
written the same way in the indexes (schema.py), so that the planner can use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from psycopg.types.json import Jsonb

from mock_server.store import query as q
from mock_server.store.clauses import combined, text_leaf, where_clause


def ident(*names: str) -> str:
    """A quoted, dotted SQL name: `"schema"."table"`."""
    return ".".join('"' + n.replace('"', '""') + '"' for n in names)


@lru_cache(maxsize=4096)
def _path(field_name: str) -> str:
    """A text[] literal naming a JSON path: '{"owner","id"}'."""
    parts = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in field_name.split("."))
    return "'{" + parts.replace("'", "''") + "}'"


def jb(field_name: str) -> str:
    """A record field as jsonb: compared with jsonb values, typed as JSON types them."""
    return f"(doc #> {_path(field_name)})"


def tx(field_name: str) -> str:
    """A record field as text (NULL for a JSON null)."""
    return f"(doc #>> {_path(field_name)})"


def _raw(expr: q.Doc | q.Elem, text: bool) -> str:
    op = "#>>" if text else "#>"
    if isinstance(expr, q.Doc):
        return f"(doc {op} {_path(expr.path)})"
    if expr.path is None:
        return "(je.value #>> '{}')" if text else "je.value"
    return f"(je.value {op} {_path(expr.path)})"


def _text(expr: q.Expr) -> str:
    if isinstance(expr, q.Doc | q.Elem):
        return _raw(expr, True)
    if isinstance(expr, q.Text):
        return _raw(expr.of, True)
    if isinstance(expr, q.Lower):
        return f"lower({_raw(expr.of, True)})"
    return f"left({_raw(expr.of, True)}, 10)"


def json_value(value: Any) -> Jsonb | None:
    """A value as jsonb; None where JSON cannot hold it (NaN: SQLite binds it as NULL, which equals nothing)."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return None
        value = math.copysign(1e308, value)
    return Jsonb(value)


# predicates -----------------------------------------------------------------------------------------------
def _compare(predicate: q.Compare, params: list[Any]) -> str:
    value = predicate.value
    if value is None:
        return "FALSE"
    if isinstance(predicate.expr, q.Doc | q.Elem) and not isinstance(value, str):
        bound = json_value(value)
        if bound is None:
            return "FALSE"
        params.append(bound)
        return f"{_raw(predicate.expr, False)} {predicate.op} %s::jsonb"
    if isinstance(predicate.expr, q.Doc | q.Elem) and predicate.op in ("=", "!="):
        params.append(Jsonb(value))
        return f"{_raw(predicate.expr, False)} {predicate.op} %s::jsonb"
    params.append(str(value))
    return f'{_text(predicate.expr)} COLLATE "C" {predicate.op} %s'


def _in(predicate: q.In, params: list[Any]) -> str:
    if not predicate.values:
        return "FALSE"
    if isinstance(predicate.expr, q.Doc | q.Elem):
        values = [v for v in (json_value(v) for v in predicate.values if v is not None) if v is not None]
        if not values:
            return "FALSE"
        params.append(values)
        return f"{_raw(predicate.expr, False)} = ANY(%s::jsonb[])"
    params.append([str(v) for v in predicate.values])
    return f"{_text(predicate.expr)} = ANY(%s::text[])"


def _has(predicate: q.Has, params: list[Any]) -> str:
    bound = json_value(predicate.value)
    if bound is None:
        return "FALSE"
    params.append(Jsonb([bound.obj]))
    return f"{jb(predicate.path)} @> %s::jsonb"


def _any(predicate: q.Any_, params: list[Any]) -> str:
    array = jb(predicate.path)
    inner = compile_predicate(predicate.where, params)
    return (f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({array}) = 'array' "
            f"THEN {array} ELSE '[]'::jsonb END) AS je(value) WHERE {inner})")


def compile_predicate(predicate: q.Predicate, params: list[Any]) -> str:
    """SQL for one predicate; its values are appended to `params` in order."""
    shared = (combined(predicate, params, compile_predicate, "TRUE", "FALSE")
              or text_leaf(predicate, params, _text, "%s"))
    if shared is not None:
        return shared
    if isinstance(predicate, q.Compare):
        return _compare(predicate, params)
    if isinstance(predicate, q.In):
        return _in(predicate, params)
    if isinstance(predicate, q.Has):
        return _has(predicate, params)
    if isinstance(predicate, q.Any_):
        return _any(predicate, params)
    return "FALSE"


def compile_where(predicates: Sequence[q.Predicate]) -> tuple[str, list[Any]]:
    return where_clause(predicates, compile_predicate)


# sorting and lookups --------------------------------------------------------------------------------------
def sort_key(field_name: str, text: bool) -> str:
    """The expression a sort (and its index) orders by: text ignoring case byte-wise, or the JSON value."""
    return f'lower({tx(field_name)}) COLLATE "C"' if text else jb(field_name)


def order_by(order: Sequence[q.Sort]) -> str:
    # SQLite puts NULLs first in an ascending order and last in a descending one: so does the mock everywhere
    keys = ", ".join(f"{sort_key(s.path, s.text)} {'DESC NULLS LAST' if s.descending else 'ASC NULLS FIRST'}"
                     for s in order)
    return f" ORDER BY {keys + ', ' if keys else ''}pk ASC"


@lru_cache(maxsize=256)
def maxima_sql(schema: str, resource_names: tuple[str, ...], fields: tuple[str, ...], key_field: str) -> str:
    """Per key, the largest of each field among each resource's records holding that key; a key no record of a
    resource holds gives that resource no row. One index probe per key and resource (a LATERAL aggregate):
    `key = ANY(array)` let the planner pick a scan of every row, each compared with every key (2 ms for
    1,000 tasks and 25 keys, against 0.1 ms), where its estimates made that look cheaper."""
    largest = ", ".join(f'max({tx(f)} COLLATE "C")' for f in fields)
    return " UNION ALL ".join(
        f"SELECT k.key, m.* FROM jsonb_array_elements(%(keys)s::jsonb) AS k(key) CROSS JOIN LATERAL "
        f"(SELECT {largest} FROM {ident(schema, f'r_{name}')} WHERE {jb(key_field)} = k.key "
        "HAVING count(*) > 0) AS m" for name in resource_names)
