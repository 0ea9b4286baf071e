"""Non-CRUD actions per API: an explicit map from dialect id to its handlers, no string-built imports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.validation import ValidRequest

if TYPE_CHECKING:
    from mock_server.engine import Engine

Handler = Callable[["Engine", Operation, ValidRequest, "Principal | None"], Response]
Handlers = Mapping[tuple[str, str], Handler]  # (resource, action) -> handler


def handlers_for(dialect_id: str) -> Handlers:
    from mock_server.behaviours import concord, olympus, revorbit, ysuite

    table: dict[str, Handlers] = {
        "revorbit": revorbit.HANDLERS,
        "olympus": olympus.HANDLERS,
        "concord": concord.HANDLERS,
        "ysuite": ysuite.HANDLERS,
    }
    return table.get(dialect_id, {})

