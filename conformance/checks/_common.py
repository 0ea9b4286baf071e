"""Helpers the check families share."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance import normalise
from conformance.context import CheckRun
from conformance.model import Severity
from conformance.target import Exchange
from crmspec.model import Dialect, Operation


def body(exchange: Exchange) -> Any:
    """The JSON body, or None when there is none or it does not parse."""
    if not exchange.body:
        return None
    try:
        return exchange.json()
    except (ValueError, UnicodeDecodeError):
        return None


def documented_statuses(op: Operation, dialect: Dialect | None = None) -> set[str]:
    """The statuses the document lists for the operation, and those the pages document for every operation."""
    codes = set((op.raw.get("responses") or {}).keys())
    if dialect is not None:
        codes |= {str(code) for code in dialect.errors.general_statuses}
    return codes


def is_documented(op: Operation, status: int, dialect: Dialect | None = None) -> bool:
    codes = documented_statuses(op, dialect)
    return str(status) in codes or f"{str(status)[0]}XX" in codes or "default" in codes


def response_spec(op: Operation, status: int) -> dict[str, Any] | None:
    responses = op.raw.get("responses") or {}
    spec = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    return spec if isinstance(spec, dict) else None


def json_schema_for(op: Operation, status: int) -> dict[str, Any] | None:
    spec = response_spec(op, status) or {}
    content = spec.get("content") or {}
    media = content.get("application/json")
    if media is None:
        return None
    return dict(media.get("schema") or {})


def expects_json(op: Operation, status: int) -> bool:
    spec = response_spec(op, status) or {}
    content = spec.get("content") or {}
    return any(k == "application/json" or k.endswith("+json") for k in content)


def in_scope(run: CheckRun, exchange: Exchange) -> Operation | None:
    """The documented operation an exchange went to, if the check should judge it."""
    if exchange.status is None or exchange.source in ("probe", "cleanup"):
        return None
    return run.ctx.operation_of(exchange)


def leaf(path: str | None) -> str:
    """A dotted path's last name (`meta.total` -> `total`): what a requirement calls the field."""
    return (path or "").rsplit(".", 1)[-1]


def query_of(exchange: Exchange) -> dict[str, str]:
    """The query parameters an exchange sent (the last value of a repeated one)."""
    return dict(parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True))


def pages_by_design_only(run: CheckRun, op: Operation, payload: Any) -> bool:
    """The operation's paging is the project's design (x-designed) and the target shows no sign of paging it:
    no page field in the answer. Nothing the pages define is then missing: paging is not judged there."""
    if not {run.dialect.pagination.page_param, run.dialect.pagination.size_param} & op.designed.parameters:
        return False
    envelope = run.dialect.envelope_for(op)
    return all(normalise.page_value(run.dialect, op, payload, key) is None for key in envelope.page_fields)


def paging_level(run: CheckRun, op: Operation) -> Severity | None:
    """SHOULD where the operation's paging parameters are the project's design, not the page's (OC3:
    002 lists page/limit for contacts only); None: the check's own level."""
    pag = run.dialect.pagination
    return "SHOULD" if {pag.page_param, pag.size_param} & op.designed.parameters else None


def fill_path(run: CheckRun, op: Operation, record_id: Any, parent_id: Any = None) -> dict[str, Any]:
    """Path values for an operation on one record (and its parent, for nested resources)."""
    resource = run.dialect.resources.get(op.resource)
    parent = resource.parent.param if resource is not None and resource.parent is not None else None
    values: dict[str, Any] = {}
    if parent is not None and parent in op.path_params:
        values[parent] = parent_id
    own = op.record_param(parent)
    if own is not None:
        values[own] = record_id
    return values


def named_by_requirements(run: CheckRun, op: Operation, key: str = "field") -> set[str] | None:
    """The values of `key` that the catalogue's requirements verified by this check name on `op` (the
    fields whose constraints the pages state); None without a catalogue: then everything is judged, at
    the SHOULD level at most (see `catalogue_level`)."""
    catalogue = run.api.requirements
    if catalogue is None:
        return None
    return {value for r in catalogue.verified_by(run.check.id) if r.concerns(str(op)) for value in r.values_of(key)}


def catalogue_level(run: CheckRun) -> Severity | None:
    """SHOULD where the API has no requirements catalogue: what only its document says is the document's
    reading, not a statement of the pages."""
    return "SHOULD" if run.api.requirements is None else None


def lifecycle_resources(run: CheckRun) -> list[str]:
    """Resources with create, read, update and delete that the suite can make records of."""
    out = []
    for name in run.dialect.resources:
        ops = [run.api.find(name, a) for a in ("create", "read", "update", "delete")]
        if any(op is None for op in ops) or run.fixtures.creatable(name) is None or ops[0].path_params:  # type: ignore[union-attr]
            continue
        out.append(name)
    return out
