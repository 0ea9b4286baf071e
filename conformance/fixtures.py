"""Records the suite creates on the target (and only those it deletes): X11, 'leaves it as it found it'.

A create body starts from the page's own example when the document carries one, then every reference
is pointed at a record that exists on the target (found through its list, or created first), and every
text the API may require to be unique is tagged with the run's tag.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from conformance import normalise
from conformance.context import RunContext
from conformance.target import Exchange
from crmspec.model import Operation, Resource
from crmspec.schemas import flatten


@dataclass
class Created:
    resource: str
    id: Any
    record: dict[str, Any]
    exchange: Exchange


def request_schema(operation: Operation) -> dict[str, Any]:
    content = (operation.raw.get("requestBody") or {}).get("content") or {}
    return flatten(dict((content.get("application/json") or {}).get("schema") or {}))


def request_example(operation: Operation) -> dict[str, Any] | None:
    media = ((operation.raw.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    if isinstance(media.get("example"), dict):
        return copy.deepcopy(media["example"])
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and isinstance(example.get("value"), dict):
            return copy.deepcopy(example["value"])
    return None


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    return [kind] if isinstance(kind, str) else list(kind or [])


def minimal_value(name: str, schema: dict[str, Any], tag: str) -> Any:
    """A small valid value for a required field that the example does not provide."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return minimal_value(name, schema[key][0], tag)
    kinds = _types(schema)
    if "integer" in kinds:
        return max(int(schema.get("minimum", 1)), 1)
    if "number" in kinds:
        return max(float(schema.get("minimum", 1)), 1.0)
    if "boolean" in kinds:
        return True
    if "array" in kinds:
        return []
    if "object" in kinds:
        return {}
    fmt = schema.get("format")
    if fmt == "email" or "email" in name:
        return f"{tag}@example.org"
    if fmt == "date":
        return "2027-01-15"
    if fmt == "date-time":
        return "2027-01-15T10:00:00Z"
    text = f"{tag} {name}"
    return text[: int(schema.get("maxLength", 255))]


@dataclass
class Fixtures:
    ctx: RunContext
    tag: str
    created: list[Created] = field(default_factory=list)
    counter: int = 0
    _existing: dict[tuple[str, str], Any] = field(default_factory=dict)

    # finding what the target holds ------------------------------------------------------------
    def existing_id(self, resource: Resource, where: dict[str, Any] | None = None) -> Any:
        key = (resource.name, repr(sorted((where or {}).items())))
        if key in self._existing:
            return self._existing[key]
        found = self._find(resource, where or {})
        if found is None and self.ctx.api.find(resource.name, "create") is not None:
            made = self.create(resource.name, overrides=dict(where or {}))
            found = made.id if made else None
        self._existing[key] = found
        return found

    def _find(self, resource: Resource, where: dict[str, Any]) -> Any:
        api, dialect = self.ctx.api, self.ctx.api.dialect
        for action in ("list", "collection"):
            op = api.find(resource.name, action)
            if op is None or op.path_params:
                continue
            params = {dialect.pagination.size_param: min(50, dialect.pagination.max_size)} if action == "list" else {}
            exchange = self.ctx.target.send(op.method.upper(), op.path, params=params, operation=str(op))
            try:
                items = normalise.items(dialect, op, exchange.json()) if exchange.status == 200 else None
            except ValueError:
                items = None
            for item in items or []:
                if isinstance(item, dict) and all(item.get(k) == v for k, v in where.items()):
                    return item.get(resource.id_field)
        return None

    # creating ----------------------------------------------------------------------------------
    def body(self, resource_name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any] | None:
        api = self.ctx.api
        op = api.find(resource_name, "create")
        if op is None:
            return None
        resource = api.dialect.resources.get(resource_name)
        schema = request_schema(op)
        body = request_example(op) or {}
        properties = schema.get("properties", {})
        body = {k: v for k, v in body.items() if k in properties}
        self.counter += 1
        tag = f"crmconf-{self.tag}-{self.counter}"
        for name in schema.get("required", []):
            if name not in body:
                body[name] = minimal_value(name, properties.get(name, {}), tag)
        for name, value in list(body.items()):
            if isinstance(value, str) and (name in ("name", "title", "first_name") or name.endswith("_name")
                                           or name.endswith("name") and len(name) <= 8):
                limit = int(properties.get(name, {}).get("maxLength", 255))
                body[name] = f"{tag} {value}"[:limit]
            elif isinstance(value, str) and ("email" in name):
                body[name] = f"{tag}@example.org"
        if resource is not None:
            for ref in resource.references:
                if "." in ref.field or ref.field not in properties:
                    continue
                required = ref.field in schema.get("required", [])
                if ref.field not in body and not required:
                    continue
                target = api.dialect.resources.get(ref.resource)
                found = self.existing_id(target, dict(ref.where)) if target is not None else None
                if found is not None:
                    body[ref.field] = found
                elif not required:
                    body.pop(ref.field, None)
                # a required reference the API gives no way to look up keeps the page example's value
            for name in list(body):
                if name in (r.field for r in resource.references):
                    continue
                invented = name.endswith("_id") and name not in schema.get("required", [])
                if invented and isinstance(body[name], int | str):
                    body.pop(name)  # an id the example invented that we cannot resolve
        body.update(overrides or {})
        return body

    def create(self, resource_name: str, overrides: dict[str, Any] | None = None,
               credential: str = "default") -> Created | None:
        api = self.ctx.api
        op = api.find(resource_name, "create")
        resource = api.dialect.resources.get(resource_name)
        if op is None or resource is None or op.path_params:
            return None
        body = self.body(resource_name, overrides)
        exchange = self.ctx.target.send(op.method.upper(), op.path, json_body=body, operation=str(op),
                                        credential=credential)
        return self.adopt(op, exchange)

    def adopt(self, op: Operation, exchange: Exchange) -> Created | None:
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
        created = Created(op.resource, new_id, dict(record), exchange)
        self.created.append(created)
        return created

    def forget(self, resource_name: str, record_id: Any) -> None:
        self.created = [c for c in self.created if not (c.resource == resource_name and c.id == record_id)]

    def cleanup(self) -> list[str]:
        """Delete what the run created, newest first; returns what could not be deleted."""
        left: list[str] = []
        for created in reversed(self.created):
            op = self.ctx.api.find(created.resource, "delete")
            if op is None or not op.path_params:
                left.append(f"{created.resource} {created.id} (the API has no delete)")
                continue
            path = op.path.replace("{" + op.path_params[-1] + "}", str(created.id))
            exchange = self.ctx.target.send("DELETE", path, operation=str(op), source="cleanup")
            if exchange.status is None or exchange.status >= 300 and exchange.status not in (404, 400):
                left.append(f"{created.resource} {created.id}")
        self.created.clear()
        return left
