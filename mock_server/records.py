"""What the engine knows about a resource's records: field types, timestamps, references, and how a
stored value reads as an integer or an amount."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any, TypeGuard

import jsonschema

from crmspec import dotted
from crmspec.model import Dialect, Resource
from crmspec.schemas import field_types, flatten, nullable


def field_schema(resource: Resource, field: str) -> dict[str, Any]:
    schema: Any = resource.schema
    for part in field.split("."):
        schema = flatten(schema or {}).get("properties", {}).get(part, {})
    return dict(schema or {})


def is_text(resource: Resource, field: str) -> bool:
    return "string" in field_types(field_schema(resource, field))


def timestamp(resource: Resource, field: str, moment: dt.datetime | None = None) -> str:
    """Now, written the way this field's own example writes timestamps (Laravel micros, Z, or naive)."""
    moment = moment or dt.datetime.now(dt.UTC)
    schema = field_schema(resource, field)
    sample = str((schema.get("examples") or [schema.get("example", "")])[0])
    if sample.endswith("Z") and "." in sample:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # 001: 2026-01-15T09:30:00.000000Z
    if len(sample) >= 19 and not sample.endswith("Z") and "+" not in sample[10:]:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")  # X3: naive timestamps
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


UNSET: Any = object()  # blank(): no value is neutral for the field, so a new record leaves it out


def blank(resource: Resource, field: str, now: dt.datetime) -> Any:
    """What a new record holds for a field its creator did not send, so that it has the keys of any other
    record: the field's default, else null where the schema allows it, else the neutral value of its type
    (false, an empty list, the lowest number allowed, the first option), a timestamp of `now` for a date or
    date-time; UNSET where no value is neutral (a plain string)."""
    schema = field_schema(resource, field)
    kinds = field_types(schema)
    if not schema or schema.get("writeOnly"):
        return UNSET
    for key in ("default", "const"):
        if key in schema:
            return schema[key]
    if nullable(schema):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    if "boolean" in kinds:
        return False
    if "array" in kinds and not schema.get("minItems"):
        return []
    if kinds & {"integer", "number"} and isinstance(schema.get("minimum"), int | float):
        return schema["minimum"]
    hint = str(schema.get("x-faker") or "")
    if "string" in kinds and (schema.get("format") == "date-time" or hint.startswith("datetime.")):
        return timestamp(resource, field, now)
    if "string" in kinds and (schema.get("format") == "date" or hint.startswith("date.")):
        return now.date().isoformat()
    return UNSET


def coerce_id(dialect: Dialect, raw: Any) -> Any:
    if dialect.id_type == "integer":
        try:
            return int(raw)
        except (TypeError, ValueError):
            return raw
    return str(raw)


def get_field(record: dict[str, Any], field: str) -> Any:
    return dotted.get(record, field)


def set_field(record: dict[str, Any], field: str, value: Any) -> None:
    dotted.put(record, field, value)


@lru_cache(maxsize=1024)
def _validator(resource: Resource, field: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(field_schema(resource, field))


def admits(resource: Resource, field: str, value: Any) -> bool:
    """Whether a request value fits the stored record's own schema for that field.

    Request and record shapes differ for some fields (Concord's billable input vs the computed
    billable): such values are the behaviours' business, never stored raw.
    """
    return bool(_validator(resource, field).is_valid(value))


def is_int(value: Any) -> TypeGuard[int]:
    """An integer, not a boolean (JSON's true is not 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def amount(value: Any) -> float:
    """A stored amount as a float; absent, null, boolean, non-numeric or non-finite counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return float(value)
