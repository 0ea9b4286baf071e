"""Olympus lead scoring (seed 002 "Lead Scoring"): rule-driven, DEFAULT_RULES until PUT /scoring/rules stores
others in the store's meta table. A contact's stored `score` / `score_breakdown` always agree with GET /score:
every change that can move a score rescores the contact inside its transaction (`rescore`), and raises
crm.score_changed when the score moved."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import weakref
from collections.abc import Iterable
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.behaviours.olympus_records import CLOSED_STAGES, TenantEvents, shown
from mock_server.clock import parse_date, stamp, utcnow
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed
from mock_server.store import RecordStore
from mock_server.store import query as q
from mock_server.validation import ValidRequest
from mock_server.webhooks import Events

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
    """A number, or the first number a text holds ("1,200 employees": 1200)."""
    if not isinstance(value, str):
        return _as_number(value)
    found = re.search(r"\d[\d,]*(?:\.\d+)?", value)
    return float(found.group(0).replace(",", "")) if found else None


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


def with_score(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """A contact with its current score: the record hook on the way in and on the way out, because the score
    follows the contact's activities and deals even when those changed after the contact."""
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
    contact = with_score(engine, contact)
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


# handlers -------------------------------------------------------------------------------------------------
def contact_score(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, contact = engine.target(op, req)
    return engine.respond(op, "item", _public_score(lead_score(engine, contact)))


def configure_scoring(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    rules = list(req.fields().get("rules") or [])
    problems = _rule_problems(engine, rules)
    if problems:
        raise ValidationFailed(INVALID_DATA, field_errors=problems)
    stored = {"rules": rules, "updated_at": stamp(utcnow())}
    before = {c["id"]: int(lead_score(engine, c)["total_score"]) for c in engine.store.all("contacts")}
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        engine.store.set_meta(RULES_KEY, json.dumps(stored))
        for contact_id, score in before.items():
            rescore(engine, events, contact_id, score)
    events.deliver()
    return engine.respond(op, "item", stored)
