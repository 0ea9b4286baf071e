"""What every Olympus handler module shares about records: a record as the API shows it, a reference that must
exist, the request's webhook events (each naming the acting user's tenant), the closed deal stages, amounts."""

from __future__ import annotations

from typing import Any

from mock_server.auth import Principal
from mock_server.engine import Engine
from mock_server.errors import NotFound
from mock_server.webhooks import Events

CLOSED_STAGES = ("closed_won", "closed_lost")


class TenantEvents(Events):
    """Olympus' events carry `tenant_id`, the tenant of the user who made the change (Decision OC18's payload
    `{id, event, occurred_at, tenant_id, data}`)."""

    def __init__(self, engine: Engine, principal: Principal | None) -> None:
        user = engine.store.get("users", principal.user_id) if principal and principal.user_id else None
        super().__init__(engine, {"tenant_id": user.get("tenant_id") if user else None})


def money(value: float) -> float:
    return round(value, 2)


def shown(engine: Engine, resource: str, record: dict[str, Any]) -> dict[str, Any]:
    return engine.presented(engine.resource(resource), dict(record))


def require_reference(engine: Engine, resource: str, value: Any, code: str | None = None) -> dict[str, Any] | None:
    if value is None:
        return None
    record = engine.store.get(resource, value)
    if record is None:
        label = resource.rstrip("s").capitalize()
        raise NotFound(f"{label} not found.", code=code)
    return record
