"""Olympus Cloud CRM behaviour beyond CRUD (seed 002, the platform authentication guide, dialects.md 1B / 3.3).

What lives here, computed from the stored data:

* contacts: create/update map `owner_id` to `owner {id, name}` and refuse a duplicate email (400
  duplicate_contact); the detail adds the contact's deals, activity timeline and notes; merge, lead
  score, enrichment (single and bulk), bulk update and CSV import.
* lead scoring: rule-driven (DEFAULT_RULES until PUT /scoring/rules stores others in the store's meta
  table); the contact's stored `score` / `score_breakdown` always agree with GET /score.
* deals: pipeline_summary on the list, stage changes (400 invalid_stage), pipeline analytics.
* activities and tasks: references answer 404, logging an activity rescores its contact, task status
  `overdue` is derived from `due_date` (Decision OC14) and the status filter follows the derivation.
* webhooks: every state change records its event `{id, event, occurred_at, tenant_id, data}` through
  mock_server.webhooks, in the same transaction as the change, which POSTs it to --webhook-url.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import random
import re
import secrets
import weakref
from collections.abc import Iterable
from typing import Any

from flask import Response

from crmspec.model import Operation, Resource
from mock_server import records
from mock_server.auth import Principal
from mock_server.clock import parse_date, parse_time, stamp, utcnow
from mock_server.engine import Behaviour, Engine, each
from mock_server.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from mock_server.responses import json_response
from mock_server.store import RecordStore
from mock_server.store import query as q
from mock_server.validation import ValidRequest
from mock_server.webhooks import Events as WebhookEvents

FALLBACK_STAGES = ("lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost")
CLOSED_STAGES = ("closed_won", "closed_lost")
# default win probability of a stage (inferred: the page's deal in `qualified` carries 25)
STAGE_PROBABILITY = {"lead": 10, "qualified": 25, "proposal": 50, "negotiation": 75, "closed_won": 100,
                     "closed_lost": 0}


def _money(value: float) -> float:
    return round(value, 2)


# webhooks -------------------------------------------------------------------------------------------
class Events(WebhookEvents):
    """Olympus' events carry `tenant_id`, the tenant of the user who made the change (Decision OC18's payload
    `{id, event, occurred_at, tenant_id, data}`)."""

    def __init__(self, engine: Engine, principal: Principal | None) -> None:
        user = engine.store.get("users", principal.user_id) if principal and principal.user_id else None
        super().__init__(engine, {"tenant_id": user.get("tenant_id") if user else None})


# lead scoring ----------------------------------------------------------------------------------------
RULES_KEY = "olympus.scoring_rules"
CATEGORY_MAX = {"demographic": 30, "behavioral": 40, "fit": 30}
OPERATORS = ("gte", "gt", "lte", "lt", "eq", "ne", "in", "not_in", "contains")
ACTIVITY_EVENTS = {"demo_request": "demo", "meeting_held": "meeting", "call_logged": "call", "email_sent": "email",
                   "note_logged": "note", "task_logged": "task"}
EVENTS = (*ACTIVITY_EVENTS, "deal_created", "deal_won", "enriched")
EVENT_REASONS = {
    "demo_request": ("Requested demo", "No demo yet"),
    "meeting_held": ("Meeting held", "No meeting yet"),
    "call_logged": ("Call logged", "No call yet"),
    "email_sent": ("Email exchanged", "No email yet"),
    "note_logged": ("Note logged", "No note yet"),
    "task_logged": ("Task logged", "No task yet"),
    "deal_created": ("Has a deal", "No deal yet"),
    "deal_won": ("Won a deal", "No won deal yet"),
    "enriched": ("Enriched profile", "Not enriched yet"),
}
# fields a rule may test besides the contact's own fields; activity-driven ones feed `recent_activity`
DERIVED_FIELDS = ("company_size", "industry", "title", "total_interactions", "lifetime_value", "activity_count",
                  "demo_count", "deal_value", "open_deals", "days_to_close")
ACTIVITY_FIELDS = ("activity_count", "demo_count")
SENIORITY = (
    (5, "C-level", ("chief", "ceo", "cto", "cfo", "coo", "cmo", "cio", "founder", "owner", "president")),
    (4, "VP level", ("vp", "vice president", "svp", "evp")),
    (3, "Director level", ("director", "head of", "head")),
    (2, "Manager level", ("manager", "lead", "principal", "supervisor")),
)


def _tiers(field: str, op: str, tiers: Iterable[tuple[float, int]], factor: str, category: str) -> dict[str, Any]:
    return {"category": category, "factor": factor, "field": field,
            "conditions": [{"operator": op, "value": value, "score": score} for value, score in tiers]}


# The rules a tenant starts with: each category's best case adds up to its maximum (30 / 40 / 30).
DEFAULT_RULES: list[dict[str, Any]] = [
    _tiers("company_size", "gte", [(1000, 12), (500, 10), (100, 7), (50, 5), (1, 2)], "company_size", "demographic"),
    {"category": "demographic", "factor": "industry", "field": "industry", "conditions": [
        {"operator": "in", "value": "technology,software,saas,healthcare,finance,financial services", "score": 8},
        {"operator": "ne", "value": "", "score": 4}]},
    _tiers("title", "gte", [(5, 10), (4, 9), (3, 7), (2, 4), (1, 2)], "title", "demographic"),
    _tiers("total_interactions", "gte", [(40, 15), (20, 12), (10, 8), (1, 4)], "email_engagement", "behavioral"),
    _tiers("activity_count", "gte", [(10, 12), (5, 9), (2, 6), (1, 3)], "activities", "behavioral"),
    {"category": "behavioral", "factor": "demo_request", "event": "demo_request", "score": 8},
    {"category": "behavioral", "factor": "meetings", "event": "meeting_held", "score": 5},
    _tiers("deal_value", "gte", [(100000, 12), (50000, 10), (10000, 6), (0.01, 3)], "budget", "fit"),
    _tiers("open_deals", "gte", [(2, 8), (1, 6)], "need", "fit"),
    _tiers("days_to_close", "lte", [(30, 10), (90, 7), (180, 4)], "timeline", "fit"),
]


def scoring_rules(engine: Engine) -> dict[str, Any]:
    raw = engine.store.meta(RULES_KEY)
    if raw:
        stored: dict[str, Any] = json.loads(raw)
        return stored
    return {"rules": DEFAULT_RULES, "updated_at": None}


def _seniority(title: Any) -> tuple[int | None, str]:
    if not isinstance(title, str) or not title.strip():
        return None, "No title"
    words = re.findall(r"[a-z]+", title.lower())
    text = " ".join(words)
    for level, label, keys in SENIORITY:
        if any(k in words or (" " in k and k in text) for k in keys):
            return level, label
    return 1, "Individual contributor"


def _leading_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        found = re.search(r"\d[\d,]*(?:\.\d+)?", value)
        if found:
            return float(found.group(0).replace(",", ""))
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


@dataclasses.dataclass
class Facts:
    """What the rules can see of one contact: its own fields and what its activities and deals say."""

    contact: dict[str, Any]
    derived: dict[str, tuple[float | None, str | None, str]]  # field -> (number, text, reason)
    events: set[str]

    def value(self, field: str) -> tuple[float | None, str | None, str]:
        if field in self.derived:
            return self.derived[field]
        raw = records.get_field(self.contact, field)
        text = _as_text(raw)
        return _as_number(raw), text, f"{field}: {text}" if text not in (None, "") else f"No {field}"


_INDEXED: weakref.WeakSet[RecordStore] = weakref.WeakSet()


def _index_contact_links(store: RecordStore) -> None:
    """Scoring reads a contact's deals and activities on every read: index both links once per store."""
    if store not in _INDEXED:
        store.ensure_index("deals", "contact_id")
        store.ensure_index("activities", "contact_id")
        _INDEXED.add(store)


