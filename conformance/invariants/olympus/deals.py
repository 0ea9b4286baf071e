"""Deals and their stages (SEM-104, SEM-106, SEM-107): an unknown stage refused, a created deal listed as
sent, every stage set through the stage endpoint."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, number, op_of, succeeded, unique_word
from conformance.invariants.olympus.records import as_dict, as_list, deals_by_id, error_code, ids_of, made_with
from conformance.registry import scenario

DEAL_STAGES = ("lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost")


@scenario("SEM-104", "semantics", "An unknown deal stage is refused with 400 invalid_stage", "MUST",
          "002 Error Responses: 400 invalid_stage 'Invalid deal stage'; stage enum (OC10 strict; OC4 codes)")
def oc_invalid_stage(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    move = op_of(run, "deals", "move_stage")
    about = {"rule": "invalid-stage"}
    bad = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "no_such_stage"})
    code = error_code(run, bad)
    run.expect(bad.status == 400, bad, f"an unknown stage answered {bad.status}, expected 400", about=about)
    run.expect(code in ("invalid_stage", "validation_error", "bad_request"), bad,
               f"the error code is {code!r}, expected invalid_stage", about=about)
    listed, deals = deals_by_id(run)
    stage = deals.get(str(deal.id), {}).get("stage")
    run.expect(stage == deal.record.get("stage"), listed, f"after the refused move the deal is in {stage!r}, "
               f"it was in {deal.record.get('stage')!r}", about=about, operation=move)
    good = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "proposal"})
    run.expect(succeeded(good), good, f"a valid stage answered {good.status}", about={"stage": "proposal"})
    create = op_of(run, "deals", "create")
    name = f"{unique_word(run, 'i')} invalid stage"
    refused = run.call(create, json_body={**(run.fixtures.body("deals") or {}), "name": name, "stage": "no_such_stage"})
    run.fixtures.adopt(create, refused)  # a server that wrongly accepts it made a deal the suite now owns
    code = error_code(run, refused)
    created_about = {"rule": "invalid-stage-create"}
    run.expect(refused.status == 400 and code in ("invalid_stage", "validation_error", "bad_request"), refused,
               f"creating a deal in an unknown stage answered {refused.status} {code!r}, expected 400 invalid_stage",
               about=created_about)
    listed, deals = deals_by_id(run)
    made = [d for d in deals.values() if d.get("name") == name]
    run.expect(not made, listed, f"the refused deal was made anyway: {ids_of(made)}", about=created_about,
               operation=create)
    for exchange in (bad, refused):
        if error_code(run, exchange) == "invalid_stage":
            run.expect(exchange.status == 400, exchange, f"invalid_stage came with {exchange.status}",
                       about={"code": "invalid_stage"})


@scenario("SEM-106", "semantics", "A created deal is listed as it was sent, in any of the six stages", "MUST",
          "002 Create Deal request body (name, contact_id, value, stage, expected_close, owner_id, products) and "
          "Deal Stages table; GET /deals is the only read (OC11); money within 0.005 (X5)")
def oc_deal_created(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    sent = deal.exchange.request_body if isinstance(deal.exchange.request_body, dict) else {}
    listed, deals = deals_by_id(run)
    item = deals.get(str(deal.id))
    if not run.expect(item is not None, listed, f"the new deal {deal.id} is not in GET /deals",
                      about={"rule": "listed"}):
        return
    assert item is not None
    for field in ("name", "contact_id", "stage", "expected_close"):
        if field in sent:
            run.expect(item.get(field) == sent[field], listed, f"{field} was sent as {sent[field]!r}, the deal is "
                       f"listed with {item.get(field)!r}", about={"field": field})
    if number(sent.get("value")) is not None:
        run.expect(number(item.get("value")) is not None and abs(float(item["value"]) - float(sent["value"])) <= 0.005,
                   listed, f"value was sent as {sent['value']!r}, listed as {item.get('value')!r}",
                   about={"field": "value"})
    if sent.get("owner_id"):
        owner = as_dict(item.get("owner"))
        run.expect(owner.get("id") == sent["owner_id"], listed, f"owner_id was sent as {sent['owner_id']!r}, the "
                   f"deal's owner is {item.get('owner')!r}", about={"field": "owner_id"})
    if isinstance(sent.get("products"), list):
        quantities = sorted(str(p.get("quantity")) for p in sent["products"] if isinstance(p, dict))
        got = sorted(str(p.get("quantity")) for p in as_list(item.get("products")) if isinstance(p, dict))
        run.expect(got == quantities, listed, f"products were sent with quantities {quantities}, listed with {got}",
                   about={"field": "products"})
    for stage in (s for s in DEAL_STAGES if s != sent.get("stage")):
        made = made_with(run, "deals", {"field": "stage"}, stage=stage)
        if made is None:
            continue
        listed, deals = deals_by_id(run)
        run.expect(deals.get(str(made.id), {}).get("stage") == stage, listed,
                   f"a deal created in {stage} is listed in {deals.get(str(made.id), {}).get('stage')!r}",
                   about={"field": "stage"})


@scenario("SEM-107", "semantics", "Each deal stage can be set through the stage endpoint and is stored", "MUST",
          "002 Update Deal Stage {stage, notes} and the Deal Stages table (OC10 strict: a valid stage gives 2xx; "
          "transition rules are not tested: every move here goes forward, or stays)")
def oc_stage_moves(run: CheckRun) -> None:
    move = op_of(run, "deals", "move_stage")
    forward = create_record(run, "deals", stage="lead")
    other = create_record(run, "deals", stage="lead")
    plan = [(forward, s) for s in ("qualified", "proposal", "negotiation", "closed_won")]
    plan += [(other, "lead"), (other, "closed_lost")]
    for deal, stage in plan:
        notes = f"crm-conformance moved to {stage}"
        moved = run.call(move, fill_path(run, move, deal.id), json_body={"stage": stage, "notes": notes})
        run.expect(succeeded(moved), moved, f"moving a deal to {stage} with notes answered {moved.status}",
                   about={"stage": stage, "field": "notes"})
        listed, deals = deals_by_id(run)
        shown = deals.get(str(deal.id), {}).get("stage")
        run.expect(shown == stage, listed, f"after moving to {stage} the deal is listed in {shown!r}",
                   about={"stage": stage}, operation=move)
