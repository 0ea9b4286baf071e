"""What a list's sort and filter parameters ask for, as the document declares them: the query that sorts a list
by a key, and whether a record meets a filter. The pagination checks and the APIs' invariants both ask lists."""

from __future__ import annotations

from typing import Any

from conformance.context import CheckRun
from crmspec.model import Filter, Operation

RANGE_OPS = {"gte": (lambda a, b: a >= b), "lte": (lambda a, b: a <= b),
             "date_gte": (lambda a, b: a >= b), "date_lte": (lambda a, b: a <= b)}


def sort_params(run: CheckRun, op: Operation, key: str, direction: str) -> dict[str, Any]:
    """The query that asks `op` for a page of 50 sorted by `key` in `direction` (asc, desc), as its sort is spelled."""
    sort = op.sort
    assert sort is not None
    spelled = sort.directions.get(direction, direction)
    params: dict[str, Any] = {run.dialect.pagination.size_param: 50}
    if sort.dir_param:
        params[sort.param], params[sort.dir_param] = key, spelled
    else:
        params[sort.param] = f"{key}{sort.separator or '|'}{spelled}" if direction == "desc" else key
    return params


def matches_filter(flt: Filter, record: dict[str, Any], field: str, wanted: Any) -> bool:
    """Whether a record's `field` meets the filter asked with `wanted` (a date compared by its date part, X3)."""
    value = record.get(field)
    if flt.op in ("eq", "in_csv", "bool01"):
        return bool(value == wanted)
    if flt.op in ("gte", "lte"):
        return isinstance(value, int | float) and not isinstance(value, bool) and RANGE_OPS[flt.op](value, wanted)
    return isinstance(value, str) and len(value) >= 10 and RANGE_OPS[flt.op](value[:10], wanted)
