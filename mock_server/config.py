"""The mock's typed configuration, passed explicitly to create_app()."""

from __future__ import annotations

from dataclasses import dataclass

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
