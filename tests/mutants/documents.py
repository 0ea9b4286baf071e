"""Document transforms both zoos use: the MOCK is built from the changed document, the suite keeps the original."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any


def _parameters(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every parameter object: the shared ones in components and those written inline on an operation."""
    yield from (p for p in (document.get("components") or {}).get("parameters", {}).values() if isinstance(p, dict))
    for item in (document.get("paths") or {}).values():
        for operation in (item or {}).values():
            if isinstance(operation, dict):
                yield from (p for p in operation.get("parameters") or [] if isinstance(p, dict) and "name" in p)


def without_page_maximum(document: dict[str, Any]) -> dict[str, Any]:
    """The document without its page-size maximum: any page size is served as asked."""
    changed = copy.deepcopy(document)
    pagination = changed["x-crm-dialect"]["pagination"]
    pagination["max_size"] = 10_000
    for parameter in _parameters(changed):
        if parameter.get("name") == pagination["size_param"]:
            parameter.get("schema", {}).pop("maximum", None)
    return changed
