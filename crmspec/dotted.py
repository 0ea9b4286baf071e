"""Dotted paths into JSON bodies (`data.current_page`; "" is the body itself)."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def get(body: Any, path: str | None, default: Any = None) -> Any:
    if path is None:
        return default
    if path == "":
        return body
    node = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def has(body: Any, path: str) -> bool:
    return get(body, path, _MISSING) is not _MISSING


def put(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set `value` at `path` inside `body`, creating (or replacing non-object) intermediates; returns `body`."""
    parts = path.split(".")
    node = body
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value
    return body
