"""Helpers over resolved JSON Schemas that the mock and the suite both need."""

from __future__ import annotations

from typing import Any


def flatten(schema: dict[str, Any]) -> dict[str, Any]:
    """One object schema from an `allOf` of object schemas: properties and required lists merged."""
    parts = schema.get("allOf")
    if not parts:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part in parts:
        flat = flatten(part) if isinstance(part, dict) else {}
        properties.update(flat.get("properties") or {})
        required.extend(r for r in flat.get("required") or [] if r not in required)
        if "type" in flat and "type" not in merged:
            merged["type"] = flat["type"]
    merged["properties"] = properties
    merged["required"] = required
    return merged
