"""The mock's typed configuration, passed explicitly to create_app(); and where `crm-mock serve` listens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LogFormat = Literal["off", "text", "json"]

DEFAULT_SECRET = "crm-mock-development-secret-not-for-production"  # documented; laptops only
DEFAULT_PASSWORD = "mock-password"  # the seeded users' password for the login endpoints


@dataclass(frozen=True, slots=True)
class MockConfig:
    seed: int = 42
    records: int = 50
    state: str | None = None
    secret: str = DEFAULT_SECRET
    password: str = DEFAULT_PASSWORD
    max_body_bytes: int = 1_048_576
    webhook_url: str | None = None
    seed_cache: bool = False  # reuse today's kept seeding of the same document, seed, records and code (CLI: on)
    # for frontend developers (README "For frontend developers")
    delay_ms: tuple[int, int] = (0, 0)  # every API answer waits a uniform draw from this range (--delay)
    error_rate: float = 0.0  # share of API requests answered 500 or 503 (--error-rate)
    rate_limit: tuple[int, float] | None = None  # (requests, window seconds) per credential (--rate-limit)
    cors: bool = True
    cors_origin: str | None = None  # only this Origin gets CORS headers (--cors-origin); None: any origin
    watch: bool = False  # reload the document when its file changes, keeping the state (--watch)
    access_log: LogFormat = "off"  # one line per request on stderr (--log-format)
    runtime_dir: str | None = None  # session stores, snapshots and the shared ledger; None: in memory


ServerKind = Literal["gunicorn", "granian"]
SERVER_KINDS: tuple[ServerKind, ...] = ("gunicorn", "granian")
# granian serves about twice gunicorn's requests per second (README, Benchmarks), finishes requests in flight on
# Ctrl-C and answers what it refuses itself without HTML pages
DEFAULT_SERVER: ServerKind = "granian"


@dataclass(frozen=True, slots=True)
class Listen:
    """Where and how `crm-mock serve` listens (--server, --host, --port, --workers)."""

    server: ServerKind = DEFAULT_SERVER
    host: str = "127.0.0.1"
    port: int = 4010
    workers: int = 1
