"""What every mutant is made of: the Mutant record and the edits several APIs' mutants share.

A mutant is a small named change to the mock that breaks ONE rule of one API, naming the page statement
or decision it breaks and the requirement (openapi/<api>.requirements.yaml) the suite must then report
failed. It is a few lines over the pieces in tests/mutants/middleware.py, never a copy of the mock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from flask import Flask

from conformance.model import FAMILIES
from mock_server.app import mock_of
from tests.mutants.middleware import (
    Request,
    bearer,
    claims_unverified,
    on_request,
    refusal,
    swap_credential,
)

APIS = ("revorbit", "olympus", "concord", "ysuite")


@dataclass(frozen=True)
class Mutant:
    name: str
    dialect: str
    rule: str                                   # the one rule it breaks, naming the page or decision
    family: str                                 # the check family expected to catch it
    apply: Callable[[Flask], None]              # installs the change on the mock's app
    records: int = 15
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # the MOCK's document only
    weakness: str | None = None                 # a check too weak to catch it (reported, xfail)
    requirement: str | None = None              # the requirement the suite must report failed

    def __post_init__(self) -> None:
        if self.family not in FAMILIES or self.dialect not in APIS:
            raise ValueError(f"{self.name}: unknown family {self.family!r} or API {self.dialect!r}")


# shared edits ------------------------------------------------------------------------------------
def accept_expired(app: Flask) -> None:
    """A credential refused only because it expired is treated as a fresh one of the same role."""
    auth = mock_of(app).credentials.auth

    def edit(request: Request) -> None:
        refused = refusal(app, request)
        if refused is None or "expired" not in refused.message.lower():
            return
        claims = claims_unverified(bearer(request) or "") or {}
        role = claims.get(auth.role_claim) if auth.scheme == "jwt" else None
        swap_credential(app, request, role[0] if isinstance(role, list) else role)

    on_request(app, "* /**", edit)


def accept_alg_none(app: Flask) -> None:
    """An unsigned JWT (alg: none) is trusted: its claims are taken as they are."""
    role_claim = mock_of(app).credentials.auth.role_claim

    def edit(request: Request) -> None:
        token = bearer(request)
        if token and _algorithm(token) == "none":
            role = (claims_unverified(token) or {}).get(role_claim)
            swap_credential(app, request, role[0] if isinstance(role, list) else role)

    on_request(app, "* /**", edit)


def _algorithm(token: str) -> str | None:
    try:
        return str(jwt.get_unverified_header(token).get("alg"))
    except jwt.PyJWTError:
        return None


def body_field(name: str, change: Callable[[Any], Any], missing: bool = False) -> Callable[[Request], None]:
    """Change one field of a JSON request body: when it is present, or (`missing`) when it is absent."""
    def edit(request: Request) -> None:
        body = request.json()
        if isinstance(body, dict) and (name in body) != missing:
            body[name] = change(body.get(name))
            request.set_json(body)

    return edit


def as_text(value: Any) -> Any:
    """PHP-style casting: whatever JSON value arrives is stored as its text."""
    return value if isinstance(value, str) or value is None else json.dumps(value)


def parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True
