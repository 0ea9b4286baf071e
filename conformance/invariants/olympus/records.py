"""How the checks make and read Olympus records (X11: only the suite's own are made or changed): a create
with a documented value, a contact's computed answers, the deals by id, a contacts search, and what an
answer or the document holds."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import create_record, list_items, op_of, succeeded
from conformance.target import Exchange
from crmspec.model import Operation


def error_code(run: CheckRun, exchange: Exchange) -> str:
    """The error code, wherever OC4 lets it sit (body.code -> body.error.code -> body.error), lower-cased."""
    return str(normalise.error(run.dialect, body(exchange)).code or "").lower()


def answer_object(run: CheckRun, op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    """The record or object an answer carries (a {data: ...} wrapper read as bare, OC2)."""
    found = normalise.unwrapped(run.dialect, op, body(exchange))
    return found if isinstance(found, dict) else None


def deals_by_id(run: CheckRun) -> tuple[Exchange, dict[str, dict[str, Any]]]:
    """Every deal by id: the deals list is not paginated (OC3)."""
    exchange, items = list_items(run, op_of(run, "deals", "collection"))
    return exchange, {str(d.get("id")): d for d in items}


def search_contacts(run: CheckRun, term: str) -> tuple[Exchange, list[dict[str, Any]]]:
    contacts = op_of(run, "contacts", "list")
    return list_items(run, contacts, search=term, **{run.dialect.pagination.size_param: 100})


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def made_with(run: CheckRun, resource: str, about: dict[str, str], **overrides: Any) -> Created | None:
    """A record of the suite's own made with a documented value in its body: a refusal is a finding about
    that value (about `about`), not a missing fixture."""
    create = op_of(run, resource, "create")
    exchange = run.call(create, json_body=run.fixtures.body(resource, overrides))
    made: Created | None = run.fixtures.adopt(create, exchange)
    shown = ", ".join(f"{k}={v}" for k, v in overrides.items())
    run.expect(made is not None, exchange, f"a {resource} create with {shown} answered {exchange.status}",
               about=about)
    return made


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [str(i.get("id")) for i in items]


def user_ids(run: CheckRun) -> list[str]:
    """User ids the document fixes (002 shows user_001, user_002): lookup data, only referenced."""
    users = run.dialect.resources.get("users")
    return [str(f["id"]) for f in (users.fixtures if users is not None else ()) if f.get("id")]


def contact_answer(run: CheckRun, action: str, rule: str) -> tuple[Created, Exchange, dict[str, Any] | None]:
    """A new contact of the suite's own, what `action` (score, enrich) answers about it, and that answer's
    object when it is one (about `rule`), which must name the contact (about `field: contact_id`)."""
    contact = create_record(run, "contacts")
    op = op_of(run, "contacts", action)
    exchange = run.call(op, fill_path(run, op, contact.id))
    answer = answer_object(run, op, exchange)
    if not run.expect(succeeded(exchange) and answer is not None, exchange, f"{op} answered {exchange.status}",
                      about={"rule": rule}):
        return contact, exchange, None
    assert answer is not None
    run.expect(answer.get("contact_id") == contact.id, exchange, f"{op} of {contact.id} says contact_id "
               f"{answer.get('contact_id')!r}", about={"field": "contact_id"})
    return contact, exchange, answer


def document_enum(run: CheckRun, schema: str) -> list[str]:
    found = (run.api.document.get("components") or {}).get("schemas", {}).get(schema, {}).get("enum")
    return [str(v) for v in found or []]
