"""`--rate-limit 60/min`: a fixed window per credential, answered 429 in the API's error envelope.

The caller is its Authorization header, else its key-pair access key (YSUITE), else its IP address.
Every API response carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`; a 429 adds `Retry-After`
(seconds to the next window). Windows live in the runtime's ledger, so the server's workers share them.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from typing import Any

from crmspec.model import Auth
from mock_server.errors import RateLimited
from mock_server.store import Ledger

UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0,
         "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "d": 86400.0, "day": 86400.0}
_RATE = re.compile(r"(\d+)\s*/\s*([a-z]+?)s?")


def parse_rate(text: str) -> tuple[int, float]:
    """`60/min` -> (60, 60.0); also N/s, N/hour, N/day. Raises ValueError otherwise."""
    match = _RATE.fullmatch(text.strip().lower())
    if match is None or match.group(2) not in UNITS or int(match.group(1)) < 1:
        raise ValueError(f"--rate-limit {text!r}: use REQUESTS/UNIT, as 60/min, 5/s or 1000/hour")
    return int(match.group(1)), UNITS[match.group(2)]


def caller(auth: Auth, headers: Any, remote_addr: str | None) -> str:
    """Who is counted: a digest of the credential the request carries, else its address."""
    credential = headers.get("Authorization") or (headers.get(auth.access_header) if auth.access_header else None)
    if credential:
        return "credential:" + hashlib.sha256(credential.encode()).hexdigest()[:32]
    return f"address:{remote_addr or 'unknown'}"


class RateLimiter:
    def __init__(self, rate: tuple[int, float] | None, ledger: Ledger, auth: Auth) -> None:
        self.rate = rate
        self.ledger = ledger
        self.auth = auth

    def admit(self, headers: Any, remote_addr: str | None) -> dict[str, str]:
        """Count one request for its caller; the headers for its response. Raises RateLimited past the
        limit. Without a limit nothing is computed: this runs on every request."""
        if self.rate is None:
            return {}
        key = caller(self.auth, headers, remote_addr)
        limit, window = self.rate
        now = time.time()
        slot = int(now // window)
        count = self.ledger.count_hit(key, slot)
        quota = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - count))}
        if count > limit:
            retry = max(1, math.ceil((slot + 1) * window - now))
            raise RateLimited(f"Too many requests: the limit is {limit} per {window:g} s. Retry after {retry} s.",
                              headers={**quota, "Retry-After": str(retry)})
        return quota
