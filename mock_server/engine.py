"""The generic actions every API shares: list, collection, read, create, update, delete.

Everything here reads the document's marks; nothing branches on a dialect's name. Non-CRUD
actions live in behaviours/<dialect>.py and reach the store through the same Engine.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response

from crmspec.model import Api, Envelope, Filter, Operation, Resource
from crmspec.schemas import field_types, nullable
from mock_server import records
from mock_server.auth import Credentials, Principal
from mock_server.errors import Conflict, MockError, NotFound, Unauthorized, ValidationFailed
from mock_server.responses import DEFAULT_STATUSES, json_response, list_body, page_values, success_body
from mock_server.store import Query, RecordStore, Sort
from mock_server.store import query as q
from mock_server.store.query import Predicate
from mock_server.validation import ValidRequest

INT64 = (-(2**63), 2**63 - 1)


# Hooks of the API's own behaviour (mock_server/behaviours/<module>.py), so that a behaviour adds what is its own
# instead of replacing a generic action: the handlers of its custom actions; `on_write` before a record is
# stored (seeding, create, update); `present` on the way out (computed fields such as Revenue Orbit's risk);
# `duplicate`, the API's own refusal of a value the document declares unique; `write_check`, the API's own rules
# for a create (stored: None) or an update, refused with the reference checks in one answer (YSUITE's deal,
# contact and task rules); `list_where`, a list's conditions where the API reads its query its own way
# (Concord's search grammar, Olympus' derived task status); `shape`, what a list keeps of each record
# (Concord's `select`); `list_extras`, fields a list answer carries beside its records (Olympus'
# pipeline_summary). A present hook gets every record of an answer at once (a page of 25 deals, or one), so it
# can look up what it needs in one query per page instead of one per record; `each` turns a one-record
# function into such a hook. They live here, beside the engine they receive, so that the engine never imports
# the behaviours (which import the engine).
Handler = Callable[["Engine", Operation, ValidRequest, "Principal | None"], Response]
Handlers = Mapping[tuple[str, str], Handler]  # (resource, action) -> handler
RecordHook = Callable[["Engine", dict[str, Any]], dict[str, Any]]
PresentHook = Callable[["Engine", list[dict[str, Any]]], list[dict[str, Any]]]
ListWhere = Callable[["Engine", Operation, Resource, ValidRequest, "Principal | None"], list[Predicate]]
Shape = Callable[[Operation, Resource, ValidRequest, list[dict[str, Any]]], list[dict[str, Any]]]
ListExtras = Callable[["Engine", list[dict[str, Any]]], dict[str, Any]]
WriteCheck = Callable[["Engine", "dict[str, Any] | None", dict[str, Any]], dict[str, list[str]]]  # (stored, body)
Duplicate = Callable[[str], MockError]  # the field whose value is taken -> the API's refusal


def each(hook: RecordHook) -> PresentHook:
    """A present hook that needs nothing beyond the record itself, applied record by record."""
    def present(engine: Engine, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [hook(engine, record) for record in page]
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


def _sql_int(value: int) -> int:
    """SQLite integers are 64-bit; a larger bound can match nothing a smaller one would not."""
    return max(INT64[0], min(INT64[1], value))


class Engine:
    def __init__(self, api: Api, store: RecordStore, credentials: Credentials, password: str,
                 behaviour: Behaviour | None = None, webhook_url: str | None = None) -> None:
        self.api = api
        self.dialect = api.dialect
        self.store = store
        self.credentials = credentials
        self.password = password  # the seeded users' development password (login endpoints)
        self.behaviour = behaviour or Behaviour()
        self.webhook_url = webhook_url

    # record hooks -------------------------------------------------------------------------------
    def prepared(self, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        """A record as it is about to be stored: the API's own write rules applied."""
        hook = self.behaviour.on_write.get(resource.name)
        return hook(self, record) if hook else record

    def presented(self, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        """A stored record as the API shows it: computed fields added."""
        return self.presented_all(resource, [record])[0]

    def presented_all(self, resource: Resource, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stored records as the API shows them, the hook called once for all (see behaviours)."""
        hook = self.behaviour.present.get(resource.name)
        return hook(self, [dict(r) for r in records]) if hook else records

    def insert(self, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        return self.store.insert(resource.name, self.prepared(resource, record))

    def save(self, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        return self.store.replace(resource.name, self.prepared(resource, record))

    # helpers shared with behaviours --------------------------------------------------------------
    def resource(self, name: str) -> Resource:
        return self.dialect.resources[name]

    def not_found(self, resource: Resource, record_id: Any = None) -> NotFound:
        label = resource.name.rstrip("s").replace("_", " ").capitalize()
        return NotFound(f"{label} not found.", code=resource.not_found_code)

    def require(self, resource: Resource, record_id: Any) -> dict[str, Any]:
        record = self.store.get(resource.name, records.coerce_id(self.dialect, record_id))
        if record is None:
            raise self.not_found(resource, record_id)
        return record

    def own_id_param(self, operation: Operation, resource: Resource) -> str | None:
        return operation.record_param(resource.parent.param if resource.parent else None)

    def parent_record(self, operation: Operation, resource: Resource, req: ValidRequest) -> dict[str, Any] | None:
        if resource.parent is None or resource.parent.param not in req.path:
            return None
        return self.require(self.resource(resource.parent.resource), req.path[resource.parent.param])

    def target(self, operation: Operation, req: ValidRequest) -> tuple[Resource, dict[str, Any]]:
        resource = self.resource(operation.resource)
        parent = self.parent_record(operation, resource, req)
        param = self.own_id_param(operation, resource)
        if param is None:
            raise self.not_found(resource)
        record = self.require(resource, req.path[param])
        if parent is not None and resource.parent is not None:
            parent_id = parent[self.resource(resource.parent.resource).id_field]
            if records.get_field(record, resource.parent.field) != parent_id:
                raise self.not_found(resource)
        return resource, record

    def respond(self, operation: Operation, action: str, payload: Any, status: int | None = None,
                headers: dict[str, str] | None = None) -> Response:
        envelope = self.dialect.envelope_for(operation, action)
        resource = self.dialect.resources.get(operation.resource)
        if resource is not None and isinstance(payload, dict) and resource.id_field in payload:
            payload = self.presented(resource, payload)
        elif resource is not None and isinstance(payload, list):
            shown = iter(self.presented_all(resource, [r for r in payload if isinstance(r, dict)]))
            payload = [next(shown) if isinstance(r, dict) else r for r in payload]
        return json_response(status or envelope.status, success_body(envelope, payload), headers)

    def now(self, resource: Resource, field: str = "updated_at") -> str:
        return records.timestamp(resource, field, dt.datetime.now(dt.UTC))

    def user_by_login(self, body: Any) -> dict[str, Any]:
        """The seeded user whose email and password a login body carries, or 401."""
        email = str(body.get("email", "")) if isinstance(body, dict) else ""
        password = str(body.get("password", "")) if isinstance(body, dict) else ""
        users = self.store.all("users", [q.same_text("email", email)]) if email else []
        stored = users[0].get("password", self.password) if users else None
        if not users or not hmac.compare_digest(password.encode(), str(stored).encode()):
            raise Unauthorized("Invalid email or password.")
        return users[0]

    # write checks ----------------------------------------------------------------------------
    def check_unique(self, resource: Resource, body: dict[str, Any], own_id: Any = None) -> None:
        """A value the document declares unique (`unique:` in the block) is not held by another record, of this
        resource or of those that share its space, ignoring case; else the API's refusal (422 by default).
        Called inside the write's transaction: no other writer can take the value in between."""
        for field_name, also_in in resource.unique.items():
            value = records.get_field(body, field_name)
            if not isinstance(value, str) or not value:
                continue
            match = [q.same_text(field_name, value)]
            taken = [r for r in self.store.all(resource.name, match) if r.get(resource.id_field) != own_id]
            for other in also_in:
                taken += self.store.all(other, match)
            if taken:
                refuse = self.behaviour.duplicate.get(resource.name)
                taken_message = f"The {field_name.replace('_', ' ')} has already been taken."
                raise refuse(field_name) if refuse else ValidationFailed(
                    taken_message, field_errors={field_name: [taken_message]})

    # references ------------------------------------------------------------------------------
    def check_references(self, resource: Resource, body: dict[str, Any],
                         stored: dict[str, Any] | None = None) -> None:
        """The referenced records exist; with the behaviour's own rules for a write (`write_check`: `stored` is
        the record an update changes, None on a create), all refused at once."""
        problems: dict[str, list[str]] = {}
        for ref in resource.references:
            value = records.get_field(body, ref.field)
            if value is None:
                continue
            target = self.store.get(ref.resource, value)
            if target is None or any(target.get(k) != v for k, v in ref.where.items()):
                label = ref.field.replace(".", " ").replace("_", " ")
                problems.setdefault(ref.field, []).append(f"The selected {label} is invalid.")
        own = self.behaviour.write_check.get(resource.name)
        for field_name, messages in (own(self, stored, body) if own else {}).items():
            problems.setdefault(field_name, []).extend(messages)
        if problems:
            raise ValidationFailed("The given data was invalid.", field_errors=problems)

    def denormalise(self, resource: Resource, record: dict[str, Any]) -> None:
        """Copy display names from referenced records (contact_name from the contact's name)."""
        for ref in resource.references:
            if not ref.names:
                continue
            value = records.get_field(record, ref.field)
            target = self.store.get(ref.resource, value) if value is not None else None
            for here, there in ref.names.items():
                if target is not None:
                    records.set_field(record, here, records.get_field(target, there))
                elif records.get_field(record, here) is not None:
                    records.set_field(record, here, None)

    def release_references(self, resource: Resource, record_id: Any, cascade: bool = False,
                           seen: set[tuple[str, str]] | None = None) -> None:
        """After a delete: children of a nested resource go too; other references are cleared.

        A reference that cannot be cleared (not nullable) refuses the delete with a conflict, unless
        `cascade`: the delete operation documents no conflict status, so its holders go too, as an
        ON DELETE CASCADE foreign key would (a Revenue Orbit deal takes its quotes and contracts)."""
        seen = set() if seen is None else seen
        seen.add((resource.name, str(record_id)))
        for other in self.dialect.resources.values():
            if other.parent and other.parent.resource == resource.name:
                for child in self.store.all(other.name, [q.eq(other.parent.field, record_id)]):
                    self.store.delete(other.name, child[other.id_field])
            for ref in other.references:
                if ref.resource != resource.name:
                    continue
                holders = self.store.all(other.name, [q.eq(ref.field, record_id)])
                if holders and not nullable(records.field_schema(other, ref.field)):
                    if not cascade:
                        raise Conflict(f"The record is in use by {len(holders)} {other.name} ({ref.field}).")
                    for row in holders:
                        if (other.name, str(row[other.id_field])) not in seen:
                            self.store.delete(other.name, row[other.id_field])
                            self.release_references(other, row[other.id_field], cascade, seen)
                    continue
                for row in holders:
                    records.set_field(row, ref.field, None)
                    for here in ref.names:
                        records.set_field(row, here, None)
                    self.store.replace(other.name, row)

    # list ------------------------------------------------------------------------------------
    def list_conditions(self, operation: Operation, resource: Resource, req: ValidRequest,
                        principal: Principal | None) -> list[q.Predicate]:
        """A list's conditions: the document's filters and search, or the behaviour's own reading of the query."""
        own = self.behaviour.list_where.get(resource.name)
        return own(self, operation, resource, req, principal) if own else self.conditions(operation, resource, req,
                                                                                           principal)

    def conditions(self, operation: Operation, resource: Resource, req: ValidRequest,
                   principal: Principal | None) -> list[q.Predicate]:
        conds: list[q.Predicate] = []
        parent = self.parent_record(operation, resource, req)
        if parent is not None and resource.parent is not None:
            parent_id = parent[self.resource(resource.parent.resource).id_field]
            conds.append(q.eq(resource.parent.field, parent_id))
        for flt in operation.filters:
            if flt.param in req.query and req.query[flt.param] not in (None, ""):
                cond = self.filter_condition(resource, flt, req, principal)
                if cond is not None:
                    conds.append(cond)
        if operation.search and req.query.get(operation.search.param):
            needle = str(req.query[operation.search.param])
            conds.append(q.any_of(*(q.Like(q.Doc(f), needle) for f in operation.search.fields)))
        return conds

    def filter_condition(self, resource: Resource, flt: Filter, req: ValidRequest,
                         principal: Principal | None) -> q.Predicate | None:
        value = req.query[flt.param]
        field = flt.field or flt.default_field or flt.param
        if flt.field_param and req.query.get(flt.field_param):
            field = str(req.query[flt.field_param])
        col = q.Doc(field)
        kinds = field_types(records.field_schema(resource, field))
        op = flt.op
        if op in ("eq", "ne"):
            return q.Compare(col, "=" if op == "eq" else "!=", self._typed(value, kinds))
        if op == "in_csv":
            values = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
            typed = [self._typed(v.strip() if isinstance(v, str) else v, kinds) for v in values]
            return q.In(col, tuple(typed)) if typed else q.Nothing()
        if op in ("gte", "lte"):
            return q.Compare(col, ">=" if op == "gte" else "<=", self._typed(value, kinds))
        if op in ("date_gte", "date_lte"):
            return q.Compare(q.Day(col), ">=" if op == "date_gte" else "<=", str(value)[:10])
        if op == "bool01":
            return q.Compare(col, "=", str(value) in ("1", "true", "True"))
        if op == "contains":
            if "array" in kinds:
                return q.Has(field, value)
            return q.CsvHas(col, str(value))
        if op == "within_days":
            today = dt.date.today()
            days = max(0, min(int(value), (dt.date.max - today).days))
            horizon = today + dt.timedelta(days=days)
            return q.all_of(q.Compare(q.Day(col), ">=", today.isoformat()),
                            q.Compare(q.Day(col), "<=", horizon.isoformat()))
        if op == "scope":
            if str(value) == "me" and principal is not None and principal.user_id is not None:
                return q.Compare(col, "=", records.coerce_id(self.dialect, principal.user_id))
            return None
        return None

    @staticmethod
    def _typed(value: Any, kinds: set[str]) -> Any:
        if isinstance(value, str) and "integer" in kinds:
            try:
                return _sql_int(int(value))
            except ValueError:
                return value
        if records.is_int(value):
            return _sql_int(value)
        if isinstance(value, str) and "number" in kinds:
            try:
                return float(value)
            except ValueError:
                return value
        return value

    def ordering(self, operation: Operation, resource: Resource, req: ValidRequest) -> list[Sort]:
        sort = operation.sort
        if sort is None:
            return []
        raw = req.query.get(sort.param)
        key, direction = sort.default, sort.default_direction
        if raw not in (None, ""):
            key = str(raw)
            if sort.separator and sort.separator in key:
                key, _, given = key.partition(sort.separator)
                direction = "desc" if given.lower() == sort.directions.get("desc", "desc").lower() else "asc"
        if sort.dir_param and req.query.get(sort.dir_param):
            given = str(req.query[sort.dir_param])
            direction = "desc" if given == sort.directions.get("desc", "desc") else "asc"
        if key is None:
            return []
        if key not in sort.keys:
            raise ValidationFailed(
                "The given data was invalid.",
                field_errors={sort.param: [f"The selected {sort.param} is invalid."]},
            )
        field = sort.keys[key]
        return [Sort(field, direction == "desc", records.is_text(resource, field))]

    def page_window(self, req: ValidRequest) -> tuple[int, int]:
        """(page as sent, page size) after defaults and the maximum."""
        pag = self.dialect.pagination
        size = req.query.get(pag.size_param)
        size = pag.default_size if size in (None, "") else int(size)
        page = req.query.get(pag.page_param)
        page = pag.first_page if page in (None, "") else int(page)
        problems: dict[str, list[str]] = {}
        if size < 1:
            problems[pag.size_param] = [f"The {pag.size_param} field must be at least 1."]
        elif size > pag.max_size:
            if pag.over_max == "reject":
                problems[pag.size_param] = [f"The {pag.size_param} field must not be greater than {pag.max_size}."]
            size = pag.max_size
        if page < pag.first_page:
            problems[pag.page_param] = [f"The {pag.page_param} field must be at least {pag.first_page}."]
        if problems:
            raise ValidationFailed("The given data was invalid.", field_errors=problems)
        return page, size

    def page(self, operation: Operation, resource: Resource, req: ValidRequest,
             where: list[q.Predicate]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """One page of the records that match `where`, in the list's order, as the API shows them (presented,
        shaped); and the page fields (page, size, total...) of the answer."""
        pag = self.dialect.pagination
        page, size = self.page_window(req)
        query = Query(where=where, order=self.ordering(operation, resource, req), limit=size,
                      offset=_sql_int((page - pag.first_page) * size))
        items, total = self.store.query(resource.name, query)
        return self.shaped(operation, resource, req, self.presented_all(resource, items)), \
            page_values(pag, page, size, total)

    def shaped(self, operation: Operation, resource: Resource, req: ValidRequest,
               items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shape = self.behaviour.shape.get(resource.name)
        return shape(operation, resource, req, items) if shape else items

    def with_extras(self, resource: Resource, body: Any, items: list[dict[str, Any]]) -> Any:
        extras = self.behaviour.list_extras.get(resource.name)
        if extras is not None and isinstance(body, dict):
            body.update(extras(self, items))
        return body

    def list(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        resource = self.resource(operation.resource)
        items, values = self.page(operation, resource, req, self.list_conditions(operation, resource, req, principal))
        envelope: Envelope = self.dialect.envelope_for(operation, "list")
        return json_response(envelope.status, self.with_extras(resource, list_body(envelope, items, values), items))

    def collection(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        resource = self.resource(operation.resource)
        query = Query(
            where=self.list_conditions(operation, resource, req, principal),
            order=self.ordering(operation, resource, req),
        )
        items, _ = self.store.query(resource.name, query)
        shown = self.shaped(operation, resource, req, self.presented_all(resource, items))
        envelope = self.dialect.envelope_for(operation, "collection")
        return json_response(envelope.status, self.with_extras(resource, success_body(envelope, shown), shown))

    # single records ----------------------------------------------------------------------------
    def read(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        _, record = self.target(operation, req)
        return self.respond(operation, "item", record)

    def build(self, resource: Resource, body: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
        """A record from a request body: known fields only; for a new record every other field of the schema
        too (null, its default or a neutral value: `records.blank`), timestamps, names."""
        properties = resource.schema.get("properties", {})
        record = dict(base or {})
        for key, value in body.items():
            if key in properties and key != resource.id_field and records.admits(resource, key, value):
                record[key] = value
        now = self.now(resource, "created_at")
        if base is None:
            if "created_at" in properties:
                record["created_at"] = now
            # the keys of a seeded record, null (or the neutral value) where the client sent nothing
            moment = dt.datetime.now(dt.UTC)
            for key in properties:
                if key not in record and key != resource.id_field:
                    value = records.blank(resource, key, moment)
                    if value is not records.UNSET:
                        record[key] = value
        if "updated_at" in properties:
            record["updated_at"] = now
        self.denormalise(resource, record)
        return record

    def create(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        resource = self.resource(operation.resource)
        body = req.fields()
        parent = self.parent_record(operation, resource, req)
        if parent is not None and resource.parent is not None:
            body = {**body, resource.parent.field: parent[self.resource(resource.parent.resource).id_field]}
        with self.store.transaction():  # references checked under the write lock: none can vanish before the write
            self.check_unique(resource, body)
            self.check_references(resource, body)
            record = self.insert(resource, self.build(resource, body))
        headers = {}
        read = self.api.find(resource.name, "read")
        if read is not None and resource.parent is None:
            placeholder = "{" + read.path_params[-1] + "}"
            headers["Location"] = read.full_path.replace(placeholder, str(record[resource.id_field]))
        return self.respond(operation, "create", record, headers=headers)

    def update(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        resource, record = self.target(operation, req)
        body = req.fields()
        missing = [f for f in operation.required_on_update if body.get(f) in (None, "")]
        if missing:
            raise ValidationFailed(
                "The given data was invalid.",
                field_errors={f: [f"The {f.replace('_', ' ')} field is required."] for f in missing},
            )
        with self.store.transaction():
            # read again under the write lock: a change another worker made since is kept, not overwritten
            current = self.require(resource, record[resource.id_field])
            self.check_unique(resource, body, own_id=record[resource.id_field])
            self.check_references(resource, body, stored=current)
            updated = self.save(resource, self.build(resource, body, base=current))
        return self.respond(operation, "update", updated)

    def delete(self, operation: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        resource, record = self.target(operation, req)
        record_id = record[resource.id_field]
        conflict = self.dialect.errors.statuses.get("conflict") or DEFAULT_STATUSES["conflict"]
        cascade = str(conflict) not in operation.raw.get("responses", {})  # no documented refusal: cascade
        with self.store.transaction():
            self.store.delete(resource.name, record_id)
            self.release_references(resource, record_id, cascade=cascade)
        return self.respond(operation, "delete", record)

    def indexes(self) -> None:
        """Expression indexes for every filtered and sorted field, so pages stay cheap as data grows."""
        with self.store.transaction():  # one unit: no index is half there for another worker or replica
            self._indexes()

    def _indexes(self) -> None:
        for op in self.api.operations:
            if op.resource in self.dialect.resources:
                self._operation_indexes(op, self.resource(op.resource))
        for resource in self.dialect.resources.values():  # the database itself refuses a second holder
            for unique in resource.unique:
                self.store.ensure_unique(resource.name, unique)

    def _operation_indexes(self, op: Operation, resource: Resource) -> None:
        for flt in op.filters:
            if flt.field and flt.op not in ("contains", "date_gte", "date_lte", "within_days"):
                self.store.ensure_index(resource.name, flt.field)
        if op.sort:
            for key in op.sort.keys.values():
                self.store.ensure_index(resource.name, key, records.is_text(resource, key))
            # a page filtered by equality and sorted reads only its rows in order (the 100k-deal case)
            for flt in op.filters:
                if flt.field and flt.op in ("eq", "in_csv", "bool01") and flt.field not in op.sort.keys.values():
                    for key in op.sort.keys.values():
                        self.store.ensure_index(resource.name, flt.field, False, key, records.is_text(resource, key))
        if resource.parent:
            self.store.ensure_index(resource.name, resource.parent.field)