def _facts(engine: Engine, contact: dict[str, Any]) -> Facts:
    _index_contact_links(engine.store)
    contact_id = contact.get("id")
    where = [q.eq("contact_id", contact_id)]
    activities = engine.store.all("activities", where) if contact_id else []
    deals = engine.store.all("deals", where) if contact_id else []
    custom = contact.get("custom_fields") if isinstance(contact.get("custom_fields"), dict) else {}
    enrichment = contact.get("enrichment") if isinstance(contact.get("enrichment"), dict) else {}
    enriched_company = ((enrichment or {}).get("data") or {}).get("company") or {}
    engagement = contact.get("engagement") if isinstance(contact.get("engagement"), dict) else {}

    size_raw = (custom or {}).get("company_size")
    if size_raw in (None, ""):
        size_raw = enriched_company.get("employees")
    size = _leading_number(size_raw)
    industry = (custom or {}).get("industry") or enriched_company.get("industry")
    industry_text = str(industry) if industry not in (None, "") else None
    level, level_label = _seniority(contact.get("title"))
    interactions = _as_number((engagement or {}).get("total_interactions"))
    lifetime = _as_number((engagement or {}).get("lifetime_value"))
    types = [a.get("type") for a in activities]
    demos = types.count("demo")
    live = [d for d in deals if d.get("stage") != "closed_lost"]
    deal_value = sum(records.amount(d.get("value")) for d in live)
    open_deals = [d for d in deals if d.get("stage") not in CLOSED_STAGES]
    today = utcnow().date()
    closes = [c for c in (parse_date(d.get("expected_close")) for d in open_deals) if c is not None]
    days = min(max(0, (c - today).days) for c in closes) if closes else None

    derived: dict[str, tuple[float | None, str | None, str]] = {
        "company_size": (size, _as_text(size_raw),
                         f"{_as_text(size_raw)} employees" if size_raw not in (None, "") else "Company size unknown"),
        "industry": (None, industry_text, f"{industry_text.capitalize()} sector" if industry_text else
                     "Industry unknown"),
        "title": (float(level) if level is not None else None, contact.get("title"), level_label),
        "total_interactions": (interactions, _as_text(interactions),
                               f"{int(interactions or 0)} interactions"),
        "lifetime_value": (lifetime, _as_text(lifetime), f"${lifetime or 0:,.0f} lifetime value"),
        "activity_count": (float(len(activities)), str(len(activities)), f"{len(activities)} activities logged"),
        "demo_count": (float(demos), str(demos), f"{demos} demos"),
        "deal_value": (deal_value, _as_text(deal_value), f"${deal_value:,.0f} in open and won deals"),
        "open_deals": (float(len(open_deals)), str(len(open_deals)), f"{len(open_deals)} open deals"),
        "days_to_close": (float(days) if days is not None else None, _as_text(days),
                          f"Expected close in {days} days" if days is not None else "No expected close date"),
    }
    events = {event for event, kind in ACTIVITY_EVENTS.items() if kind in types}
    events |= {t for t in types if isinstance(t, str)}
    if deals:
        events.add("deal_created")
    if any(d.get("stage") == "closed_won" for d in deals):
        events.add("deal_won")
    if enrichment and enrichment.get("data"):
        events.add("enriched")
    return Facts(contact, derived, events)


def _matches(condition: dict[str, Any], number: float | None, text: str | None) -> bool:
    op, target = condition.get("operator"), condition.get("value")
    target_number = _as_number(target)
    if op in ("gte", "gt", "lte", "lt"):
        if number is None or target_number is None:
            return False
        return {"gte": number >= target_number, "gt": number > target_number,
                "lte": number <= target_number, "lt": number < target_number}[str(op)]
    if op in ("eq", "ne"):
        if number is not None and target_number is not None:
            equal = bool(number == target_number)
        elif text is None:
            return False
        else:
            equal = text.strip().lower() == str(target).strip().lower()
        return equal if op == "eq" else not equal
    if op in ("in", "not_in"):
        if text is None:
            return False
        options = {part.strip().lower() for part in str(target).split(",")}
        return (text.strip().lower() in options) is (op == "in")
    if op == "contains":
        return text is not None and str(target).lower() in text.lower()
    return False


