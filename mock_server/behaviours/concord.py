"""Concord CRM behaviour beyond CRUD (seed 003; dialects.md 1C and 3.4).

* Lists of deals, contacts, companies and activities speak Concord's query grammar (CC6): `q`,
  `search_fields=field:op;...` (ops `like`, `=`, `in`), `search_match=and|or`, `order=field|desc`
  and `select=a;b` (a projection that keeps `id` and the schema's required fields, so every item
  stays a valid record). `GET /deals/search` answers a bare array, `take` caps it, an empty `q` gives
  `[]` (CC5).
* Deals store their associations as id lists (`contacts`, `companies`, `activities`) with the counts
  the Deal schema declares; attach / detach / sync edit them (CC7, CC8).
* Deal status open / won / lost with the won-lost lock (CC9, CC10); the dates follow the status.
* Billable products: totals computed from the products, the deal's `amount` follows them (CC3, CC15).
* Contact and company emails are unique (CC16).

Beside it: `concord_query.py` (the list query grammar) and `concord_billing.py` (billable products and totals).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.behaviours.concord_billing import apply_billable, computed_billable, empty_billable
from mock_server.behaviours.concord_query import ASSOCIATIONS, list_where, project, query_parts, selected
from mock_server.engine import Behaviour, Engine, Handler, each
from mock_server.errors import INVALID_DATA, Conflict, ValidationFailed
from mock_server.limits import INT64_MAX
from mock_server.store import Query
from mock_server.store import query as q
from mock_server.validation import ValidRequest

COUNTS = {"contacts": "contacts_count", "companies": "companies_count"}  # the counts the Deal schema has
STATUSES = ("open", "won", "lost")
TERMINAL = ("won", "lost")
# Deal fields the server owns: a request body never writes them directly.
DEAL_READ_ONLY = ("id", "won_date", "lost_date", "display_name", "path", "billable", "created_at", "updated_at",
                  *COUNTS.values(), *ASSOCIATIONS)


# ---------------------------------------------------------------------------------------- shared
def _id_list(value: Any) -> list[int]:
    """Distinct integer ids, first occurrence kept."""
    out: list[int] = []
    for item in value if isinstance(value, list) else []:
        if records.is_int(item) and item not in out:
            out.append(item)
    return out


def _require_existing(engine: Engine, wanted: dict[str, list[Any]]) -> None:
    """Every id must name an existing record; 422 names `key.index` for each one that does not."""
    problems: dict[str, list[str]] = {}
    for key, ids in wanted.items():
        for index, value in enumerate(ids):
            if not records.is_int(value) or engine.store.get(key, value) is None:
                problems[f"{key}.{index}"] = [f"The selected {key}.{index} is invalid."]
    if problems:
        raise ValidationFailed(INVALID_DATA, field_errors=problems)


def _body_associations(body: dict[str, Any]) -> dict[str, list[Any]]:
    """Association keys a deal create/update body carries (contacts, companies; activities leniently)."""
    found: dict[str, list[Any]] = {}
    for key in ASSOCIATIONS:
        if key not in body:
            continue
        value = body[key]
        if not isinstance(value, list) or not all(records.is_int(v) for v in value):
            raise ValidationFailed(INVALID_DATA, field_errors={key: [f"The {key} field must be an array of ids."]})
        found[key] = value
    return found


# ------------------------------------------------------------------------------ record hooks
def _settle_status(engine: Engine, deal: dict[str, Any]) -> None:
    """won_date only when won; lost_date and lost_reason only when lost (CC10)."""
    status = deal.get("status") if deal.get("status") in STATUSES else "open"
    deal["status"] = status
    stamp = deal.get("updated_at") or deal.get("created_at") or engine.now(engine.resource("deals"), "won_date")
    if status != "won":
        deal["won_date"] = None
    elif not deal.get("won_date"):
        deal["won_date"] = stamp
    if status != "lost":
        deal["lost_date"] = None
        deal["lost_reason"] = None
    else:
        if not deal.get("lost_date"):
            deal["lost_date"] = stamp
        if not isinstance(deal.get("lost_reason"), str):
            deal["lost_reason"] = None


def deal_written(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """Every stored deal: display name, association lists and counts, status dates, billable, amount (CC3)."""
    deal = dict(record)
    if isinstance(deal.get("name"), str):
        deal["display_name"] = deal["name"]
    for key in ASSOCIATIONS:
        deal[key] = _id_list(deal.get(key))
    for key, count in COUNTS.items():
        deal[count] = len(deal[key])
    _settle_status(engine, deal)
    if deal.get("pipeline_id") is None and deal.get("stage_id") is not None:  # the pipeline its stage is in
        stage = engine.store.get("stages", deal["stage_id"])
        if stage is not None:
            deal["pipeline_id"] = stage.get("pipeline_id")
    billable = deal.get("billable")
    if isinstance(billable, dict):
        deal["billable"] = computed_billable(billable)
        if deal["billable"]["products"]:
            deal["amount"] = deal["billable"]["total"]
    else:
        deal["billable"] = None
    return deal


def deal_presented(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    if record.get("id") is not None:
        record["path"] = f"/deals/{record['id']}"
    return record


def contact_written(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    contact = dict(record)
    names = [contact.get("first_name"), contact.get("last_name")]
    display = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    if display:
        contact["display_name"] = display
    return contact


def search_deals(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """GET /deals/search: a bare array, no pages; `take` caps it; an empty q gives [] (CC5)."""
    resource = engine.resource(op.resource)
    conditions, searched, keep = query_parts(engine, op, resource, req, principal)
    order = engine.ordering(op, resource, req)
    if not searched:
        return engine.respond_as_is(op, "collection", [])
    take: Any = req.query.get("take")
    limit = max(1, min(INT64_MAX, take)) if records.is_int(take) else None
    items, _ = engine.store.query(resource.name, Query(where=conditions, order=order, limit=limit))
    return engine.respond_as_is(op, "collection", [project(r, keep) for r in engine.presented_all(resource, items)])


# ----------------------------------------------------------------------------- deals CRUD
def _status(value: Any, default: str) -> str:
    return str(value) if value in STATUSES else default


def _lock(old: str, new: str) -> None:
    """CC9: won and lost only change into each other through open."""
    if old != new and old in TERMINAL and new in TERMINAL:
        raise Conflict(f"The deal is {old}; reopen it (status open) before marking it {new}.")


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in DEAL_READ_ONLY}


def create_deal(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource = engine.resource("deals")
    body = req.fields()
    wanted = _body_associations(body)
    with engine.store.transaction():  # references checked under the write lock, as the engine does
        engine.check_references(resource, body)
        _require_existing(engine, wanted)
        record = engine.build(resource, _plain(body))
        if isinstance(body.get("billable"), dict):
            record["billable"] = apply_billable(engine, None, body["billable"], "billable.")
        for key in ASSOCIATIONS:
            record[key] = _id_list(wanted.get(key))
        if record.get("status") in TERMINAL:
            record[f"{record['status']}_date"] = engine.now(resource, f"{record['status']}_date")
        saved = engine.insert(resource, record)
    headers = {}
    read = engine.api.find(resource.name, "read")
    if read is not None:
        headers["Location"] = read.full_path.replace("{" + read.path_params[-1] + "}", str(saved[resource.id_field]))
    return engine.respond(op, "create", saved, headers=headers)


def update_deal(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    with engine.store.transaction():
        resource, record = engine.target(op, req)
        missing = [f for f in op.required_on_update if body.get(f) in (None, "")]
        if missing:
            raise ValidationFailed(INVALID_DATA, field_errors={
                f: [f"The {f.replace('_', ' ')} field is required."] for f in missing})
        engine.check_references(resource, body)
        old = _status(record.get("status"), "open")
        new = _status(body.get("status"), old)
        _lock(old, new)
        wanted = _body_associations(body)
        _require_existing(engine, wanted)
        updated = engine.build(resource, _plain(body), base=record)
        if isinstance(body.get("billable"), dict):
            updated["billable"] = apply_billable(engine, record.get("billable"), body["billable"], "billable.")
        for key, ids in wanted.items():  # the ids sent replace that association (sync)
            updated[key] = _id_list(ids)
        if new != old and new in TERMINAL:
            updated[f"{new}_date"] = engine.now(resource, f"{new}_date")
        saved = engine.save(resource, updated)
    return engine.respond(op, "update", saved)


def change_status(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """PUT /deals/{id}/status/{status}: open / won / lost with the lock (CC9); dates follow (CC10)."""
    new = str(req.path.get("status", ""))
    if new not in STATUSES:
        raise ValidationFailed(INVALID_DATA, field_errors={"status": ["The selected status is invalid."]})
    body = req.fields()
    reason = body.get("lost_reason")
    with engine.store.transaction():
        resource = engine.resource("deals")
        deal = engine.require(resource, req.path.get("id"))  # target() would take {status} for the id
        old = _status(deal.get("status"), "open")
        _lock(old, new)
        updated = dict(deal, status=new)
        if new != old and new in TERMINAL:
            updated[f"{new}_date"] = engine.now(resource, f"{new}_date")
        if new == "lost" and isinstance(reason, str):
            updated["lost_reason"] = reason
        if updated != deal:
            updated["updated_at"] = engine.now(resource)
        saved = engine.save(resource, updated)
    return engine.respond(op, "change_status", saved)


# ---------------------------------------------------------------------------------- billable
def read_billable(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, deal = engine.target(op, req)
    billable = deal.get("billable")
    return engine.respond_as_is(op, "item", billable if isinstance(billable, dict) else empty_billable())


def save_billable(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """POST /deals/{id}/billable: add, update (by billable product id) and remove products; amount follows."""
    body = req.fields()
    with engine.store.transaction():
        resource, deal = engine.target(op, req)
        updated = dict(deal, billable=apply_billable(engine, deal.get("billable"), body, ""))
        updated["updated_at"] = engine.now(resource)
        saved = engine.save(resource, updated)
    return engine.respond_as_is(op, "item", saved["billable"])


# ------------------------------------------------------------------------------ associations
def _associations(mode: str) -> Handler:
    """attach (add; an id already there is a no-op), detach (remove), sync (replace each key sent)."""

    def handler(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
        body = req.fields()
        with engine.store.transaction():
            resource, deal = engine.target(op, req)
            unknown = sorted(k for k in body if k not in ASSOCIATIONS)
            if unknown:  # CC8
                raise Conflict(f"Unknown association resource: {', '.join(unknown)}. "
                               f"Associate {', '.join(ASSOCIATIONS)}.")
            wanted = {k: body[k] for k in ASSOCIATIONS if k in body}
            if mode != "detach":
                _require_existing(engine, wanted)
            updated = dict(deal)
            for key, sent in wanted.items():
                ids, current = _id_list(sent), _id_list(deal.get(key))
                if mode == "attach":
                    updated[key] = current + [i for i in ids if i not in current]
                elif mode == "detach":
                    updated[key] = [i for i in current if i not in ids]
                else:
                    updated[key] = ids
            if any(_id_list(updated.get(k)) != _id_list(deal.get(k)) for k in wanted):
                updated["updated_at"] = engine.now(resource)
            saved = engine.save(resource, updated)
        return engine.respond(op, op.action, saved)

    return handler


# ------------------------------------------------------------------------ contacts, companies
def delete_associated(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """Deleting a contact, company or activity also detaches it from every deal."""
    key = op.resource
    with engine.store.transaction():
        resource, record = engine.target(op, req)
        record_id = record[resource.id_field]
        response = engine.delete(op, req, principal)
        deals = engine.resource("deals")
        for deal in engine.store.all("deals", [q.Has(key, record_id)]):
            deal[key] = [i for i in _id_list(deal.get(key)) if i != record_id]
            engine.save(deals, deal)
    return response


LISTED = ("deals", "contacts", "companies", "activities")  # lists with search_fields, search_match, select

BEHAVIOUR = Behaviour(
    handlers={
        ("deals", "collection"): search_deals,
        ("deals", "create"): create_deal,
        ("deals", "update"): update_deal,
        ("deals", "change_status"): change_status,
        ("deals", "read_billable"): read_billable,
        ("deals", "save_billable"): save_billable,
        ("deals", "attach_associations"): _associations("attach"),
        ("deals", "detach_associations"): _associations("detach"),
        ("deals", "sync_associations"): _associations("sync"),
        ("contacts", "delete"): delete_associated,
        ("companies", "delete"): delete_associated,
        ("activities", "delete"): delete_associated,
    },
    on_write={"deals": deal_written, "contacts": contact_written},
    present={"deals": each(deal_presented)},
    list_where={name: list_where for name in LISTED},
    shape={name: selected for name in LISTED},
)
