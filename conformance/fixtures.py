"""Records the suite creates on the target, and only those it changes or deletes (X11: the suite does no harm).

A create body starts from the page's own example when the document carries one; every reference in it
points at a record the suite created itself wherever the API lets it create one (a test deal hangs off a
test contact), so no foreign record's derived values (counts, scores, totals) move; only lookup data the
API fixes (stages, pipelines, users: resources with declared `fixtures`, or with no create) is referenced
as the target has it. Every text the API may require to be unique is tagged with the run's tag.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance import normalise
from conformance.context import RunContext
from conformance.target import Exchange
from crmspec.model import Operation, Reference, Resource
from crmspec.schemas import declared_types, flatten

MAX_DEPTH = 3   # a reference chain deeper than this is looked up, not created


class FixtureUnavailable(Exception):
    """The suite could not make the record a check needs: the check is skipped with this reason."""


@dataclass
class Created:
    resource: str
    id: Any
    record: dict[str, Any]
    exchange: Exchange
    parent_id: Any = None
    credential: str = "default"


@dataclass
class Draft:
    """A create body, and which of its references could only be guessed (from the page's example)."""

    body: dict[str, Any]
    guessed: tuple[str, ...] = ()


def request_schema(operation: Operation) -> dict[str, Any]:
    content = (operation.raw.get("requestBody") or {}).get("content") or {}
    return flatten(dict((content.get("application/json") or {}).get("schema") or {}))


def request_example(operation: Operation) -> dict[str, Any] | None:
    media = ((operation.raw.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    candidates = [media.get("example")] + [e.get("value") for e in (media.get("examples") or {}).values()
                                           if isinstance(e, dict)]
    found: dict[str, Any] | None = next((c for c in candidates if isinstance(c, dict)), None)
    return copy.deepcopy(found)


_SMALLEST: dict[str, Callable[[dict[str, Any]], Any]] = {
    "integer": lambda schema: max(int(schema.get("minimum", 1)), 1),
    "number": lambda schema: max(float(schema.get("minimum", 1)), 1.0),
    "boolean": lambda schema: True,
    "array": lambda schema: [],
    "object": lambda schema: {},
}


def minimal_value(name: str, schema: dict[str, Any], tag: str) -> Any:
    """A small valid value for a required field that the example does not provide."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return minimal_value(name, schema[key][0], tag)
    kinds = declared_types(schema)
    for kind, smallest in _SMALLEST.items():  # in this order: ["integer", "string"] gets an integer
        if kind in kinds:
            return smallest(schema)
    fmt = schema.get("format")
    if fmt == "email" or "email" in name:
        return f"{tag}@example.org"
    if fmt == "date":
        return "2027-01-15"
    if fmt == "date-time":
        return "2027-01-15T10:00:00Z"
    text = f"{tag} {name}"
    return text[: int(schema.get("maxLength", 255))]


def _tag_names(body: dict[str, Any], properties: dict[str, Any], tag: str) -> None:
    """Names and emails that say the suite made the record (and stay within their documented length)."""
    for name, value in list(body.items()):
        if isinstance(value, str) and (name in ("name", "title", "first_name") or name.endswith("_name")
                                       or name.endswith("name") and len(name) <= 8):
            limit = int(properties.get(name, {}).get("maxLength", 255))
            body[name] = f"{tag} {value}"[:limit]
        elif isinstance(value, str) and ("email" in name):
            body[name] = f"{tag}@example.org"


@dataclass
class Fixtures:
    ctx: RunContext
    tag: str
    created: list[Created] = field(default_factory=list)
    counter: int = 0
    _lookups: dict[tuple[str, str], Any] = field(default_factory=dict)
    _shared: dict[tuple[str, str], Created] = field(default_factory=dict)
    _absent: dict[str, Any] = field(default_factory=dict)

    # what the suite may reference --------------------------------------------------------------
    def creatable(self, resource_name: str) -> Operation | None:
        """The create operation of a resource the suite makes its own records of (not lookup data)."""
        api = self.ctx.api
        resource = api.dialect.resources.get(resource_name)
        op = api.find(resource_name, "create")
        if resource is None or op is None or resource.fixtures:
            return None
        parent = resource.parent.param if resource.parent else None
        return op if all(p == parent for p in op.path_params) else None

    def reference(self, ref: Reference, depth: int = 0) -> Any:
        """An id for a reference field: a record of the suite's own where it can make one, else one the
        target already has (lookup data is only read, never changed)."""
        target = self.ctx.api.dialect.resources.get(ref.resource)
        if target is None:
            return None
        where = dict(ref.where)
        if depth < MAX_DEPTH and self.creatable(ref.resource) is not None:
            shared = self.shared(ref.resource, where, depth + 1)
            if shared is not None:
                return shared.id
        return self.lookup(target, where)

    def shared(self, resource_name: str, where: dict[str, Any] | None = None, depth: int = 0) -> Created | None:
        """One record of the suite's own that other fixtures can point at (made on first use)."""
        key = (resource_name, repr(sorted((where or {}).items())))
        known = self._shared.get(key)
        if known is not None and known in self.created:
            return known
        made = self.create(resource_name, overrides=dict(where or {}), depth=depth)
        if made is not None:
            self._shared[key] = made
        return made

    def lookup(self, resource: Resource, where: dict[str, Any]) -> Any:
        key = (resource.name, repr(sorted(where.items())))
        if key not in self._lookups:
            self._lookups[key] = self._find(resource, where)
        return self._lookups[key]

    def _find(self, resource: Resource, where: dict[str, Any]) -> Any:
        api, dialect = self.ctx.api, self.ctx.api.dialect
        for action in ("list", "collection"):
            op = api.find(resource.name, action)
            if op is None or op.path_params:
                continue
            params = {dialect.pagination.size_param: min(50, dialect.pagination.max_size)} if action == "list" else {}
            exchange = self.ctx.target.send(op.method.upper(), op.path, params=params, operation=str(op),
                                            source="fixture")
            try:
                items = normalise.items(dialect, op, exchange.json()) if exchange.status == 200 else None
            except (ValueError, UnicodeDecodeError):
                items = None
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and all(item.get(k) == v for k, v in where.items()):
                    return item.get(resource.id_field)
        for fixture in resource.fixtures:  # lookup data the document fixes (the pages' stage names...)
            if all(fixture.get(k) == v for k, v in where.items()):
                return fixture.get(resource.id_field)
        return None

    def absent_id(self, resource_name: str) -> Any:
        """An id the target proved it has no record of (its read answers not found), or None."""
        if resource_name in self._absent:
            return self._absent[resource_name]
        api = self.ctx.api
        read = api.find(resource_name, "read")
        candidate: Any = 9007199254740991 if api.dialect.id_type == "integer" else f"crmconf-{self.tag}-absent"
        proven = None
        if read is not None and read.record_param() is not None and len(read.path_params) == 1:
            path = read.path.replace("{" + read.path_params[0] + "}", str(candidate))
            exchange = self.ctx.target.send("GET", path, operation=str(read), source="fixture")
            if exchange.status in api.dialect.errors.accepted("not_found") or exchange.status == 404:
                proven = candidate
        self._absent[resource_name] = proven
        return proven

    # creating ----------------------------------------------------------------------------------
    def draft(self, resource_name: str, overrides: dict[str, Any] | None = None, depth: int = 0) -> Draft | None:
        api = self.ctx.api
        op = api.find(resource_name, "create")
        if op is None:
            return None
        resource = api.dialect.resources.get(resource_name)
        schema = request_schema(op)
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        body = {k: v for k, v in (request_example(op) or {}).items() if k in properties}
        self.counter += 1
        tag = f"crmconf-{self.tag}-{self.counter}"
        for name in required:
            if name not in body:
                body[name] = minimal_value(name, properties.get(name, {}), tag)
        _tag_names(body, properties, tag)
        guessed: list[str] = []
        if resource is not None:
            guessed = self._resolve_references(body, resource, resource_name, properties, required, overrides, depth)
        body.update(overrides or {})
        return Draft(body, tuple(guessed))

    def _resolve_references(self, body: dict[str, Any], resource: Resource, resource_name: str,
                            properties: dict[str, Any], required: list[str], overrides: dict[str, Any] | None,
                            depth: int) -> list[str]:
        """Point the draft's references at records the suite may use; the required ones it could not resolve."""
        guessed: list[str] = []
        references = {r.field: r for r in resource.references}
        for ref in resource.references:
            if "." in ref.field or ref.field not in properties:
                continue
            needed = ref.field in required
            if ref.field not in body and not needed or (overrides and ref.field in overrides):
                continue
            if ref.resource == resource_name and not needed:
                body.pop(ref.field, None)  # no chains of records pointing at records of the same kind
                continue
            found = self.reference(ref, depth)
            if found is not None:
                body[ref.field] = found
            elif needed:
                guessed.append(ref.field)  # keeps the page example's value: the API gave no way to look one up
            else:
                body.pop(ref.field, None)
        for name in list(body):
            invented = name.endswith("_id") and name not in required and name not in references
            if invented and isinstance(body[name], int | str):
                body.pop(name)  # an id the example invented that the suite cannot resolve
        return guessed

    def body(self, resource_name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any] | None:
        draft = self.draft(resource_name, overrides)
        return draft.body if draft is not None else None

    def own_references(self, op: Operation, body: Any) -> Any:
        """A generated body with every reference it carries pointed at the suite's own records (or at
        lookup data): whatever the generator drew, no foreign record is touched through it."""
        resource = self.ctx.api.dialect.resources.get(op.resource)
        if resource is None or not isinstance(body, dict):
            return body
        for ref in resource.references:
            if ref.field in body and isinstance(body[ref.field], int | str) and not isinstance(body[ref.field], bool):
                found = self.reference(ref)
                if found is None:
                    del body[ref.field]
                else:
                    body[ref.field] = found
        return body

    def parent_of(self, resource_name: str, depth: int = 0) -> Any:
        resource = self.ctx.api.dialect.resources.get(resource_name)
        if resource is None or resource.parent is None:
            return None
        parent = self.shared(resource.parent.resource, depth=depth + 1)
        return parent.id if parent is not None else None

    def create(self, resource_name: str, overrides: dict[str, Any] | None = None,
               credential: str = "default", depth: int = 0) -> Created | None:
        made, _ = self._create(resource_name, overrides, credential, depth)
        return made

    def require(self, resource_name: str, overrides: dict[str, Any] | None = None) -> Created:
        """A new record of the suite's own, or FixtureUnavailable (the check is skipped) with why not."""
        made, why = self._create(resource_name, overrides, "default", 0)
        if made is None:
            raise FixtureUnavailable(f"could not create a {resource_name} record to work on: {why}")
        return made

    def _create(self, resource_name: str, overrides: dict[str, Any] | None, credential: str,
                depth: int) -> tuple[Created | None, str]:
        op = self.creatable(resource_name)
        if op is None:
            return None, "the API gives the suite no way to create one"
        draft = self.draft(resource_name, overrides, depth)
        if draft is None:
            return None, "the API gives the suite no way to create one"
        path, parent_id = op.path, None
        if op.path_params:
            parent_id = self.parent_of(resource_name, depth)
            if parent_id is None:
                return None, "could not create the record it belongs to"
            path = path.replace("{" + op.path_params[0] + "}", str(parent_id))
        exchange = self.ctx.target.send(op.method.upper(), path, json_body=draft.body, operation=str(op),
                                        credential=credential, source="fixture")
        if exchange.status == 403 and credential == "default" and "admin" in self.ctx.target.credentials:
            exchange = self.ctx.target.send(op.method.upper(), path, json_body=draft.body, operation=str(op),
                                            credential="admin", source="fixture")
            credential = "admin"
        made = self.adopt(op, exchange, parent_id)
        if made is not None:
            made.credential = credential
            return made, ""
        why = f"{op} answered {exchange.status}"
        if draft.guessed:
            why += f" (the body's {', '.join(draft.guessed)} came from the page's example: the API gave " \
                   "no way to find a record to point at)"
        return None, why

    def adopt(self, op: Operation, exchange: Exchange, parent_id: Any = None) -> Created | None:
        """A record a create answered with: the suite owns it from now on and deletes it at the end
        (also when a server wrongly accepted a body the suite sent to be refused)."""
        if exchange.status is None or not 200 <= exchange.status < 300:
            return None
        try:
            record = normalise.record(self.ctx.api.dialect, op, exchange.json(), "create")
        except (ValueError, UnicodeDecodeError):
            return None
        new_id = normalise.record_id(self.ctx.api.dialect, op, record)
        if new_id is None:
            return None
        if parent_id is None and op.path_params:
            parent_id = path_value(op, exchange.url, op.path_params[0])
        created = Created(op.resource, new_id, dict(record), exchange, parent_id)
        self.created.append(created)
        return created

    def auth_target(self, resource_name: str) -> Created | None:
        """A record of the suite's own that auth probes aim their writes at (remade if a probe that
        should have been refused deleted it)."""
        key = ("auth-target:" + resource_name, "")
        known = self._shared.get(key)
        if known is not None and known in self.created:
            return known
        made = self.create(resource_name) if self.creatable(resource_name) is not None else None
        if made is not None:
            self._shared[key] = made
        return made

    def owns(self, resource_name: str, record_id: Any) -> bool:
        return any(c.resource == resource_name and str(c.id) == str(record_id) for c in self.created)

    def forget(self, resource_name: str, record_id: Any) -> None:
        """A record of the suite's own that is gone (deleted by a check, merged away, or by a request the
        server should have refused): nothing to clean up, nothing to point at any more."""
        self.created = [c for c in self.created if not (c.resource == resource_name and str(c.id) == str(record_id))]

    def cleanup(self) -> list[str]:
        """Delete what the run created, newest first; returns what could not be deleted."""
        left: list[str] = []
        for created in reversed(self.created):
            op = self.ctx.api.find(created.resource, "delete")
            if op is None or not op.path_params:
                left.append(f"{created.resource} {created.id} (the API has no delete)")
                continue
            path = op.path.replace("{" + op.path_params[-1] + "}", str(created.id))
            if len(op.path_params) > 1:
                path = path.replace("{" + op.path_params[0] + "}", str(created.parent_id))
            exchange = self.ctx.target.send("DELETE", path, operation=str(op), source="cleanup",
                                            credential=created.credential)
            gone = self.ctx.api.dialect.errors.accepted("not_found") + (404,)
            if exchange.status is None or exchange.status >= 300 and exchange.status not in gone:
                left.append(f"{created.resource} {created.id}")
        self.created.clear()
        self._shared.clear()
        return left


def path_value(op: Operation, url: str, param: str) -> Any:
    """The value a URL holds where the operation's path has `{param}`."""
    template = op.path.split("/")
    actual = url.split("?")[0].split("/")[-len(template):]
    for part, value in zip(template, actual, strict=False):
        if part == "{" + param + "}":
            return int(value) if value.isdigit() else value
    return None