def _factor(rule: dict[str, Any], facts: Facts) -> dict[str, Any]:
    name = rule.get("factor") or rule.get("field") or rule.get("event") or "rule"
    if rule.get("field"):
        number, text, reason = facts.value(str(rule["field"]))
        score = 0
        for condition in rule.get("conditions") or []:
            if _matches(condition, number, text):
                score = int(condition.get("score", 0))
                break
        return {"factor": str(name), "score": score, "reason": reason}
    event = str(rule.get("event"))
    hit = event in facts.events
    yes, no = EVENT_REASONS.get(event, (f"{event} recorded", f"No {event} yet"))
    return {"factor": str(name), "score": int(rule.get("score", 0)) if hit else 0, "reason": yes if hit else no}


def _cap(scores: list[int], maximum: int) -> list[int]:
    """Trim factor scores from the last one back so their sum lies in [0, maximum]."""
    out = list(scores)
    excess = sum(out) - maximum
    for i in reversed(range(len(out))):
        if excess <= 0:
            break
        cut = min(excess, max(out[i], 0))
        out[i] -= cut
        excess -= cut
    deficit = -sum(out)
    for i in reversed(range(len(out))):
        if deficit <= 0:
            break
        lift = min(deficit, max(-out[i], 0))
        out[i] += lift
        deficit -= lift
    return out


def grade_of(total: int) -> str:
    return "A" if total >= 80 else "B" if total >= 60 else "C" if total >= 40 else "D"


RECOMMENDATIONS = {
    "A": "Sales ready - schedule call",
    "B": "Engaged - send a tailored proposal or demo invite",
    "C": "Warming up - keep nurturing with targeted content",
    "D": "Cold - keep in marketing automation",
}


