"""Revenue Orbit's authentication page: login, register and refresh answer a token at the top level, beside the
user, not under `data` (RO19)."""

from __future__ import annotations

from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.engine import Engine
from mock_server.errors import Conflict, Unauthorized, ValidationFailed
from mock_server.responses import json_response
from mock_server.store import query as q
from mock_server.validation import ValidRequest

APP_VERSION = "crm-mock"


def _public_user(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user.get(key) for key in ("id", "first_name", "last_name", "email", "role")}


def _token_for(engine: Engine, user: dict[str, Any]) -> str:
    return engine.credentials.issue(user.get("role") or "user", subject=str(user["id"]), user_id=user["id"])


def login(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    # authentication page: the token sits at the top level, not under data (RO19)
    user = engine.user_by_login(req.body)
    return json_response(200, {
        "success": True,
        "token": _token_for(engine, user),
        "user": _public_user(user),
        "app_version": APP_VERSION,
        "app_environment": "mock",
    })


def register(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    email = str(body.get("email", ""))
    if engine.store.all("users", [q.same_text("email", email)]):
        raise ValidationFailed("Validation failed", field_errors={"email": ["The email has already been taken."]})
    first, last = str(body.get("first_name", "")), str(body.get("last_name", ""))
    user = engine.store.insert("users", {
        "name": f"{first} {last}".strip(), "first_name": first, "last_name": last, "email": email,
        "role": "admin", "password": str(body.get("password", "")),
    })
    status = op.envelope.status if op.envelope else 201
    return json_response(status, {"success": True, "token": _token_for(engine, user), "user": _public_user(user),
                                  "is_new_org": True})


def refresh(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    if principal is None:
        raise Unauthorized("Unauthenticated.")
    user = engine.store.get("users", principal.user_id)
    if user is None:
        raise Conflict("The token's user no longer exists.")
    return json_response(200, {"success": True, "token": _token_for(engine, user)})
