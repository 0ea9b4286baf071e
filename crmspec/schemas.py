"""Helpers over resolved JSON Schemas that the mock and the suite both need: merging `allOf`, the types a
schema declares or admits, and whether it admits null."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def flatten(schema: dict[str, Any]) -> dict[str, Any]:
    """One schema from an `allOf`: the parts' properties and required lists merged into the schema's own,
    any other keyword taken from the first place that has it (the schema itself, then each part). A schema
    without `allOf` is returned as it is (callers may key caches on it)."""
    parts = schema.get("allOf")
    if not parts:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in parts:
        if not isinstance(part, dict):
            continue
        for key, value in flatten(part).items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def declared_types(schema: Mapping[str, Any]) -> list[str]:
    """The schema's own `type` keyword as a list, in its order ([] when it has none)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    return []


def field_types(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types a value of this schema may have: its `type`, else those its anyOf / oneOf branches
    declare ({} when nothing says: any type)."""
    if "type" in schema:
        return set(declared_types(schema))
    return {kind for key in ("anyOf", "oneOf") for branch in schema.get(key) or () if isinstance(branch, Mapping)
            for kind in field_types(branch)}


def nullable(schema: Any) -> bool:
    """Whether null is a valid value of `schema`, by the rules of JSON Schema 2020-12 (OpenAPI 3.1's): every
    keyword that applies to null must accept it (`type` naming "null", `const: null`, an `enum` holding null,
    an anyOf branch, exactly one oneOf branch, every allOf part, a `not` that refuses it). Keywords for other
    types (minimum, properties, ...) do not apply to null; OpenAPI 3.0's `nullable: true` is no keyword of 3.1
    and, as for any validator, counts for nothing."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        return False
    return all(admits(schema[key]) for key, admits in _NULL_RULES.items() if key in schema)


def _branches(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


_NULL_RULES: dict[str, Callable[[Any], bool]] = {
    "type": lambda kind: kind == "null" or (isinstance(kind, list) and "null" in kind),
    "const": lambda value: value is None,
    "enum": lambda options: isinstance(options, list) and None in options,
    "anyOf": lambda branches: any(nullable(b) for b in _branches(branches)),
    "oneOf": lambda branches: sum(nullable(b) for b in _branches(branches)) == 1,
    "allOf": lambda parts: all(nullable(p) for p in _branches(parts)),
    "not": lambda refused: not nullable(refused),
}
