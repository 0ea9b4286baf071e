"""Credential lifetimes as people write them (`--ttl 8h`), and back (`valid for 1h`)."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(\d{1,9})([smhd]?)")  # nine digits at most: int() of thousands of digits refuses
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
LONGEST = 366 * 86400  # a year and a day: longer than any frontend session, short of a forever credential


def parse_duration(option: str, text: str) -> int:
    """`30s`, `15m`, `8h`, `2d` or plain seconds -> seconds. Raises ValueError naming `option` otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2)] if match else 0
    if not 0 < seconds <= LONGEST:
        raise ValueError(f"{option} {text!r}: use a lifetime from 1s to 366d, as 30s, 15m, 8h, 2d or 3600")
    return seconds


def format_duration(seconds: int) -> str:
    """In the largest unit that divides it: 3600 -> `1h`, 5400 -> `90m`, 45 -> `45s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
