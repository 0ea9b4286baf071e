"""Records as the store keeps them: JSON text, written and read back by orjson (8x the standard library's
encoder on a seeded record, 2-3x its decoder on a page of 25 deals)."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson


def dumps(record: Any) -> str:
    """The JSON text the store keeps, as the standard library writes it but for the spaces: orjson cannot write
    an integer past 64 bits, and writes a non-finite float as null (the standard library as `Infinity`, which a
    behaviour saturates before storing; kept as it was), so those records are written by the standard library."""
    try:
        text = orjson.dumps(record)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(record)
    if b"null" in text and type(record) in (dict, list) and holds_non_finite(record):
        return json.dumps(record)
    return text.decode()


def loads(text: str | bytes) -> Any:
    """JSON the store wrote itself. orjson reads an integer past 64 bits (a computed total, the only source: bodies
    are held to 64-bit integers) as the float of the same JSON number; a number past the double's range, which
    orjson refuses, is read by the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def holds_non_finite(body: dict[str, Any] | list[Any]) -> bool:
    """Whether a float inside is infinite or NaN (what orjson writes as null)."""
    pending: list[Any] = [body]
    while pending:
        value = pending.pop()
        for item in value.values() if type(value) is dict else value:
            kind = type(item)
            if kind is float:
                if not math.isfinite(item):
                    return True
            elif kind is dict or kind is list:
                pending.append(item)
    return False
