"""Reading the documents' JSON schemas for the generator: a nested field's schema, the object branch of an
`anyOf`, a type that is only implied, bounds, and examples that show the shape of a code."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from crmspec.schemas import declared_types

_CODE_LIKE_NOT = re.compile(r"[\s@:]|\d{4}-\d{2}-\d{2}")


def schema_at(schema: Mapping[str, Any], dotted: str) -> dict[str, Any] | None:
    """The schema of `owner.id` inside `schema`, through `anyOf: [object, null]` branches; None when absent."""
    node: Any = schema
    for part in dotted.split("."):
        node = object_branch(node)
        node = (node.get("properties") or {}).get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return dict(node)


def object_branch(schema: Any) -> Any:
    """The object branch of `anyOf: [object, null]`, or the schema itself."""
    if isinstance(schema, Mapping) and "properties" not in schema:
        for key in ("anyOf", "oneOf"):
            for branch in schema.get(key) or ():
                if isinstance(branch, Mapping) and ("properties" in branch or "object" in declared_types(branch)):
                    return branch
    return schema


def remove(record: dict[str, Any], dotted: str) -> None:
    """Leave `owner.id` (or `contact_id`) out of the record, if it is there."""
    parts = dotted.split(".")
    node: Any = record
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def implied_type(schema: Mapping[str, Any]) -> str:
    """The type a schema without `type` describes: an object, an array, a number, else a string."""
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def bound(value: Any) -> float | None:
    """A numeric bound keyword's value, or None when it is absent (or a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def code_examples(schema: Mapping[str, Any]) -> list[str]:
    """The schema's examples that look like codes (`RO-000123`): short, no spaces, with digits."""
    raw = schema.get("examples")
    found = list(raw) if isinstance(raw, list) else []
    if "example" in schema:
        found.append(schema["example"])
    return [e for e in found
            if isinstance(e, str) and 0 < len(e) <= 40 and not _CODE_LIKE_NOT.search(e) and any(c.isdigit() for c in e)]


def vary(example: str, rng: random.Random) -> str:
    """`RO-000123` -> `RO-004817`: the example's digits, random; everything else kept."""
    digits = [i for i, c in enumerate(example) if c.isdigit()]
    value = rng.randint(1, 10 ** len(digits) - 1)
    text = list(example)
    for position, digit in zip(digits, f"{value:0{len(digits)}d}", strict=True):
        text[position] = digit
    return "".join(text)
