"""SEM-113: every operation on an unknown contact or deal answers 404 with its CRM code."""

from __future__ import annotations

from typing import Any

from conformance.context import CheckRun
from conformance.invariants._common import SHOULD
from conformance.invariants.olympus.records import deals_by_id, error_code
from conformance.registry import scenario


def _absent_deal(run: CheckRun) -> str | None:
    """A deal id the target proved it does not have: GET /deals lists every deal (OC3)."""
    candidate = f"crmconf-{run.fixtures.tag}-absent"
    listed, deals = deals_by_id(run)
    return candidate if listed.status == 200 and candidate not in deals else None


@scenario("SEM-113", "status", "Every operation on an unknown contact or deal answers 404 with its CRM code", "MUST",
          "002 Error Responses: 404 contact_not_found, 404 deal_not_found (OC4: or NOT_FOUND; X11: only ids the "
          "target proved it does not have)")
def oc_unknown_records(run: CheckRun) -> None:
    absent = {"contacts": run.fixtures.absent_id("contacts"), "deals": _absent_deal(run)}
    bodies = {"update": run.fixtures.body("contacts"), "move_stage": {"stage": "proposal"}}
    for op in run.api.operations:
        resource = run.dialect.resources.get(op.resource)
        record_param = op.record_param()
        if resource is None or record_param is None or absent.get(op.resource) is None or op.action == "read":
            continue  # STA-006 judges the reads
        exchange = run.call(op, {record_param: absent[op.resource]}, json_body=bodies.get(op.action))
        code = resource.not_found_code or "not_found"
        if not run.expect(exchange.status == 404, exchange, f"{op} on an unknown id answered {exchange.status}, "
                          "expected 404", about={"status": "404"}):
            continue
        found = error_code(run, exchange)
        run.expect(found in (code, "not_found"), exchange, f"the not-found code is {found!r}, expected {code}",
                   about={"status": "404", "code": code})
    _unknown_references(run, absent)


def _unknown_references(run: CheckRun, absent: dict[str, Any]) -> None:
    """A create naming a contact or deal the target proved it does not have is refused (404, 400 accepted;
    the page ties no code to these operations: a SHOULD). What a server wrongly makes is the suite's."""
    for resource, field in (("deals", "contact_id"), ("activities", "contact_id"), ("activities", "deal_id"),
                            ("tasks", "contact_id")):
        unknown = absent.get("contacts" if field == "contact_id" else "deals")
        create = run.api.find(resource, "create")
        good = run.fixtures.body(resource)
        if unknown is None or create is None or good is None:
            continue
        exchange = run.call(create, json_body={**good, field: unknown})
        run.fixtures.adopt(create, exchange)
        run.expect(exchange.status in (400, 404), exchange, f"a {resource} create naming the unknown {field} "
                   f"{unknown} answered {exchange.status}, expected 404 (or 400)", level=SHOULD,
                   about={"rule": "unknown-reference", "field": field})
