"""Whether a generated value is valid for its field's schema, decided without jsonschema where the schema
is simple (a type, string lengths and pattern, numeric bounds), as Draft 2020-12 decides it.

The generator checks each value it drew from a hint or a name against the field's schema; most fields'
schemas are simple, and a compiled check costs a few comparisons where a validator walks its keywords.
Any keyword not handled here (enum, items, properties, anyOf, multipleOf, ...) leaves the decision to
jsonschema itself, as does a schema whose keywords have values of the wrong kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"title", "description", "examples", "example", "default", "readOnly", "writeOnly",
                          "deprecated", "format", "nullable", "$comment"})
_LENGTHS = ("minLength", "maxLength")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_HANDLED = frozenset({"type", "pattern", *_LENGTHS, *_BOUNDS}) | _ANNOTATIONS

_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
}


def validity(schema: Mapping[str, Any]) -> Check:
    """A check of a value against `schema`: compiled when the schema is simple, jsonschema's otherwise."""
    return compiled(schema) or jsonschema.Draft202012Validator(dict(schema)).is_valid


def compiled(schema: Mapping[str, Any]) -> Check | None:
    """The check of a simple schema (only type, lengths, pattern, bounds and annotations), else None."""
    if any(key not in _HANDLED and not str(key).startswith("x-") for key in schema):
        return None
    kinds = _type_checks(schema.get("type"))
    text = _text_check(schema)
    number = _number_check(schema)
    if kinds is None or text is None or number is None:
        return None
    return lambda value: (not kinds or any(kind(value) for kind in kinds)) and text(value) and number(value)


def _type_checks(declared: Any) -> list[Check] | None:
    names = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    if declared is not None and (not names or any(name not in _TYPES for name in names)):
        return None
    return [_TYPES[name] for name in names]


def _text_check(schema: Mapping[str, Any]) -> Check | None:
    low, high, pattern = schema.get("minLength", 0), schema.get("maxLength"), schema.get("pattern")
    if not _whole(low) or (high is not None and not _whole(high)) or not isinstance(pattern, (str, type(None))):
        return None
    try:
        search = re.compile(pattern).search if pattern is not None else None
    except re.error:
        return None  # jsonschema's own validator reports it

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return True  # string keywords say nothing of other types
        return low <= len(value) and (high is None or len(value) <= high) and (search is None or bool(search(value)))

    return check


def _number_check(schema: Mapping[str, Any]) -> Check | None:
    bounds = {key: schema[key] for key in _BOUNDS if key in schema}
    if any(not _numeric(value) for value in bounds.values()):
        return None
    low, high = bounds.get("minimum"), bounds.get("maximum")
    above, below = bounds.get("exclusiveMinimum"), bounds.get("exclusiveMaximum")

    def check(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True  # numeric keywords say nothing of other types
        # written as jsonschema fails a value, so that a NaN passes as it does there
        return not ((low is not None and value < low) or (high is not None and value > high)
                    or (above is not None and value <= above) or (below is not None and value >= below))

    return check


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
