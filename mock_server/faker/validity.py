"""Whether a generated value is valid for its field's schema, decided without jsonschema where the schema
is simple (types, string lengths and pattern, numeric bounds, an enum of strings (and null), an object's
properties, required and additionalProperties, an array's items and size, anyOf / oneOf of such schemas), as
Draft 2020-12 decides it.

The generator checks each value it drew from a hint or a name against the field's schema; most fields'
schemas are simple, and a compiled check costs a few comparisons where a validator walks its keywords.
Any other keyword (const, $ref, patternProperties, uniqueItems, multipleOf, ...) or an enum with a number,
boolean, object or array among its options (JSON equality: 1 is 1.0, true is not 1) leaves the decision to
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
_OBJECTS = ("properties", "required", "additionalProperties")
_ARRAYS = ("items", "minItems", "maxItems")
_BRANCHES = ("anyOf", "oneOf")
_HANDLED = frozenset({"type", "pattern", "enum", *_LENGTHS, *_BOUNDS, *_OBJECTS, *_ARRAYS, *_BRANCHES}) | _ANNOTATIONS


def _always(_value: Any) -> bool:
    return True


def _never(_value: Any) -> bool:
    return False


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


def compiled(schema: Any) -> Check | None:
    """The check of a simple schema (see the module's doc; `true` and `false` too), else None."""
    if isinstance(schema, bool):
        return _always if schema else _never
    if not isinstance(schema, Mapping) or any(key not in _HANDLED and not str(key).startswith("x-") for key in schema):
        return None
    parts = [part(schema) for part in (_type_check, _enum_check, _text_check, _number_check, _object_check,
                                       _array_check, _branch_check)]
    if any(part is None for part in parts):
        return None
    checks: list[Check] = [part for part in parts if part is not None and part is not _always]
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _type_check(schema: Mapping[str, Any]) -> Check | None:
    declared = schema.get("type")
    if declared is None:
        return _always
    names = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    if not names or any(not isinstance(name, str) or name not in _TYPES for name in names):
        return None
    kinds = [_TYPES[name] for name in names]
    return kinds[0] if len(kinds) == 1 else lambda value: any(kind(value) for kind in kinds)


def _enum_check(schema: Mapping[str, Any]) -> Check | None:
    if "enum" not in schema:
        return _always
    options = schema["enum"]
    if not isinstance(options, list) or any(option is not None and not isinstance(option, str) for option in options):
        return None
    texts, null = frozenset(option for option in options if option is not None), None in options

    def check(value: Any) -> bool:
        return (isinstance(value, str) and value in texts) or (null and value is None)

    return check


def _text_check(schema: Mapping[str, Any]) -> Check | None:
    if not any(key in schema for key in (*_LENGTHS, "pattern")):
        return _always
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
    if not bounds:
        return _always
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


def _object_check(schema: Mapping[str, Any]) -> Check | None:
    if not any(key in schema for key in _OBJECTS):
        return _always
    properties, required = schema.get("properties", {}), schema.get("required", [])
    if not isinstance(properties, Mapping) or not isinstance(required, list):
        return None
    known = {name: compiled(sub) for name, sub in properties.items()}
    others = compiled(schema.get("additionalProperties", True))
    if others is None or any(check is None for check in known.values()):
        return None
    checks: dict[str, Check] = {name: check for name, check in known.items() if check is not None}

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True  # object keywords say nothing of other types
        return all(name in value for name in required) and all(
            checks[name](item) if name in checks else others(item) for name, item in value.items())

    return check


def _array_check(schema: Mapping[str, Any]) -> Check | None:
    if not any(key in schema for key in _ARRAYS):
        return _always
    low, high = schema.get("minItems", 0), schema.get("maxItems")
    each = compiled(schema.get("items", True))
    if each is None or not _whole(low) or (high is not None and not _whole(high)):
        return None

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True  # array keywords say nothing of other types
        return low <= len(value) and (high is None or len(value) <= high) and all(each(item) for item in value)

    return check


def _branch_check(schema: Mapping[str, Any]) -> Check | None:
    if not any(key in schema for key in _BRANCHES):
        return _always
    lists = {key: schema[key] for key in _BRANCHES if key in schema}
    if any(not isinstance(branches, list) or not branches for branches in lists.values()):
        return None
    compiled_lists = {key: [compiled(branch) for branch in branches] for key, branches in lists.items()}
    if any(check is None for checks in compiled_lists.values() for check in checks):
        return None
    any_of = [check for check in compiled_lists.get("anyOf", []) if check is not None]
    one_of = [check for check in compiled_lists.get("oneOf", []) if check is not None]

    def check(value: Any) -> bool:
        return (not any_of or any(branch(value) for branch in any_of)) and (
            not one_of or sum(1 for branch in one_of if branch(value)) == 1)

    return check


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
