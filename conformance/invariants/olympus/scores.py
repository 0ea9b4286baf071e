"""SEM-102: a lead score is the sum of its breakdown, each part within its maximum."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, TOLERANCE, number, read_record
from conformance.invariants.olympus.records import contact_answer
from conformance.registry import scenario


@scenario("SEM-102", "semantics", "A lead score is the sum of its breakdown, each within its maximum", "MUST",
          "002 Get Lead Score example: 25+35+25 = 85, each score <= max, grade 'A' (OC9 strict); the contact's "
          "score and score_breakdown agree with it (OC9 lenient: warn)")
def oc_score(run: CheckRun) -> None:
    contact, exchange, payload = contact_answer(run, "score", "answer")
    if payload is None:
        return
    breakdown = payload.get("breakdown")
    parts = [v for v in breakdown.values() if isinstance(v, dict)] if isinstance(breakdown, dict) else []
    scores = [number(p.get("score")) for p in parts]
    total_score = number(payload.get("total_score"))
    run.expect(bool(parts) and None not in scores and total_score is not None
               and abs(sum(s for s in scores if s is not None) - total_score) <= TOLERANCE, exchange,
               f"total_score {payload.get('total_score')!r} but the breakdown sums to "
               f"{sum(s for s in scores if s is not None)} ({len(parts)} numeric parts)",
               about={"field": "total_score"})
    for name, part in (breakdown.items() if isinstance(breakdown, dict) else ()):
        if not isinstance(part, dict):
            continue
        ceiling, points = number(part.get("max")), number(part.get("score"))
        if ceiling is not None and points is not None:
            run.expect(points <= ceiling, exchange, f"{name} scores {points} above its max {ceiling}",
                       about={"field": "max"})
        factors = [number(f.get("score")) for f in part.get("factors") or [] if isinstance(f, dict)] \
            if isinstance(part.get("factors"), list) else []
        if factors and None not in factors and points is not None:
            run.expect(abs(sum(f for f in factors if f is not None) - points) <= TOLERANCE, exchange,
                       f"{name} scores {points} but its factors sum to {sum(f for f in factors if f is not None)}",
                       level=SHOULD, about={"field": "factors"})
    run.expect(isinstance(payload.get("grade"), str), exchange, "the score has no grade", about={"field": "grade"})
    read, record = read_record(run, "contacts", contact.id)
    if record is None or total_score is None:
        return
    if number(record.get("score")) is not None:
        run.expect(number(record.get("score")) == total_score, read, f"the contact's score {record.get('score')} "
                   f"differs from its total_score {payload.get('total_score')}", level=SHOULD, about={"field": "score"})
    detail = record.get("score_breakdown")
    values = [number(v) for v in detail.values()] if isinstance(detail, dict) else []
    if values and None not in values and number(record.get("score")) is not None:
        run.expect(abs(sum(v for v in values if v is not None) - float(record["score"])) <= TOLERANCE, read,
                   f"the contact's score_breakdown sums to {sum(v for v in values if v is not None)}, its score is "
                   f"{record.get('score')}", level=SHOULD, about={"field": "score_breakdown"})
