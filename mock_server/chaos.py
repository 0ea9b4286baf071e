"""Latency and faults on purpose: `--delay 200` or `--delay 100-400` (ms), `Prefer: delay=500`, and
`--error-rate 0.05` (that share of API requests answered 500 or 503 in the API's error envelope).

Draws come from the runtime's `random.Random(seed)`, so a process given the same `--seed` and the same
requests fails the same ones.
"""

from __future__ import annotations

import random
import re
import time

from mock_server import errors
from mock_server.config import MockConfig

_DELAY = re.compile(r"(\d+)(?:-(\d+))?")


def parse_delay(text: str) -> tuple[int, int]:
    """`200` -> (200, 200); `100-400` -> (100, 400). Raises ValueError otherwise."""
    match = _DELAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"--delay {text!r}: use milliseconds, as 200 or 100-400")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise ValueError(f"--delay {text!r}: the range must go from low to high")
    return low, high


class Chaos:
    def __init__(self, config: MockConfig, rng: random.Random) -> None:
        self.delay_ms = config.delay_ms
        self.error_rate = config.error_rate
        self.rng = rng

    def wait(self, preferred_ms: int | None = None) -> None:
        """Sleep `Prefer: delay` ms when the client asked, else a draw from --delay."""
        low, high = self.delay_ms
        delay = preferred_ms if preferred_ms is not None else (self.rng.randint(low, high) if high else 0)
        if delay > 0:
            time.sleep(delay / 1000)

    def strike(self) -> None:
        """Raise a 500 or 503 for an --error-rate share of requests."""
        if self.error_rate > 0 and self.rng.random() < self.error_rate:
            raise errors.fault(self.rng.choice(tuple(errors.FAULTS)), "injected by --error-rate")
