"""Non-CRUD behaviour per API: an explicit map from dialect id to its module, no string-built imports.

A module exports BEHAVIOUR: the handlers of its custom actions, and hooks the generic engine calls for its
resources, so that a behaviour adds what is its own instead of replacing a generic action:
`on_write` before a record is stored (seeding, create, update); `present` on the way out (computed fields
such as Revenue Orbit's risk); `duplicate`, the API's own refusal of a value the document declares unique;
`write_check`, the API's own rules for a create (stored: None) or an update, refused with the reference
checks in one answer (YSUITE's deal, contact and task rules);
`list_where`, a list's conditions where the API reads its query its own way (Concord's search grammar,
Olympus' derived task status); `shape`, what a list keeps of each record (Concord's `select`);
`list_extras`, fields a list answer carries beside its records (Olympus' pipeline_summary). A present hook gets every
record of an answer at once (a page of 25 deals, or one), so it can look up what it needs in one query
per page instead of one per record; `each` turns a one-record function into such a hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Response

from crmspec.model import Operation, Resource
from mock_server.auth import Principal
from mock_server.errors import MockError
from mock_server.store.query import Predicate
from mock_server.validation import ValidRequest

if TYPE_CHECKING:
    from mock_server.engine import Engine

Handler = Callable[["Engine", Operation, ValidRequest, "Principal | None"], Response]
ListWhere = Callable[["Engine", Operation, Resource, ValidRequest, "Principal | None"], list[Predicate]]
Shape = Callable[[Operation, Resource, ValidRequest, list[dict[str, Any]]], list[dict[str, Any]]]
ListExtras = Callable[["Engine", list[dict[str, Any]]], dict[str, Any]]
WriteCheck = Callable[["Engine", "dict[str, Any] | None", dict[str, Any]], dict[str, list[str]]]  # (stored, body)
Duplicate = Callable[[str], MockError]  # the field whose value is taken -> the API's refusal
Handlers = Mapping[tuple[str, str], Handler]  # (resource, action) -> handler
RecordHook = Callable[["Engine", dict[str, Any]], dict[str, Any]]
PresentHook = Callable[["Engine", list[dict[str, Any]]], list[dict[str, Any]]]


def each(hook: RecordHook) -> PresentHook:
    """A present hook that needs nothing beyond the record itself, applied record by record."""
    def present(engine: Engine, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [hook(engine, record) for record in records]
    return present


@dataclass(frozen=True)
class Behaviour:
    handlers: Handlers = field(default_factory=dict)
    on_write: Mapping[str, RecordHook] = field(default_factory=dict)
    present: Mapping[str, PresentHook] = field(default_factory=dict)
    duplicate: Mapping[str, Duplicate] = field(default_factory=dict)
    write_check: Mapping[str, WriteCheck] = field(default_factory=dict)
    list_where: Mapping[str, ListWhere] = field(default_factory=dict)
    shape: Mapping[str, Shape] = field(default_factory=dict)
    list_extras: Mapping[str, ListExtras] = field(default_factory=dict)


def behaviour_for(name: str) -> Behaviour:
    """The behaviours module a document names (x-crm-dialect.behaviours, by default its id); none: the
    generic engine alone."""
    from mock_server.behaviours import concord, olympus, revorbit, ysuite

    table: dict[str, Behaviour] = {
        "revorbit": revorbit.BEHAVIOUR,
        "olympus": olympus.BEHAVIOUR,
        "concord": concord.BEHAVIOUR,
        "ysuite": ysuite.BEHAVIOUR,
    }
    return table.get(name, Behaviour())
