"""Walk a document as written (not resolved): every mapping a reader of /docs sees, with its JSON pointer.

Shared by the tests that hold the documents' prose to their readers and their `x-decisions` marks to
dialects.md. Data is left out: example values, defaults, enums and constants are not prose, and `x-*`
extensions are for maintainers (the mock and the suite), never shown as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import yaml

from crmspec.loader import document_path

DATA_KEYS = frozenset({"example", "default", "enum", "const"})  # values, not prose
TEXT_KEYS = ("description", "summary", "title")
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


@cache
def document(dialect: str) -> dict[str, Any]:
    """The document as its file holds it (each shared text once, under its own pointer)."""
    with open(document_path(dialect), encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def nodes(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, mapping) for every mapping outside extensions and example data, the root included."""
    if isinstance(node, dict):
        yield pointer, node
        in_properties = pointer.endswith("/properties")  # keys are property names, never keywords
        for key, value in node.items():
            if not in_properties and (str(key).startswith("x-") or key in DATA_KEYS):
                continue
            if key == "value" and pointer.rsplit("/", 2)[-2:-1] == ["examples"]:  # an Example Object's data
                continue
            if key == "examples" and isinstance(value, list):  # a schema's examples: data
                continue
            yield from nodes(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nodes(value, f"{pointer}/{index}")


def texts(dialect: str) -> Iterator[tuple[str, str]]:
    """(pointer, text) of every description, summary and title a reader sees."""
    for pointer, node in nodes(document(dialect)):
        if pointer.endswith("/properties"):
            continue  # a property named `description` holds a schema, not prose
        for key in TEXT_KEYS:
            if isinstance(node.get(key), str):
                yield f"{pointer}/{key}", node[key]


def owner(document_: dict[str, Any], pointer: str) -> str:
    """What a node belongs to, in words that survive reordering: an operation's operationId, a
    component (`components/schemas/Deal`), or a top-level section (`info`, `servers`, `tags`)."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    if parts[0] in ("paths", "webhooks") and len(parts) > 2 and parts[2] in HTTP_METHODS:
        return str(document_[parts[0]][parts[1]][parts[2]]["operationId"])
    if parts[0] == "components":
        return "/".join(parts[:3])
    return "/".join(parts[:2]) if parts[0] in ("paths", "webhooks") else parts[0]
