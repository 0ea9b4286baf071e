"""SEM-103: the pipeline analytics add up, and the deals list's pipeline_summary repeats them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, TOLERANCE, number, op_of
from conformance.invariants.olympus.records import answer_object
from conformance.registry import scenario


def _numbers(value: Any, where: str = "") -> Iterator[tuple[str, float]]:
    """Every number inside a JSON value, with where it sits."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(inner, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _numbers(inner, f"{where}[{index}]")
    elif number(value) is not None:
        yield where, float(value)


@scenario("SEM-103", "semantics", "Pipeline analytics add up", "SHOULD",
          "002 analytics example: sum of by_stage value = total_value, avg_deal_size = total/count; the deals "
          "list's pipeline_summary repeats them (OC16: lenient; OC3: pipeline_summary expected, warn only)")
def oc_analytics(run: CheckRun) -> None:
    analytics = op_of(run, "deals", "pipeline_analytics")
    exchange = run.call(analytics)
    payload = answer_object(run, analytics, exchange)
    if not run.expect(payload is not None and isinstance(payload.get("pipeline"), dict), exchange,
                      "the analytics body has no pipeline block", about={"rule": "answer"}):
        return
    assert payload is not None
    pipeline = payload["pipeline"]
    negative = [(where, value) for where, value in _numbers(payload) if value < 0]
    run.expect(not negative, exchange, f"negative analytics numbers: {negative[:3]}", level=SHOULD,
               about={"rule": "non-negative"})
    stages = [s for s in payload.get("by_stage") or [] if isinstance(s, dict)] \
        if isinstance(payload.get("by_stage"), list) else []
    values, counts = [number(s.get("value")) for s in stages], [number(s.get("count")) for s in stages]
    total_value, deal_count = number(pipeline.get("total_value")), number(pipeline.get("deal_count"))
    if None in values or None in counts or total_value is None or deal_count is None:
        run.fail(exchange, "the analytics hold a value or count that is not a number", level=SHOULD,
                 about={"rule": "by-stage-sums"})
        return
    by_value = sum(v for v in values if v is not None)
    by_count = sum(c for c in counts if c is not None)
    run.expect(abs(by_value - total_value) <= TOLERANCE, exchange,
               f"by_stage values sum to {by_value}, total_value is {pipeline.get('total_value')}", level=SHOULD,
               about={"rule": "by-stage-sums"})
    run.expect(by_count == deal_count, exchange,
               f"by_stage counts sum to {by_count}, deal_count is {pipeline.get('deal_count')}", level=SHOULD,
               about={"rule": "by-stage-sums"})
    average_size = number(pipeline.get("avg_deal_size"))
    if deal_count:
        average = total_value / deal_count
        run.expect(average_size is not None and abs(average - average_size) <= 1, exchange,
                   f"avg_deal_size {pipeline.get('avg_deal_size')} but total/count is {average:.2f}", level=SHOULD,
                   about={"field": "avg_deal_size"})
    _deals_summary(run, pipeline)


def _deals_summary(run: CheckRun, pipeline: dict[str, Any]) -> None:
    """GET /deals: its pipeline_summary (OC3: expected, warn if missing; numbers when present), all deals in
    one answer, and the same totals as the analytics (OC16: warn)."""
    listed = run.call(op_of(run, "deals", "collection"))
    payload = body(listed)
    summary = payload.get("pipeline_summary") if isinstance(payload, dict) else None
    if not run.expect(isinstance(summary, dict), listed, "GET /deals carries no pipeline_summary", level=SHOULD,
                      about={"field": "pipeline_summary", "rule": "present"}):
        return
    assert isinstance(summary, dict) and isinstance(payload, dict)
    wrong = [k for k in ("total_value", "weighted_value") if number(summary.get(k)) is None]
    count = summary.get("deal_count")
    wrong += [] if isinstance(count, int) and not isinstance(count, bool) else ["deal_count"]
    run.expect(not wrong, listed, f"pipeline_summary holds no number at {', '.join(wrong)}",
               about={"field": "pipeline_summary", "rule": "types"})
    items = payload.get("data")
    if isinstance(items, list) and isinstance(count, int):
        run.expect(len(items) == count, listed, f"GET /deals answers {len(items)} deals, its pipeline_summary "
                   f"counts {count}: the list is not one answer with every deal", level=SHOULD,
                   about={"rule": "unpaginated"})
    differ = [k for k in ("total_value", "weighted_value", "deal_count")
              if number(summary.get(k)) is None or number(pipeline.get(k)) is None
              or abs(float(summary[k]) - float(pipeline[k])) > TOLERANCE]
    run.expect(not differ, listed, f"pipeline_summary and the analytics differ on {', '.join(differ)}",
               level=SHOULD, about={"field": "pipeline_summary", "rule": "agrees"})
