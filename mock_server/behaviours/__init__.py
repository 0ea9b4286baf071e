"""Non-CRUD behaviour per API: an explicit map from dialect id to its module, no string-built imports.

A module exports BEHAVIOUR: the handlers of its custom actions, and record hooks the generic engine
calls for its resources: `on_write` before a record is stored (seeding, create, update) and
`present` on the way out (computed fields such as Revenue Orbit's risk).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.validation import ValidRequest

if TYPE_CHECKING:
    from mock_server.engine import Engine

Handler = Callable[["Engine", Operation, ValidRequest, "Principal | None"], Response]
Handlers = Mapping[tuple[str, str], Handler]  # (resource, action) -> handler
RecordHook = Callable[["Engine", dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Behaviour:
    handlers: Handlers = field(default_factory=dict)
    on_write: Mapping[str, RecordHook] = field(default_factory=dict)
    present: Mapping[str, RecordHook] = field(default_factory=dict)


def behaviour_for(dialect_id: str) -> Behaviour:
    from mock_server.behaviours import concord, olympus, revorbit, ysuite

    table: dict[str, Behaviour] = {
        "revorbit": revorbit.BEHAVIOUR,
        "olympus": olympus.BEHAVIOUR,
        "concord": concord.BEHAVIOUR,
        "ysuite": ysuite.BEHAVIOUR,
    }
    return table.get(dialect_id, Behaviour())
