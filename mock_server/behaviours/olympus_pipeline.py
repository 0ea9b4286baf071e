"""Olympus deals and pipeline (seed 002 "Deals & Pipeline"): a deal's stage history and stage probability,
stage changes (400 invalid_stage) with their events, the deals list's pipeline_summary and pipeline analytics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.behaviours.olympus_records import CLOSED_STAGES, TenantEvents, money, require_reference, shown
from mock_server.behaviours.olympus_scoring import rescore, visible_score
from mock_server.clock import parse_date, parse_time, stamp, utcnow
from mock_server.engine import Engine
from mock_server.errors import ValidationFailed
from mock_server.validation import ValidRequest

FALLBACK_STAGES = ("lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost")
# default win probability of a stage (inferred: the page's deal in `qualified` carries 25)
STAGE_PROBABILITY = {"lead": 10, "qualified": 25, "proposal": 50, "negotiation": 75, "closed_won": 100,
                     "closed_lost": 0}


def _stages(engine: Engine) -> tuple[str, ...]:
    schema = engine.api.document.get("components", {}).get("schemas", {}).get("DealStage", {})
    return tuple(schema.get("enum") or FALLBACK_STAGES)


def _require_stage(engine: Engine, stage: Any) -> str:
    stages = _stages(engine)
    if stage not in stages:
        raise ValidationFailed("Invalid deal stage.", code="invalid_stage",
                               field_errors={"stage": [f"stage must be one of {', '.join(stages)}"]})
    return str(stage)


def deal_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    stage = record.get("stage")
    if not record.get("stage_history") and stage is not None:  # every deal has entered its stage (a seeded one too)
        record["stage_history"] = [{"stage": stage, "entered_at": record.get("created_at")}]
    if stage in CLOSED_STAGES:
        record["probability"] = STAGE_PROBABILITY[str(stage)]
    elif record.get("probability") is None and stage in STAGE_PROBABILITY:
        record["probability"] = STAGE_PROBABILITY[str(stage)]
    return record


# deals ----------------------------------------------------------------------------------------------------
def _summary(deals: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(records.amount(d.get("value")) for d in deals)
    weighted = sum(records.amount(d.get("value")) * (records.amount(d.get("probability")) / 100)
                   for d in deals)  # 1e308 * 50
    return {"total_value": money(total), "weighted_value": money(weighted), "deal_count": len(deals)}


def pipeline_summary(engine: Engine, deals: list[dict[str, Any]]) -> dict[str, Any]:
    """The deals list's pipeline_summary, computed from exactly the deals the list returns."""
    return {"pipeline_summary": _summary(deals)}


