"""What a list's declared filters mean: each `x-crm-operation.filters` entry, with the value the request sent,
becomes a predicate of the store's query language (mock_server/store/query.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crmspec.model import Dialect, Filter, Resource
from crmspec.schemas import field_types
from mock_server import records
from mock_server.auth import Principal
from mock_server.limits import clamp_int64
from mock_server.store import query as q
from mock_server.validation import ValidRequest


def filter_condition(dialect: Dialect, resource: Resource, flt: Filter, req: ValidRequest,
                     principal: Principal | None) -> q.Predicate | None:
    """The condition one declared filter (`x-crm-operation.filters`) puts on a list, from the value sent;
    None where the value asks for no condition (`scope` other than `me`)."""
    value = req.query[flt.param]
    field = flt.field or flt.default_field or flt.param
    if flt.field_param and req.query.get(flt.field_param):
        field = str(req.query[flt.field_param])
    col = q.Doc(field)
    kinds = field_types(records.field_schema(resource, field))
    op = flt.op
    if op in ("eq", "ne"):
        return q.Compare(col, "=" if op == "eq" else "!=", _typed(value, kinds))
    if op == "in_csv":
        values = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
        typed = [_typed(v.strip() if isinstance(v, str) else v, kinds) for v in values]
        return q.In(col, tuple(typed)) if typed else q.Nothing()
    if op in ("gte", "lte"):
        return q.Compare(col, ">=" if op == "gte" else "<=", _typed(value, kinds))
    if op in ("date_gte", "date_lte"):
        return q.Compare(q.Day(col), ">=" if op == "date_gte" else "<=", str(value)[:10])
    if op == "bool01":
        return q.Compare(col, "=", str(value) in ("1", "true", "True"))
    if op == "contains":
        if "array" in kinds:
            return q.Has(field, value)
        return q.CsvHas(col, str(value))
    if op == "within_days":
        today = dt.date.today()
        days = max(0, min(int(value), (dt.date.max - today).days))
        horizon = today + dt.timedelta(days=days)
        return q.all_of(q.Compare(q.Day(col), ">=", today.isoformat()),
                        q.Compare(q.Day(col), "<=", horizon.isoformat()))
    if op == "scope":
        if str(value) == "me" and principal is not None and principal.user_id is not None:
            return q.Compare(col, "=", records.coerce_id(dialect, principal.user_id))
        return None
    return None

def _typed(value: Any, kinds: set[str]) -> Any:
    """A query value as the field's type compares: integers within 64 bits, numbers as floats."""
    if isinstance(value, str) and "integer" in kinds:
        try:
            return clamp_int64(int(value))
        except ValueError:
            return value
    if records.is_int(value):
        return clamp_int64(value)
    if isinstance(value, str) and "number" in kinds:
        try:
            return float(value)
        except ValueError:
            return value
    return value
