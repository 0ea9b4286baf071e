"""Olympus Cloud CRM's own invariants (002): merges, lead scores, analytics, stages, task completion."""

from __future__ import annotations

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.invariants._common import TOLERANCE, create_record, list_items, number, op_of, read_record
from conformance.registry import scenario


@scenario("SEM-101", "semantics", "Merged contacts are gone, the primary stays", "MUST",
          "002 'The merged contacts are deleted and cannot be recovered' (OC13 strict: 404 and 200)")
def oc_merge(run: CheckRun) -> None:
    primary, merged = create_record(run, "contacts"), create_record(run, "contacts")
    merge = op_of(run, "contacts", "merge")
    exchange = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [merged.id]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"merging answered {exchange.status}"):
        return
    run.fixtures.forget("contacts", merged.id)
    gone, _ = read_record(run, "contacts", merged.id)
    run.expect(gone.status == 404, gone, f"a merged contact answers {gone.status}, expected 404")
    kept, _ = read_record(run, "contacts", primary.id)
    run.expect(kept.status == 200, kept, f"the primary contact answers {kept.status} after the merge")
    itself = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [primary.id]})
    run.expect(itself.status in (400, 404, 409, 422), itself,
               f"merging a contact into itself answered {itself.status}, expected 409 (or 400/404)")


@scenario("SEM-102", "semantics", "A lead score is the sum of its breakdown, each within its maximum", "MUST",
          "002 Get Lead Score example: 25+35+25 = 85, each score <= max, grade 'A' (OC9 strict)")
def oc_score(run: CheckRun) -> None:
    contact = create_record(run, "contacts")
    score = op_of(run, "contacts", "score")
    for contact_id in (contact.id,):
        exchange = run.call(score, fill_path(run, score, contact_id))
        payload = body(exchange)
        if not run.expect(exchange.status == 200 and isinstance(payload, dict), exchange,
                          f"the score answered {exchange.status}"):
            continue
        breakdown = payload.get("breakdown")
        parts = [v for v in breakdown.values() if isinstance(v, dict)] if isinstance(breakdown, dict) else []
        scores = [number(p.get("score")) for p in parts]
        total_score = number(payload.get("total_score"))
        run.expect(bool(parts) and None not in scores and total_score is not None
                   and abs(sum(s for s in scores if s is not None) - total_score) <= TOLERANCE, exchange,
                   f"total_score {payload.get('total_score')!r} but the breakdown sums to "
                   f"{sum(s for s in scores if s is not None)} ({len(parts)} numeric parts)")
        for name, part in (breakdown.items() if isinstance(breakdown, dict) else ()):
            if not isinstance(part, dict):
                continue
            ceiling, points = number(part.get("max")), number(part.get("score"))
            if ceiling is not None and points is not None:
                run.expect(points <= ceiling, exchange, f"{name} scores {points} above its max {ceiling}")
        run.expect(isinstance(payload.get("grade"), str), exchange, "the score has no grade")


@scenario("SEM-103", "semantics", "Pipeline analytics add up", "SHOULD",
          "002 analytics example: sum of by_stage value = total_value, avg_deal_size = total/count; the deals "
          "list's pipeline_summary repeats them (OC16: lenient)")
def oc_analytics(run: CheckRun) -> None:
    analytics = op_of(run, "deals", "pipeline_analytics")
    exchange = run.call(analytics)
    payload = body(exchange)
    if not isinstance(payload, dict) or not isinstance(payload.get("pipeline"), dict):
        run.fail(exchange, "the analytics body has no pipeline block")
        return
    pipeline = payload["pipeline"]
    stages = [s for s in payload.get("by_stage") or [] if isinstance(s, dict)] \
        if isinstance(payload.get("by_stage"), list) else []
    values, counts = [number(s.get("value")) for s in stages], [number(s.get("count")) for s in stages]
    total_value, deal_count = number(pipeline.get("total_value")), number(pipeline.get("deal_count"))
    if None in values or None in counts or total_value is None or deal_count is None:
        run.fail(exchange, "the analytics hold a value or count that is not a number")
        return
    by_value = sum(v for v in values if v is not None)
    by_count = sum(c for c in counts if c is not None)
    run.expect(abs(by_value - total_value) <= TOLERANCE, exchange,
               f"by_stage values sum to {by_value}, total_value is {pipeline.get('total_value')}")
    run.expect(by_count == deal_count, exchange,
               f"by_stage counts sum to {by_count}, deal_count is {pipeline.get('deal_count')}")
    average_size = number(pipeline.get("avg_deal_size"))
    if deal_count:
        average = total_value / deal_count
        run.expect(average_size is not None and abs(average - average_size) <= 1, exchange,
                   f"avg_deal_size {pipeline.get('avg_deal_size')} but total/count is {average:.2f}")
    listed = run.call(op_of(run, "deals", "collection"))
    summary = (body(listed) or {}).get("pipeline_summary") if isinstance(body(listed), dict) else None
    if isinstance(summary, dict):
        run.expect(summary.get("deal_count") == pipeline.get("deal_count"), listed,
                   f"pipeline_summary counts {summary.get('deal_count')}, analytics {pipeline.get('deal_count')}")


@scenario("SEM-104", "semantics", "An unknown deal stage is refused with 400 invalid_stage", "MUST",
          "002 Error Responses: 400 invalid_stage 'Invalid deal stage'; stage enum (OC10 strict; OC4 codes)")
def oc_invalid_stage(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    move = op_of(run, "deals", "move_stage")
    bad = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "no_such_stage"})
    code = normalise.error(run.dialect, body(bad)).code
    run.expect(bad.status == 400, bad, f"an unknown stage answered {bad.status}, expected 400")
    run.expect(code in ("invalid_stage", "INVALID_STAGE", "VALIDATION_ERROR", "BAD_REQUEST"), bad,
               f"the error code is {code!r}, expected invalid_stage")
    good = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "proposal"})
    run.expect(good.status is not None and 200 <= good.status < 300, good, f"a valid stage answered {good.status}")


@scenario("SEM-105", "semantics", "A completed task is listed as completed", "MUST",
          "002 POST /tasks/{task_id}/complete; GET /tasks status=completed (OC14 strict)")
def oc_task_complete(run: CheckRun) -> None:
    task = create_record(run, "tasks")
    complete = op_of(run, "tasks", "complete")
    done = run.call(complete, fill_path(run, complete, task.id))
    if not run.expect(done.status is not None and 200 <= done.status < 300, done, f"complete answered {done.status}"):
        return
    exchange, tasks = list_items(run, op_of(run, "tasks", "list"), status="completed", limit=100)
    run.expect(task.id in [t.get("id") for t in tasks], exchange, f"task {task.id} is not listed as completed")