def create_deal(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    body["stage"] = _require_stage(engine, body.get("stage", "lead"))
    require_reference(engine, "contacts", body.get("contact_id"), engine.resource("contacts").not_found_code)
    body.setdefault("currency", "USD")
    now = stamp(utcnow())
    body["stage_history"] = [{"stage": body["stage"], "entered_at": now}]
    before = visible_score(engine, body.get("contact_id"))
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        deal = engine.store.get("deals", response.get_json()["id"]) or {}
        deal["stage_history"] = body["stage_history"]  # not a Deal property, so build() left it out
        engine.store.replace("deals", deal)
        data = shown(engine, "deals", deal)
        events.emit("crm.deal_created", data)
        if deal.get("stage") == "closed_won":
            events.emit("crm.deal_won", data)
        elif deal.get("stage") == "closed_lost":
            events.emit("crm.deal_lost", data)
        rescore(engine, events, deal.get("contact_id"), before)
    events.deliver()
    return engine.respond(op, "create", deal, status=response.status_code,
                          headers={k: v for k, v in response.headers.items() if k == "Location"})


def move_stage(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    deals, current = engine.target(op, req)
    body = req.fields()
    stage = _require_stage(engine, body.get("stage"))
    previous = current.get("stage")
    deal = dict(current)
    now = engine.now(deals, "updated_at")
    if "notes" in body:
        deal["notes"] = body["notes"]
    deal["updated_at"] = now
    moved = stage != previous
    if moved:
        history = list(deal.get("stage_history") or [{"stage": previous, "entered_at": deal.get("created_at")}])
        history.append({"stage": stage, "entered_at": stamp(utcnow()), "notes": body.get("notes")})
        deal["stage_history"] = history
        deal["stage"] = stage
        deal["probability"] = STAGE_PROBABILITY.get(stage, deal.get("probability"))
    before = visible_score(engine, deal.get("contact_id"))
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        saved = engine.save(deals, deal)
        if moved:
            data = shown(engine, "deals", saved)
            events.emit("crm.deal_stage_changed", data, previous_stage=previous)
            if stage == "closed_won":
                events.emit("crm.deal_won", data)
            elif stage == "closed_lost":
                events.emit("crm.deal_lost", data)
        rescore(engine, events, saved.get("contact_id"), before)
    events.deliver()
    return engine.respond(op, "item", saved)


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 86400)


def _average(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _month_after(day: dt.date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def _by_stage(deals: list[dict[str, Any]], stages: tuple[str, ...]) -> list[dict[str, Any]]:
    by_stage = []
    for stage in stages:
        in_stage = [d for d in deals if d.get("stage") == stage]
        by_stage.append({"stage": stage, "count": len(in_stage),
                         "value": money(sum(records.amount(d.get("value")) for d in in_stage))})
    return by_stage


def _stage_history(deal: dict[str, Any]) -> list[dict[str, Any]]:
    history = [h for h in deal.get("stage_history") or [] if isinstance(h, dict)]
    if not history:  # best effort: an open deal has been in its stage since it was created
        if deal.get("stage") not in CLOSED_STAGES:
            history = [{"stage": deal.get("stage"), "entered_at": deal.get("created_at")}]
    return history


def _velocity(deals: list[dict[str, Any]], stages: tuple[str, ...], now: dt.datetime) -> dict[str, Any]:
    """How long won deals took to close, and how long deals stay in each open stage (until they left it, or now)."""
    to_close = [_days(parse_time(d.get("created_at")), parse_time(d.get("updated_at")))
                for d in deals if d.get("stage") == "closed_won"]
    in_stage_days: dict[str, list[float]] = {}
    for deal in deals:
        history = _stage_history(deal)
        for i, step in enumerate(history):
            if step.get("stage") in CLOSED_STAGES:
                continue
            left = parse_time(history[i + 1].get("entered_at")) if i + 1 < len(history) else now
            days = _days(parse_time(step.get("entered_at")), left)
            if days is not None and step.get("stage") in stages:
                in_stage_days.setdefault(str(step["stage"]), []).append(days)
    return {
        "avg_days_to_close": _average([d for d in to_close if d is not None]),
        "avg_days_in_stage": {s: _average(v) for s, v in in_stage_days.items()},
    }


def _forecast(deals: list[dict[str, Any]], today: dt.date) -> dict[str, float]:
    """The weighted value of the open deals expected to close this month, next month and this quarter."""
    quarter = (today.month - 1) // 3
    this_month = next_month = this_quarter = 0.0
    for deal in deals:
        close = parse_date(deal.get("expected_close"))
        if deal.get("stage") in CLOSED_STAGES or close is None:
            continue
        weighted = records.amount(deal.get("value")) * records.amount(deal.get("probability")) / 100
        if (close.year, close.month) == (today.year, today.month):
            this_month += weighted
        if (close.year, close.month) == _month_after(today):
            next_month += weighted
        if close.year == today.year and (close.month - 1) // 3 == quarter:
            this_quarter += weighted
    return {"this_month": money(this_month), "next_month": money(next_month), "this_quarter": money(this_quarter)}


def pipeline_analytics(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    deals = engine.store.all("deals")
    stages = _stages(engine)
    summary = _summary(deals)
    count = summary["deal_count"]
    now = utcnow()
    return engine.respond(op, "item", {
        "pipeline": {**summary, "avg_deal_size": money(summary["total_value"] / count) if count else 0.0},
        "by_stage": _by_stage(deals, stages),
        "velocity": _velocity(deals, stages, now),
        "forecast": _forecast(deals, now.date()),
    })