def lead_score(engine: Engine, contact: dict[str, Any], rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """GET /contacts/{id}/score: each category's factors sum to its score, at most its max."""
    rules = scoring_rules(engine)["rules"] if rules is None else rules
    facts = _facts(engine, contact)
    breakdown: dict[str, Any] = {}
    activity_points = 0
    for category, maximum in CATEGORY_MAX.items():
        chosen = [r for r in rules if r.get("category") == category]
        factors = [_factor(rule, facts) for rule in chosen]
        capped = _cap([f["score"] for f in factors], maximum)
        for rule, factor, score in zip(chosen, factors, capped, strict=True):
            if score != factor["score"]:
                factor["reason"] += f" (capped at the {category} maximum)"
                factor["score"] = score
            if category == "behavioral" and (rule.get("event") or rule.get("field") in ACTIVITY_FIELDS):
                activity_points += score
        breakdown[category] = {"score": sum(capped), "max": maximum, "factors": factors}
    total = sum(part["score"] for part in breakdown.values())
    grade = grade_of(total)
    behavioral = breakdown["behavioral"]["score"]
    recent = min(max(activity_points, 0), behavioral)
    return {
        "contact_id": contact.get("id"),
        "total_score": total,
        "grade": grade,
        "breakdown": breakdown,
        "recommendation": RECOMMENDATIONS[grade],
        "updated_at": stamp(utcnow()),
        # the detail view's taxonomy (Decision OC9), summing to the same total
        "_detail": {"engagement": behavioral - recent, "profile_completeness": breakdown["demographic"]["score"],
                    "recent_activity": recent, "fit_score": breakdown["fit"]["score"]},
    }


def _public_score(score: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in score.items() if not k.startswith("_")}


def _with_score(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    score = lead_score(engine, record)
    record["score"] = score["total_score"]
    record["score_breakdown"] = score["_detail"]
    return record


def visible_score(engine: Engine, contact_id: Any) -> int | None:
    contact = engine.store.get("contacts", contact_id) if contact_id else None
    return None if contact is None else int(lead_score(engine, contact)["total_score"])


def rescore(engine: Engine, events: Events, contact_id: Any, before: int | None) -> None:
    """Store the contact's current score; record crm.score_changed when it differs from `before`."""
    contact = engine.store.get("contacts", contact_id) if contact_id else None
    if contact is None:
        return
    stored = (contact.get("score"), contact.get("score_breakdown"))
    contact = _with_score(engine, contact)
    if stored != (contact["score"], contact["score_breakdown"]):
        engine.store.replace("contacts", contact)  # derived fields only: no updated_at, no contact_updated
    if before is not None and before != contact["score"]:
        events.emit("crm.score_changed", shown(engine, "contacts", contact), previous_score=before)


def _rule_problems(engine: Engine, rules: list[dict[str, Any]]) -> dict[str, list[str]]:
    contact_fields = set(engine.resource("contacts").schema.get("properties", {}))
    problems: dict[str, list[str]] = {}
    for i, rule in enumerate(rules):
        where = f"rules.{i}"
        field, event = rule.get("field"), rule.get("event")
        if (field is None) == (event is None):
            problems.setdefault(where, []).append("A rule needs exactly one of field (with conditions) or event.")
            continue
        if "factor" in rule and not isinstance(rule["factor"], str):
            problems.setdefault(f"{where}.factor", []).append("The factor must be a string.")
        if field is not None:
            root = str(field).split(".", 1)[0]
            if field not in DERIVED_FIELDS and root not in contact_fields:
                problems.setdefault(f"{where}.field", []).append(
                    f"Unknown field {field}; use a contact field or one of {', '.join(DERIVED_FIELDS)}.")
            conditions = rule.get("conditions")
            if not conditions:
                problems.setdefault(f"{where}.conditions", []).append("A field rule needs at least one condition.")
            for j, condition in enumerate(conditions or []):
                if condition.get("operator") not in OPERATORS:
                    problems.setdefault(f"{where}.conditions.{j}.operator", []).append(
                        f"The operator must be one of {', '.join(OPERATORS)}.")
        else:
            if event not in EVENTS:
                problems.setdefault(f"{where}.event", []).append(f"Unknown event; use one of {', '.join(EVENTS)}.")
            if "score" not in rule:
                problems.setdefault(f"{where}.score", []).append("An event rule needs a score.")
    return problems


# record hooks ----------------------------------------------------------------------------------------
def contact_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    return _with_score(engine, record)


def contact_present(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    # the score follows the contact's activities and deals even when those changed after the contact
    return _with_score(engine, record)


def deal_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    stage = record.get("stage")
    if not record.get("stage_history") and stage is not None:  # every deal has entered its stage (a seeded one too)
        record["stage_history"] = [{"stage": stage, "entered_at": record.get("created_at")}]
    if stage in CLOSED_STAGES:
        record["probability"] = STAGE_PROBABILITY[str(stage)]
    elif record.get("probability") is None and stage in STAGE_PROBABILITY:
        record["probability"] = STAGE_PROBABILITY[str(stage)]
    return record


def task_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    # Decision OC14: `overdue` is derived on the way out, so a stored task is pending or completed
    if record.get("status") != "completed":
        record["status"] = "pending"
        record["completed_at"] = None
    due = parse_time(record.get("due_date"))
    if due is not None:
        record["due_date"] = stamp(due)  # one format, so SQL can compare due dates as strings
    return record


def task_present(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    due = parse_time(record.get("due_date"))
    if record.get("status") == "pending" and due is not None and due < utcnow():
        record["status"] = "overdue"
    return record


# helpers shared by the handlers -------------------------------------------------------------------------
def shown(engine: Engine, resource: str, record: dict[str, Any]) -> dict[str, Any]:
    return engine.presented(engine.resource(resource), dict(record))



def _stages(engine: Engine) -> tuple[str, ...]:
    schema = engine.api.document.get("components", {}).get("schemas", {}).get("DealStage", {})
    return tuple(schema.get("enum") or FALLBACK_STAGES)


def _require_stage(engine: Engine, stage: Any) -> str:
    stages = _stages(engine)
    if stage not in stages:
        raise ValidationFailed("Invalid deal stage.", code="invalid_stage",
                               field_errors={"stage": [f"stage must be one of {', '.join(stages)}"]})
    return str(stage)


def _owner(engine: Engine, owner_id: Any, field: str) -> dict[str, Any] | None:
    if owner_id is None:
        return None
    user = engine.store.get("users", owner_id)
    if user is None:
        raise ValidationFailed("The given data was invalid.",
                               field_errors={field: [f"The selected {field.rsplit('.', 1)[-1].replace('_', ' ')} "
                                                     "is invalid."]})
    return {"id": user["id"], "name": user.get("name")}


def _owner_from_body(engine: Engine, body: dict[str, Any]) -> dict[str, Any]:
    """The request's `owner_id` becomes the record's `owner {id, name}` (the list shows owner objects)."""
    if "owner_id" in body:
        body["owner"] = _owner(engine, body.pop("owner_id"), "owner_id")
    return body


def duplicate_contact(field_name: str) -> BusinessRuleViolation:
    """The refusal of a contact whose email another contact has (the document declares it unique)."""
    return BusinessRuleViolation("Contact already exists.", code="duplicate_contact",
                                 field_errors={field_name: ["A contact with this email already exists."]})


def _require_reference(engine: Engine, resource: str, value: Any, code: str | None = None) -> dict[str, Any] | None:
    if value is None:
        return None
    record = engine.store.get(resource, value)
    if record is None:
        label = resource.rstrip("s").capitalize()
        raise NotFound(f"{label} not found.", code=code)
    return record


def _default_status(body: dict[str, Any]) -> None:
    if body.get("status") is None:
        body["status"] = "active" if body.get("type") == "customer" else "lead"


# contacts ----------------------------------------------------------------------------------------------
def create_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = _owner_from_body(engine, req.fields())
    _default_status(body)
    body.setdefault("tags", [])
    events = Events(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        created = engine.store.get("contacts", response.get_json()["id"]) or {}
        events.emit("crm.contact_created", shown(engine, "contacts", created))
    events.deliver()
    return response


def update_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, current = engine.target(op, req)
    body = _owner_from_body(engine, req.fields())
    before = visible_score(engine, current["id"])
    events = Events(engine, principal)
    with engine.store.transaction():
        response = engine.update(op, dataclasses.replace(req, body=body), principal)
        updated = engine.store.get("contacts", current["id"]) or {}
        events.emit("crm.contact_updated", shown(engine, "contacts", updated))
        rescore(engine, events, current["id"], before)
    events.deliver()
    return response


def read_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The detail: the contact with its deals, activity timeline and notes (seed 002 "Get Contact")."""
    _, contact = engine.target(op, req)
    where = [q.eq("contact_id", contact["id"])]
    contact["deals"] = [{"id": d["id"], "name": d.get("name"), "value": d.get("value"), "stage": d.get("stage")}
                        for d in engine.store.all("deals", where)]
    timeline = [{"type": a.get("type"), "timestamp": a.get("occurred_at") or a.get("created_at"),
                 "details": a.get("subject") or a.get("description")}
                for a in engine.store.all("activities", where)]
    contact["activities"] = sorted(timeline, key=lambda e: str(e["timestamp"] or ""), reverse=True)
    notes = engine.store.all("notes", where)
    if notes:
        contact["notes"] = notes
    return engine.respond(op, "item", contact)


MERGE_SKIP = ("id", "created_at", "updated_at", "score", "score_breakdown")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _merged(primary: dict[str, Any], merged: list[dict[str, Any]], prefs: dict[str, str],
            by_id: dict[str, dict[str, Any]], fields: Iterable[str]) -> dict[str, Any]:
    """The primary wins; its gaps are filled from the merged contacts in order; preferences override."""
    result = dict(primary)
    for field in fields:
        if field in prefs or not _empty(result.get(field)):
            continue
        for other in merged:
            if not _empty(other.get(field)):
                result[field] = other[field]
                break
    everyone = [primary, *merged]
    if "tags" not in prefs:
        result["tags"] = list(dict.fromkeys(t for c in everyone for t in (c.get("tags") or [])))
    if "custom_fields" not in prefs:
        custom: dict[str, Any] = {}
        for contact in reversed(everyone):
            custom.update(contact.get("custom_fields") or {})
        result["custom_fields"] = custom
    if "engagement" not in prefs:
        engaged = [c["engagement"] for c in everyone if isinstance(c.get("engagement"), dict)]
        if engaged:
            last = [e["last_interaction"] for e in engaged if e.get("last_interaction")]
            result["engagement"] = {
                "last_interaction": max(last) if last else None,
                "total_interactions": sum(int(e.get("total_interactions") or 0) for e in engaged),
                "lifetime_value": _money(sum(records.amount(e.get("lifetime_value")) for e in engaged)),
            }
    for field, source in prefs.items():
        if field in by_id[source]:
            result[field] = by_id[source][field]
        else:
            result.pop(field, None)
    return result


def merge_contacts(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    contacts = engine.resource("contacts")
    primary_id = str(body.get("primary_contact_id"))
    merge_ids = list(dict.fromkeys(str(i) for i in body.get("merge_contact_ids") or []))
    prefs = {str(k): str(v) for k, v in (body.get("field_preferences") or {}).items()}
    if primary_id in merge_ids:
        raise Conflict("Cannot merge contacts: a contact cannot be merged into itself.", code="merge_conflict")
    primary = engine.require(contacts, primary_id)
    merged = [engine.require(contacts, i) for i in merge_ids]
    by_id = {c["id"]: c for c in [primary, *merged]}
    fields = [f for f in contacts.schema.get("properties", {}) if f not in MERGE_SKIP]
    problems: dict[str, list[str]] = {}
    for field, source in prefs.items():
        if field not in fields:
            problems[f"field_preferences.{field}"] = [f"{field} is not a contact field that a merge can choose."]
        elif source not in by_id:
            problems[f"field_preferences.{field}"] = [
                f"{source} is neither the primary contact nor one of the merged contacts."]
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)

    before = visible_score(engine, primary_id)
    result = _merged(primary, merged, prefs, by_id, fields)
    result["updated_at"] = engine.now(contacts, "updated_at")
    engine.denormalise(contacts, result)
    events = Events(engine, principal)
    with engine.store.transaction():
        for merged_id in merge_ids:
            engine.store.delete(contacts.name, merged_id)
        engine.save(contacts, result)
        # the merged contacts' deals, activities, tasks and notes now belong to the primary
        for other in engine.dialect.resources.values():
            for ref in other.references:
                if ref.resource != contacts.name:
                    continue
                for merged_id in merge_ids:
                    for row in engine.store.all(other.name, [q.eq(ref.field, merged_id)]):
                        records.set_field(row, ref.field, primary_id)
                        engine.denormalise(other, row)
                        engine.save(other, row)
        saved = engine.store.get(contacts.name, primary_id) or result
        events.emit("crm.contact_updated", shown(engine, "contacts", saved), merged_contact_ids=merge_ids)
        rescore(engine, events, primary_id, before)
        saved = engine.store.get(contacts.name, primary_id) or saved
    events.deliver()
    return engine.respond(op, "item", saved)


def contact_score(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, contact = engine.target(op, req)
    return engine.respond(op, "item", _public_score(lead_score(engine, contact)))


def configure_scoring(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    rules = list(req.fields().get("rules") or [])
    problems = _rule_problems(engine, rules)
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)
    stored = {"rules": rules, "updated_at": stamp(utcnow())}
    before = {c["id"]: int(lead_score(engine, c)["total_score"]) for c in engine.store.all("contacts")}
    events = Events(engine, principal)
    with engine.store.transaction():
        engine.store.set_meta(RULES_KEY, json.dumps(stored))
        for contact_id, score in before.items():
            rescore(engine, events, contact_id, score)
    events.deliver()
    return engine.respond(op, "item", stored)


# enrichment ----------------------------------------------------------------------------------------------
ENRICH_GROUPS = {"company": "company", "social": "social", "email_verification": "contact", "contact": "contact"}
GROUP_SOURCES = {"company": "clearbit", "social": "linkedin", "contact": "email_verification"}
INDUSTRIES = ("Technology", "Healthcare", "Financial Services", "Retail", "Hospitality", "Manufacturing",
              "Education", "Logistics", "Media", "Real Estate")
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "example.com", "example.org")


def _slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")


def _revenue_band(employees: int) -> str:
    for limit, band in ((10, "<$1M"), (50, "$1M-$10M"), (200, "$10M-$50M"), (1000, "$50M-$100M"),
                        (5000, "$100M-$500M")):
        if employees < limit:
            return band
    return "$500M+"


def enrichment_of(contact: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Every data group for one contact, the same each time: a Random seeded by the contact id."""
    rng = random.Random(f"olympus-enrichment:{contact.get('id')}")
    low, high = rng.choice(((5, 49), (50, 199), (200, 999), (1000, 9999)))
    employees = rng.randint(low, high)
    industry = rng.choice(INDUSTRIES)
    founded = rng.randint(1950, 2022)
    connections = rng.randint(50, 3000)
    verified = rng.random() < 0.9
    phone_type = rng.choice(("mobile", "mobile", "landline", "voip"))
    confidence = round(rng.uniform(0.6, 0.99), 2)

    custom = contact.get("custom_fields") if isinstance(contact.get("custom_fields"), dict) else {}
    if (custom or {}).get("industry"):
        industry = str((custom or {})["industry"]).title()
    email = str(contact.get("email") or "")
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    company_slug = _slug(contact.get("company"))
    if domain and domain not in FREE_MAIL and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", domain):
        website = f"https://{domain}"
    else:
        website = f"https://{company_slug or _slug(contact.get('name')) or 'company'}.com"
    social = contact.get("social") if isinstance(contact.get("social"), dict) else {}
    linkedin = (social or {}).get("linkedin") or f"https://linkedin.com/in/{_slug(contact.get('name')) or 'profile'}"
    data = {
        "company": {"employees": employees, "revenue": _revenue_band(employees), "industry": industry,
                    "founded": founded, "website": website},
        "social": {"linkedin": linkedin, "linkedin_connections": connections},
        "contact": {"verified_email": bool(email) and verified,
                    "phone_type": phone_type if contact.get("phone") else "unknown"},
    }
    return data, confidence


def _enrich(engine: Engine, events: Events, contact: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    contacts = engine.resource("contacts")
    before = visible_score(engine, contact["id"])
    data, confidence = enrichment_of(contact)
    added = {group: data[group] for group in groups}
    sources = [GROUP_SOURCES[group] for group in groups]
    now = stamp(utcnow())
    previous = contact.get("enrichment") if isinstance(contact.get("enrichment"), dict) else {}
    contact = dict(contact)
    contact["enrichment"] = {
        "status": "completed",
        "data": {**((previous or {}).get("data") or {}), **added},
        "confidence": confidence,
        "sources": list(dict.fromkeys([*((previous or {}).get("sources") or []), *sources])),
        "enriched_at": now,
    }
    contact["updated_at"] = engine.now(contacts, "updated_at")
    saved = engine.save(contacts, contact)
    events.emit("crm.contact_updated", shown(engine, "contacts", saved))
    rescore(engine, events, contact["id"], before)
    return {"contact_id": contact["id"], "enrichment_status": "completed", "data_added": added,
            "confidence": confidence, "sources": sources, "enriched_at": now}


def enrich_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, contact = engine.target(op, req)
    events = Events(engine, principal)
    with engine.store.transaction():
        result = _enrich(engine, events, contact, ["company", "social", "contact"])
    events.deliver()
    return engine.respond(op, "item", result)


def bulk_enrich(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    ids = list(dict.fromkeys(str(i) for i in body.get("contact_ids") or []))
    asked = body.get("fields")
    unknown = [f for f in asked or [] if f not in ENRICH_GROUPS]
    if unknown:
        raise ValidationFailed("The given data was invalid.", field_errors={"fields": [
            f"Unknown data group {f}; use {', '.join(ENRICH_GROUPS)}." for f in unknown]})
    groups = list(dict.fromkeys(ENRICH_GROUPS[f] for f in asked)) if asked else ["company", "social", "contact"]
    results: list[dict[str, Any]] = []
    events = Events(engine, principal)
    with engine.store.transaction():
        for contact_id in ids:
            contact = engine.store.get("contacts", contact_id)
            if contact is None:
                results.append({"contact_id": contact_id, "enrichment_status": "not_found",
                                "error": {"code": "contact_not_found", "message": "Contact not found."}})
            else:
                results.append(_enrich(engine, events, contact, groups))
    events.deliver()
    done = sum(1 for r in results if r["enrichment_status"] == "completed")
    return engine.respond(op, "item", {"requested": len(ids), "completed": done,
                                       "not_found": [r["contact_id"] for r in results
                                                     if r["enrichment_status"] == "not_found"],
                                       "results": results})


# bulk operations ---------------------------------------------------------------------------------------------
def bulk_update(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """Unknown ids refuse the whole request (404 contact_not_found naming them): nothing is half-applied."""
    body = req.fields()
    contacts = engine.resource("contacts")
    ids = list(dict.fromkeys(str(i) for i in body.get("contact_ids") or []))
    updates: dict[str, Any] = body["updates"] if isinstance(body.get("updates"), dict) else {}
    unknown = [i for i in ids if engine.store.get(contacts.name, i) is None]
    if unknown:
        raise NotFound("Contact not found.", code=contacts.not_found_code,
                       field_errors={"contact_ids": [f"Unknown contact id {i}." for i in unknown]})
    owner = _owner(engine, updates["owner_id"], "updates.owner_id") if "owner_id" in updates else None
    tags = updates.get("tags") if isinstance(updates.get("tags"), dict) else {}
    add, remove = list((tags or {}).get("add") or []), set((tags or {}).get("remove") or [])
    events = Events(engine, principal)
    changed: list[str] = []
    with engine.store.transaction():
        for contact_id in ids:
            current = engine.store.get(contacts.name, contact_id) or {}
            contact = dict(current)
            before = visible_score(engine, contact_id)
            if "owner_id" in updates:
                contact["owner"] = owner
            for field in ("status", "segment"):
                if field in updates:
                    contact[field] = updates[field]
            if tags:
                kept = [t for t in dict.fromkeys([*(contact.get("tags") or []), *add]) if t not in remove]
                contact["tags"] = kept
            if contact == current:
                continue
            contact["updated_at"] = engine.now(contacts, "updated_at")
            saved = engine.save(contacts, contact)
            changed.append(contact_id)
            events.emit("crm.contact_updated", shown(engine, "contacts", saved))
            rescore(engine, events, contact_id, before)
    events.deliver()
    return engine.respond(op, "item", {"updated": len(ids), "contact_ids": ids, "changed": len(changed),
                                       "changed_contact_ids": changed})


IMPORT_FIELDS = ("name", "email", "phone", "company", "title", "source", "type", "status", "segment", "tags",
                 "notes", "owner_id")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _form_json(req: ValidRequest, name: str) -> dict[str, Any]:
    raw = req.form.get(name)
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(str(raw))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed("The given data was invalid.",
                               field_errors={name: [f"The {name} field must be a JSON object."]})
    return value


def _import_mapping(req: ValidRequest, header: list[str]) -> dict[str, str]:
    given = _form_json(req, "mapping")
    if not given:  # no mapping: columns named like the contact fields ("Email", "owner id")
        by_name = {_slug(h).replace("-", "_"): h for h in header}
        given = {f: by_name[f] for f in IMPORT_FIELDS if f in by_name}
    problems: dict[str, list[str]] = {}
    for field, col in given.items():
        if field not in IMPORT_FIELDS and not field.startswith("custom_fields."):
            problems[f"mapping.{field}"] = [f"{field} is not a contact field; use {', '.join(IMPORT_FIELDS)} "
                                            "or custom_fields.<name>."]
        elif not isinstance(col, str) or col not in header:
            problems[f"mapping.{field}"] = [f"The file has no column {col!r}."]
    for field in ("name", "email"):
        if field not in given:
            problems.setdefault(f"mapping.{field}", []).append(f"The {field} field must be mapped to a column.")
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)
    return {str(k): str(v) for k, v in given.items()}


def _import_row(engine: Engine, values: dict[str, str], source: Any) -> tuple[dict[str, Any] | None, str | None]:
    """A contact body from one CSV row, or the reason it cannot be imported."""
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for field, value in values.items():
        if value == "":
            continue
        if field.startswith("custom_fields."):
            custom[field.split(".", 1)[1]] = value
        elif field == "tags":
            body["tags"] = [t.strip() for t in re.split(r"[;,|]", value) if t.strip()]
        else:
            body[field] = value
    if not body.get("name"):
        return None, "name is required"
    if not body.get("email"):
        return None, "email is required"
    if not EMAIL.match(body["email"]):
        return None, f"email {body['email']!r} is not a valid address"
    for field, allowed in (("type", ("customer", "lead")), ("status", ("active", "inactive", "lead", "customer"))):
        if field in body and body[field] not in allowed:
            return None, f"{field} must be one of {', '.join(allowed)}"
    if "owner_id" in body:
        user = engine.store.get("users", body.pop("owner_id"))
        if user is None:
            return None, "owner_id is not a known user"
        body["owner"] = {"id": user["id"], "name": user.get("name")}
    if custom:
        body["custom_fields"] = custom
    if source and not body.get("source"):
        body["source"] = source
    _default_status(body)
    body.setdefault("tags", [])
    return body, None


def import_contacts(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    upload = req.files.get("file")
    if upload is None:
        raise ValidationFailed("The given data was invalid.", field_errors={"file": ["The file field is required."]})
    try:
        text = upload.read().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed("The given data was invalid.",
                               field_errors={"file": [f"The file is not a readable UTF-8 CSV file: {exc}"]}) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationFailed("The given data was invalid.", field_errors={"file": ["The file has no header row."]})
    header = [cell.strip() for cell in rows[0]]
    mapping = _import_mapping(req, header)
    options = _form_json(req, "options")
    skip_duplicates = options.get("skip_duplicates", False)
    source = options.get("source")
    problems: dict[str, list[str]] = {}
    if not isinstance(skip_duplicates, bool):
        problems["options.skip_duplicates"] = ["skip_duplicates must be true or false."]
    if source is not None and not isinstance(source, str):
        problems["options.source"] = ["source must be a string."]
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)

    contacts = engine.resource("contacts")
    position = {col: i for i, col in reversed(list(enumerate(header)))}
    imported: list[str] = []
    errors: list[dict[str, Any]] = []
    skipped = duplicates = 0
    events = Events(engine, principal)
    with engine.store.transaction():
        for number, row in enumerate(rows[1:], start=1):  # `row` counts data rows: 1 is the line after the header
            if not any(cell.strip() for cell in row):
                continue
            values = {f: (row[position[c]].strip() if position[c] < len(row) else "") for f, c in mapping.items()}
            body, problem = _import_row(engine, values, source)
            if body is None:
                skipped += 1
                errors.append({"row": number, "code": "VALIDATION_ERROR", "message": str(problem)})
                continue
            if engine.store.all(contacts.name, [q.same_text("email", body["email"])]):
                skipped += 1
                duplicates += 1
                if not skip_duplicates:
                    errors.append({"row": number, "code": "duplicate_contact", "message": "Contact already exists"})
                continue
            created = engine.insert(contacts, engine.build(contacts, body))
            imported.append(created["id"])
            events.emit("crm.contact_created", shown(engine, "contacts", created))
    events.deliver()
    return engine.respond(op, "item", {"imported": len(imported), "skipped": skipped, "duplicates": duplicates,
                                       "skip_duplicates": skip_duplicates, "errors": errors,
                                       "contact_ids": imported})


# deals ----------------------------------------------------------------------------------------------------
def _summary(deals: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(records.amount(d.get("value")) for d in deals)
    weighted = sum(records.amount(d.get("value")) * (records.amount(d.get("probability")) / 100)
                   for d in deals)  # 1e308 * 50
    return {"total_value": _money(total), "weighted_value": _money(weighted), "deal_count": len(deals)}


def pipeline_summary(engine: Engine, deals: list[dict[str, Any]]) -> dict[str, Any]:
    """The deals list's pipeline_summary, computed from exactly the deals the list returns."""
    return {"pipeline_summary": _summary(deals)}


def create_deal(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    body["stage"] = _require_stage(engine, body.get("stage", "lead"))
    _require_reference(engine, "contacts", body.get("contact_id"), engine.resource("contacts").not_found_code)
    body.setdefault("currency", "USD")
    now = stamp(utcnow())
    body["stage_history"] = [{"stage": body["stage"], "entered_at": now}]
    before = visible_score(engine, body.get("contact_id"))
    events = Events(engine, principal)
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
    events = Events(engine, principal)
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


def pipeline_analytics(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    deals = engine.store.all("deals")
    stages = _stages(engine)
    summary = _summary(deals)
    count = summary["deal_count"]
    by_stage = []
    for stage in stages:
        in_stage = [d for d in deals if d.get("stage") == stage]
        by_stage.append({"stage": stage, "count": len(in_stage),
                         "value": _money(sum(records.amount(d.get("value")) for d in in_stage))})

    now = utcnow()
    to_close = [_days(parse_time(d.get("created_at")), parse_time(d.get("updated_at")))
                for d in deals if d.get("stage") == "closed_won"]
    in_stage_days: dict[str, list[float]] = {}
    for deal in deals:
        history = [h for h in deal.get("stage_history") or [] if isinstance(h, dict)]
        if not history:  # best effort: an open deal has been in its stage since it was created
            if deal.get("stage") not in CLOSED_STAGES:
                history = [{"stage": deal.get("stage"), "entered_at": deal.get("created_at")}]
        for i, step in enumerate(history):
            if step.get("stage") in CLOSED_STAGES:
                continue
            left = parse_time(history[i + 1].get("entered_at")) if i + 1 < len(history) else now
            days = _days(parse_time(step.get("entered_at")), left)
            if days is not None and step.get("stage") in stages:
                in_stage_days.setdefault(str(step["stage"]), []).append(days)

    today = now.date()
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
    return engine.respond(op, "item", {
        "pipeline": {**summary, "avg_deal_size": _money(summary["total_value"] / count) if count else 0.0},
        "by_stage": by_stage,
        "velocity": {
            "avg_days_to_close": _average([d for d in to_close if d is not None]),
            "avg_days_in_stage": {s: _average(v) for s, v in in_stage_days.items()},
        },
        "forecast": {"this_month": _money(this_month), "next_month": _money(next_month),
                     "this_quarter": _money(this_quarter)},
    })


# activities and tasks -------------------------------------------------------------------------------------
def create_activity(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    _require_reference(engine, "contacts", body.get("contact_id"))
    deal = _require_reference(engine, "deals", body.get("deal_id"))
    if body.get("contact_id") is None and deal is not None and deal.get("contact_id"):
        body["contact_id"] = deal["contact_id"]  # a deal's activity is also its contact's
    if not body.get("occurred_at"):
        body["occurred_at"] = stamp(utcnow())
    before = visible_score(engine, body.get("contact_id"))
    events = Events(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        rescore(engine, events, body.get("contact_id"), before)
    events.deliver()
    return response


def _due_soon(task: dict[str, Any]) -> bool:
    due = parse_time(task.get("due_date"))
    now = utcnow()
    return task.get("status") == "pending" and due is not None and now <= due <= now + dt.timedelta(hours=24)


def create_task(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    _require_reference(engine, "contacts", body.get("contact_id"))
    _require_reference(engine, "deals", body.get("deal_id"))
    _require_reference(engine, "users", body.get("assigned_to"))
    body.update({"status": "pending", "completed_at": None})  # Decision OC14: a new task is pending
    events = Events(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        task = engine.store.get("tasks", response.get_json()["id"]) or {}
        if _due_soon(task):
            events.emit("crm.task_due", shown(engine, "tasks", task))
    events.deliver()
    return response


def _status_condition(status: str) -> q.Predicate:
    now = stamp(utcnow())
    pending, due = q.eq("status", "pending"), q.Doc("due_date")
    if status == "overdue":
        return q.all_of(pending, q.IsNull(due, negate=True), q.Compare(due, "<", now))
    if status == "pending":
        return q.all_of(pending, q.any_of(q.IsNull(due), q.Compare(due, ">=", now)))
    return q.eq("status", status)


def task_list_where(engine: Engine, op: Operation, tasks: Resource, req: ValidRequest,
                    principal: Principal | None) -> list[q.Predicate]:
    """The declared filters, but `status` is the derived status (a past-due pending task is overdue)."""
    status = req.query.get("status")
    rest = dataclasses.replace(req, query={k: v for k, v in req.query.items() if k != "status"})
    conditions = engine.conditions(op, tasks, rest, principal)
    if status not in (None, ""):
        conditions.append(_status_condition(str(status)))
    return conditions


def complete_task(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    tasks, task = engine.target(op, req)
    if task.get("status") != "completed":  # completing twice keeps the first completion time
        task = {**task, "status": "completed", "completed_at": stamp(utcnow())}
        with engine.store.transaction():
            task = engine.save(tasks, task)
    return engine.respond(op, "item", task)


# authentication ---------------------------------------------------------------------------------------------
def login(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    user = engine.user_by_login(req.body)
    roles = list(user.get("roles") or [engine.dialect.auth.default_role])
    token = engine.credentials.issue(roles=roles, subject=str(user["id"]), user_id=user["id"])
    return json_response(200, {"status": {
        "type": "success",
        "access_token": token,
        "refresh_token": f"rt_{secrets.token_urlsafe(24)}",
        "token_type": "Bearer",
        "expires_in": engine.dialect.auth.lifetime_seconds,
        "user": {"id": user["id"], "tenant_id": user.get("tenant_id"), "email": user["email"], "roles": roles},
    }})


BEHAVIOUR = Behaviour(
    handlers={
        ("auth", "login"): login,
        ("contacts", "create"): create_contact,
        ("contacts", "update"): update_contact,
        ("contacts", "read"): read_contact,
        ("contacts", "merge"): merge_contacts,
        ("contacts", "score"): contact_score,
        ("scoring_rules", "configure"): configure_scoring,
        ("contacts", "enrich"): enrich_contact,
        ("contacts", "bulk_enrich"): bulk_enrich,
        ("contacts", "bulk_update"): bulk_update,
        ("contacts", "import"): import_contacts,
        ("deals", "create"): create_deal,
        ("deals", "move_stage"): move_stage,
        ("deals", "pipeline_analytics"): pipeline_analytics,
        ("activities", "create"): create_activity,
        ("tasks", "create"): create_task,
        ("tasks", "complete"): complete_task,
    },
    on_write={"contacts": contact_on_write, "deals": deal_on_write, "tasks": task_on_write},
    present={"contacts": each(contact_present), "tasks": each(task_present)},
    duplicate={"contacts": duplicate_contact},
    list_where={"tasks": task_list_where},
    list_extras={"deals": pipeline_summary},
)
