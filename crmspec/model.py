"""The typed view of a document: its dialect conventions and its operations, indexed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from crmspec.requirements import Catalogue

Success = Literal[True, "optional", "absent"]


@dataclass(frozen=True, slots=True)
class Envelope:
    status: int
    success: Success
    data: str | None = None
    alternatives: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()
    message: str | None = None
    empty: bool = False
    items: str | None = None
    page_fields: dict[str, str | None] = field(default_factory=dict)
    page_fields_required: bool = True  # false where the pages disagree on the block (Olympus, OC3)
    data_optional: bool = False        # the record may be left out of the answer (RO5: update, data optional)

    @property
    def statuses(self) -> tuple[int, ...]:
        return (self.status, *self.alternatives)

    def merged(self, override: dict[str, Any]) -> Envelope:
        return envelope_from({**self.as_dict(), **override})

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "success": self.success,
            "data": self.data,
            "alternatives": list(self.alternatives),
            "fields": list(self.fields),
            "message": self.message,
            "empty": self.empty,
            "items": self.items,
            "page_fields": dict(self.page_fields),
            "page_fields_required": self.page_fields_required,
            "data_optional": self.data_optional,
        }


def envelope_from(raw: dict[str, Any]) -> Envelope:
    return Envelope(
        status=raw["status"],
        success=raw["success"],
        data=raw.get("data"),
        alternatives=tuple(raw.get("alternatives") or ()),
        fields=tuple(raw.get("fields") or ()),
        message=raw.get("message"),
        empty=bool(raw.get("empty", False)),
        items=raw.get("items"),
        page_fields={k: v for k, v in (raw.get("page_fields") or {}).items() if v is not None},
        page_fields_required=bool(raw.get("page_fields_required", True)),
        data_optional=bool(raw.get("data_optional", False)),
    )


@dataclass(frozen=True, slots=True)
class ErrorConvention:
    success: Literal[False, "absent"]
    message: str
    code: str | None
    error: str | None
    field_errors: str | None
    field_error_style: Literal["string", "list"]
    statuses: dict[str, int]
    alternatives: dict[str, tuple[int, ...]]
    codes: dict[str, str]
    schema_ref: str | None
    general_statuses: tuple[int, ...] = ()   # statuses the pages document for every operation (RO: 000's table)
    field_errors_judged: bool = True         # false where the pages leave field errors' place and shape open (OC4/OC5)
    schema_judged: bool = True               # false where the sources' error bodies disagree outright (OC4)
    code_alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other codes a page allows

    def codes_for(self, status: int) -> frozenset[str]:
        """Every machine code the pages allow on an error answer with `status`: the codes of each kind of
        error that answers with it (400 is both Olympus' VALIDATION_ERROR and BAD_REQUEST)."""
        kinds = [kind for kind in self.codes if status in self.accepted(kind)]
        return frozenset(code for kind in kinds for code in (self.codes[kind], *self.code_alternatives.get(kind, ())))

    def status(self, kind: str) -> int:
        return self.statuses.get(kind, self.statuses.get("bad_request", 400))

    def accepted(self, kind: str) -> tuple[int, ...]:
        return (self.status(kind), *self.alternatives.get(kind, ()))


@dataclass(frozen=True, slots=True)
class Pagination:
    page_param: str
    size_param: str
    first_page: int
    reported_first_page: int
    default_size: int
    max_size: int
    over_max: Literal["clamp", "reject"]
    past_end: Literal["empty", "not_found"]
    stated: dict[str, Literal["MUST", "SHOULD"]] = field(default_factory=dict)  # default_size / max_size the
    #                                          pages state, and the level they hold a server to (the rest is the mock's)


@dataclass(frozen=True, slots=True)
class Auth:
    scheme: Literal["jwt", "token", "key_pair"]
    security_scheme: str
    roles: tuple[str, ...]
    default_role: str | None
    limited_role: str | None
    roles_match: Literal["any", "all"]
    role_claim: str
    issuer: str | None
    audience: str | None
    lifetime_seconds: int
    access_header: str | None
    secret_header: str | None
    login_operation: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    field: str
    resource: str
    names: dict[str, str]
    where: dict[str, Any] = dataclasses.field(default_factory=dict)  # the target must match these (YS11)


@dataclass(frozen=True, slots=True)
class Parent:
    resource: str
    field: str
    param: str


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: hashable, one per loaded document
class Resource:
    name: str
    schema_name: str
    id_field: str
    id_prefix: str | None
    parent: Parent | None
    seed: bool
    not_found_code: str | None
    references: tuple[Reference, ...]
    fixtures: tuple[dict[str, Any], ...]
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Dialect:
    id: str
    title: str
    base_path: str
    sources: tuple[str, ...]
    id_type: Literal["integer", "string"]
    id_format: str | None
    envelopes: dict[str, Envelope]
    errors: ErrorConvention
    pagination: Pagination
    auth: Auth
    resources: dict[str, Resource]
    invariants: str | None = None      # the suite's module of this API's own invariants, by name
    behaviours: str = ""               # the mock's module of this API's own behaviours, by name (default: id)

    def envelope(self, action: str) -> Envelope:
        return self.envelopes.get(action, self.envelopes["item"])

    def envelope_for(self, operation: Operation, action: str | None = None) -> Envelope:
        """The envelope an operation answers in: its own override, else the block's entry for the action."""
        return operation.envelope or self.envelope(action or operation.action)


@dataclass(frozen=True, slots=True)
class Filter:
    param: str
    op: str
    field: str | None
    field_param: str | None
    default_field: str | None


@dataclass(frozen=True, slots=True)
class Sort:
    param: str
    dir_param: str | None
    separator: str | None
    default: str | None
    keys: dict[str, str]
    directions: dict[str, str]
    default_direction: Literal["asc", "desc"]
    level: Literal["MUST", "SHOULD"] = "MUST"   # SHOULD where the pages leave the keys open (YS13)
    tested: tuple[str, ...] = ()                 # the keys a suite sorts by (RO8: documented keys only)


@dataclass(frozen=True, slots=True)
class Designed:
    """The parts of an operation the pages do not define (`x-designed`): the project's design, judged
    at the SHOULD level at most."""

    parameters: frozenset[str] = frozenset()
    responses: frozenset[str] = frozenset()      # status codes, as the document writes them ('200')
    request: frozenset[str] = frozenset()        # "body" (the whole body) or "required" (its required list)

    def response(self, status: int | str) -> bool:
        return str(status) in self.responses or f"{str(status)[0]}XX" in self.responses


@dataclass(frozen=True, slots=True)
class RefusedOnUpdate:
    """What the pages (and section 3) say an update must refuse: leaving a field out, or sending it empty."""

    omitted: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Search:
    param: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: hashable, one per loaded document
class Operation:
    """One method on one path, with what the document says it is."""

    method: str
    path: str
    mount: str
    operation_id: str
    resource: str
    action: str
    source: str
    source_reason: str | None
    roles: tuple[str, ...] | None
    envelope: Envelope | None
    filters: tuple[Filter, ...]
    search: Search | None
    sort: Sort | None
    required_on_update: tuple[str, ...]
    raw: dict[str, Any]
    designed: Designed = Designed()
    refused_on_update: RefusedOnUpdate = RefusedOnUpdate()
    projection: str | None = None                # the query parameter that selects fields (Concord's select)

    @property
    def secured(self) -> bool:
        return self.roles is not None

    @property
    def full_path(self) -> str:
        return self.mount + self.path

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    def record_param(self, parent_param: str | None = None) -> str | None:
        """The path parameter naming the operation's own record: the last id-like one that is not the
        parent's (`/deals/{id}/status/{status}` -> id, `/deals/{id}/notes/{noteId}` -> noteId)."""
        return _record_param(self.path, parent_param)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Api:
    """A loaded, validated, resolved document."""

    path: str
    document: dict[str, Any]
    dialect: Dialect
    operations: tuple[Operation, ...]
    sha256: str
    requirements_path: str | None = None    # openapi/<api>.requirements.yaml, when the block names one

    @cached_property
    def requirements(self) -> Catalogue | None:
        """The API's requirements catalogue, read on first use (the mock never needs it); raises a
        CrmSpecError when it is invalid."""
        from crmspec.requirements import load_catalogue

        if self.requirements_path is None:
            return None
        return load_catalogue(Path(self.requirements_path), {str(op) for op in self.operations})

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def find(self, resource: str, action: str) -> Operation | None:
        for op in self.operations:
            if op.resource == resource and op.action == action:
                return op
        return None

    def for_resource(self, resource: str) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.resource == resource)


@cache
def _record_param(path: str, parent_param: str | None) -> str | None:
    """Asked on every request that names a record; a pure function of the path."""
    params = [part[1:-1] for part in path.split("/") if part.startswith("{") and part[1:-1] != parent_param]
    named = [p for p in params if p == "id" or p.endswith("_id") or p.endswith("Id")]
    candidates = named or params
    return candidates[-1] if candidates else None
