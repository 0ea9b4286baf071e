"""Concord's list query grammar (CC6), on the deals, contacts, companies and activities lists: `q` read with
`search_fields=field:op;...` (ops like, =, in) and `search_match=and|or`, and the `select=a;b` projection."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from crmspec.model import Operation, Resource
from crmspec.schemas import field_types
from mock_server.auth import Principal
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed
from mock_server.limits import clamp_int64
from mock_server.store import query as q
from mock_server.validation import ValidRequest

# A deal stores its associations as id lists, outside the schema's properties (concord.py keeps them).
ASSOCIATIONS = ("contacts", "companies", "activities")
# Stored fields outside the schema's properties that the query grammar may still name.
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {"deals": ASSOCIATIONS}
SEARCH_OPERATORS = ("like", "=", "in")


@dataclasses.dataclass(frozen=True)
class _Field:
    """Where a searchable field lives: a plain path, or a path inside the elements of one array."""

    array: str | None  # the array holding it (phones), or None
    path: str | None  # the path (inside each element when array is set; None: the element itself)
    kinds: frozenset[str]

    def test(self, predicate: Callable[[q.Doc | q.Elem], q.Predicate]) -> q.Predicate:
        """`predicate` of the field's value, or of some element's where the field lives in an array."""
        if self.array is None:
            return predicate(q.Doc(str(self.path)))
        return q.Any_(self.array, predicate(q.Elem(self.path)))


def _resolve(resource: Resource, field: str) -> _Field | None:
    """A field the record schema knows (dotted into objects and into one array of objects), or None."""
    parts = field.split(".")
    if any(not p for p in parts):
        return None
    if len(parts) == 1 and field in EXTRA_FIELDS.get(resource.name, ()):
        return _Field(field, None, frozenset({"integer"}))
    schema: dict[str, Any] = resource.schema
    for index, part in enumerate(parts):
        properties = schema.get("properties") or {}
        if part not in properties:
            return None
        schema = properties[part] or {}
        kinds = field_types(schema)
        if "array" in kinds:
            items = schema.get("items") or {}
            rest = parts[index + 1:]
            if not rest:
                return _Field(".".join(parts), None, frozenset(field_types(items)))
            inner: dict[str, Any] = items
            for name in rest:
                inner = (inner.get("properties") or {}).get(name) or {}
                if not inner or "array" in field_types(inner):
                    return None
            return _Field(".".join(parts[:index + 1]), ".".join(rest), frozenset(field_types(inner)))
    return _Field(None, field, frozenset(field_types(schema)))


def _typed(raw: str, kinds: frozenset[str]) -> tuple[bool, Any]:
    """(parsed, value) of a search term for a field of these JSON types."""
    text = raw.strip()
    if "string" in kinds:
        return True, text.lower()
    if "integer" in kinds or "number" in kinds:
        try:
            number = float(text) if "." in text or "e" in text.lower() else int(text)
        except ValueError:
            return False, None
        if isinstance(number, float):
            if not math.isfinite(number):
                return False, None
            return True, number
        return True, clamp_int64(number)
    if "boolean" in kinds:
        lowered = text.lower()
        if lowered in ("1", "true", "0", "false"):
            return True, 1 if lowered in ("1", "true") else 0
        return False, None
    return True, text.lower()


def _criterion(field: _Field, operator: str, term: str) -> q.Predicate:
    textual = "string" in field.kinds or not field.kinds & {"integer", "number", "boolean"}
    if operator == "like":
        return field.test(lambda x: q.Like(x, term))
    values = [term] if operator == "=" else [v for v in term.split(",") if v.strip()]
    typed = tuple(value for ok, value in (_typed(v, field.kinds) for v in values) if ok)
    if not typed:
        return q.Nothing()
    if textual:
        return field.test(lambda x: q.In(q.Lower(x), typed))
    return field.test(lambda x: q.In(x, typed))


def _search_fields(resource: Resource, raw: str) -> list[tuple[_Field, str]]:
    """`email:like;phones.number:=` -> [(field, op)]. A field the resource does not have is left out (the
    page's own example names contact fields on the deals list, CC6: search_fields is lenient); an unknown
    operator is a 422 on search_fields."""
    criteria: list[tuple[_Field, str]] = []
    bad: list[str] = []
    for chunk in (c.strip() for c in raw.split(";")):
        if not chunk:
            continue
        name, _, operator = chunk.partition(":")
        operator = (operator.strip() or "like").lower()
        if operator not in SEARCH_OPERATORS:
            bad.append(chunk)
            continue
        field = _resolve(resource, name.strip())
        if field is not None:
            criteria.append((field, operator))
    if bad:
        raise ValidationFailed(INVALID_DATA, field_errors={"search_fields": [
            f"The search_fields field names an unknown field or operator: {', '.join(bad)}."]})
    return criteria


def _search_condition(op: Operation, resource: Resource, req: ValidRequest) -> tuple[bool, q.Predicate | None]:
    """(a search was asked for, its condition) from q, search_fields and search_match."""
    param = op.search.param if op.search else "q"
    spec = req.query.get("search_fields")
    criteria = _search_fields(resource, spec) if isinstance(spec, str) and spec.strip() else []
    if not criteria:
        defaults = op.search.fields if op.search else ()
        criteria = [(f, "like") for f in (_resolve(resource, name) for name in defaults) if f is not None]
    term = req.query.get(param)
    if term in (None, "") or not criteria:
        return term not in (None, ""), None
    parts = [_criterion(field, operator, str(term)) for field, operator in criteria]
    if str(req.query.get("search_match") or "or").lower() == "and":
        return True, q.all_of(*parts)
    return True, q.any_of(*parts)


def _selection(resource: Resource, req: ValidRequest) -> tuple[str, ...] | None:
    """The fields `select=a;b` keeps: those the resource has (the page's own example names contact fields
    on the deals list; CC6: select is lenient), plus `id` and the schema's required fields."""
    raw = req.query.get("select")
    fields = [f.strip() for f in str(raw).split(";") if f.strip()] if raw not in (None, "") else []
    if not fields:
        return None
    known = set(resource.schema.get("properties") or {}) | set(EXTRA_FIELDS.get(resource.name, ()))
    keep = [resource.id_field, *resource.schema.get("required", []), *(f for f in fields if f in known)]
    return tuple(dict.fromkeys(keep))


def project(record: dict[str, Any], keep: tuple[str, ...] | None) -> dict[str, Any]:
    """The record's fields `keep` names (all of them for None)."""
    return record if keep is None else {k: v for k, v in record.items() if k in keep}


def query_parts(engine: Engine, op: Operation, resource: Resource, req: ValidRequest,
                principal: Principal | None) -> tuple[list[q.Predicate], bool, tuple[str, ...] | None]:
    """(the list's conditions, whether a search was asked for, the fields `select` keeps)."""
    conditions = engine.conditions(dataclasses.replace(op, search=None), resource, req, principal)
    searched, search = _search_condition(op, resource, req)
    if search is not None:
        conditions.append(search)
    return conditions, searched, _selection(resource, req)


def list_where(engine: Engine, op: Operation, resource: Resource, req: ValidRequest,
               principal: Principal | None) -> list[q.Predicate]:
    """A list's conditions: the declared filters, and q read with search_fields and search_match (CC6)."""
    return query_parts(engine, op, resource, req, principal)[0]


def selected(op: Operation, resource: Resource, req: ValidRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a list keeps of each record: `select` (CC6)."""
    keep = _selection(resource, req)
    return [project(r, keep) for r in items]
