"""Olympus Cloud CRM behaviour beyond CRUD (seed 002 and the platform authentication guide)."""

from __future__ import annotations

import secrets

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.behaviours import Behaviour
from mock_server.engine import Engine
from mock_server.responses import json_response
from mock_server.validation import ValidRequest


def login(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    user = engine.user_by_login(req.body)
    roles = list(user.get("roles") or [engine.dialect.auth.default_role])
    token = engine.credentials.issue(roles=roles, subject=str(user["id"]), user_id=user["id"])
    return json_response(200, {"status": {
        "type": "success",
        "access_token": token,
        "refresh_token": f"rt_{secrets.token_urlsafe(24)}",
        "token_type": "Bearer",
        "expires_in": engine.dialect.auth.lifetime_seconds,
        "user": {"id": user["id"], "tenant_id": user.get("tenant_id"), "email": user["email"], "roles": roles},
    }})


BEHAVIOUR = Behaviour(handlers={
    ("auth", "login"): login,
})
