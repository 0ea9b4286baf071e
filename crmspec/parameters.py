"""Path and query parameters as typed values: a URL carries strings, the document's schemas speak of
integers, numbers, booleans and arrays. The mock validates requests with it, the suite's proxy a client's."""

from __future__ import annotations

import math
import re
from typing import Any

from crmspec.schemas import field_types

INTEGER = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def coerce(raw: str, schema: dict[str, Any]) -> Any:
    """Turn a query or path string into the schema's type; leave it a string when it does not parse."""
    kinds = field_types(schema)
    # ASCII digits only: int() and float() would also take "1_000", " 5 ", "nan" and non-ASCII digits
    try:
        if "integer" in kinds and INTEGER.fullmatch(raw):
            return int(raw, 10)
        if "number" in kinds and NUMBER.fullmatch(raw):
            value = float(raw)
            if math.isfinite(value):
                return int(value) if value.is_integer() and "." not in raw else value
    except ValueError:  # more digits than int() converts (sys.int_info.str_digits_check_threshold)
        pass
    if "boolean" in kinds and raw.lower() in ("true", "false", "1", "0"):
        return raw.lower() in ("true", "1")
    return raw


def typed(raw: str, schema: dict[str, Any]) -> Any:
    """A parameter's value as its schema types it: an array parameter is comma-separated (form, explode false)."""
    if "array" in field_types(schema):
        return [coerce(v, schema.get("items", {})) for v in raw.split(",")]
    return coerce(raw, schema)
