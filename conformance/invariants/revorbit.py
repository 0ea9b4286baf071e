"""Revenue Orbit's own invariants (000, 001): stage moves, stage flags, risk scoring, stage order, the Kanban
board, and the statements of 001 that the generic checks do not reach on this API: the writes beside
POST /deals (updates, a deal's notes and tasks, stages, the custom actions), the deal list's other
parameters, the files, and three rules every answer is judged by.

Most checks here are driven by the requirements catalogue (openapi/revorbit.requirements.yaml), as VAL-010
is: a requirement that names the check on an operation says, in its `about`, what the check probes there
(which field, which kind of value, which case). The module decides how to probe, never what the pages
state. Every record a check writes is the suite's own (X11): made here or by `run.fixtures`, adopted for
clean-up when a server creates one it should have refused. Stages are lookup data the document fixes, so
the suite only adds stages of its own next to them and deletes those; it never reorders them (the page's
reorder names every stage).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path, in_scope
from conformance.checks.pagination import SORT_PREFERENCE, ids
from conformance.checks.validation import bound_values, invalid_values
from conformance.context import CheckRun
from conformance.fixtures import Created, FixtureUnavailable, path_value, request_example, request_schema
from conformance.invariants._common import create_record, list_items, number, op_of, read_record
from conformance.listquery import matches_filter, sort_params
from conformance.model import Severity
from conformance.ordering import misplaced
from conformance.readback import reads_back_as_sent
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Operation, Reference
from crmspec.schemas import declared_types, flatten

DESIGNED: Severity = "SHOULD"     # a shape the page does not show (x-designed): judged at the SHOULD level at most
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
COLOUR = "#1f6feb"                # 001's stage colours are #rrggbb ('#3b82f6'); the POST example shows '...'
BOARD_DEALS = "deals"             # the board column's deal list: the document's design (the page shows none)
DATE_FIELDS = ("default", "expected_close_date", "closed_at", "created_at")
ABSENT_ID = 9007199254740991      # an id no server hands out; used only where the suite proves it absent
CALLER_CLAIMS = ("uid", "user_id", "id", "sub")


# ------------------------------------------------------------------------------------------ the catalogue
def _abouts(run: CheckRun, op: Operation) -> list[Mapping[str, str]]:
    """What the catalogue's requirements verified by the running check say about `op` (named explicitly), one
    mapping per combination of the values a requirement lists (an about may name any of several)."""
    catalogue = run.api.requirements
    if catalogue is None:
        return []
    return [dict(zip(r.about, chosen, strict=True)) for r in catalogue.verified_by(run.check.id)
            if str(op) in r.operations for chosen in product(*(r.values_of(key) for key in r.about))]


def _named(run: CheckRun, action: str | None = None) -> Iterator[Operation]:
    """The operations the catalogue names for the running check (with a request body, or of one action)."""
    for op in run.api.operations:
        if not _abouts(run, op):
            continue
        if action is None and op.raw.get("requestBody") or action is not None and op.action == action:
            yield op


def _kinds(run: CheckRun, op: Operation) -> dict[str, set[str] | None]:
    """field -> the kinds of value the catalogue names for it on `op` (None: every kind)."""
    out: dict[str, set[str] | None] = {}
    for about in _abouts(run, op):
        field, kind = about.get("field"), about.get("kind")
        if field is None or field in out and out[field] is None:
            continue
        out[field] = None if kind is None else {*(out.get(field) or set()), kind}
    return out


def _values(run: CheckRun, op: Operation, key: str) -> set[str]:
    """The values the catalogue gives `key` in the abouts of the running check on `op`."""
    return {about[key] for about in _abouts(run, op) if key in about}


def _wanted(kinds: set[str] | None, kind: str) -> bool:
    return kinds is None or kind in kinds


# ------------------------------------------------------------------------------------------ records
def _properties(op: Operation) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in request_schema(op).get("properties", {}).items() if isinstance(v, dict)}


def _references(run: CheckRun, resource: str) -> dict[str, Reference]:
    found = run.dialect.resources.get(resource)
    return {ref.field: ref for ref in found.references} if found is not None else {}


def _credential(run: CheckRun, op: Operation) -> str | None:
    """The credential a write or read of `op` goes out with: the --token, unless its JWT role is one the
    operation's security leaves out (RO13: stage mutations, import and export may refuse a non-admin token),
    then the --admin-token; None when the suite holds no credential the operation allows (not exercised)."""
    role = _role(run, "default")
    if not op.roles or role is None or role in op.roles:
        return "default"
    return "admin" if run.target.credentials.get("admin") else None


def _call(run: CheckRun, op: Operation, path_values: dict[str, Any] | None = None, **kwargs: Any) -> Exchange:
    return run.call(op, path_values, credential=_credential(run, op) or "default", **kwargs)


def _body(run: CheckRun, op: Operation) -> dict[str, Any]:
    """A valid body for `op`: the fixture body of its resource (the page's example, references pointed at the
    suite's own records), cut to what the operation takes. Flags start false (the stage example sets both
    is_won and is_lost, which no stage can be) and a colour is #rrggbb."""
    properties = _properties(op)
    draft = run.fixtures.body(op.resource) if op.action in ("create", "update") else None
    start = draft if draft is not None else request_example(op) or {}
    out = {k: v for k, v in start.items() if k in properties}
    for name, prop in properties.items():
        if "boolean" in declared_types(prop) and name in out:
            out[name] = False
        if name == "color":
            out[name] = COLOUR
    return out


def _create_own(run: CheckRun, resource: str, **overrides: Any) -> Created | None:
    """A record of the suite's own: through the fixtures where they make it, else (lookup data the API lets a
    client add to, such as stages) created here and adopted, so the clean-up deletes it. None when the suite
    could not make one: the part of a check that needs it is then not exercised (raising would skip the whole
    check and hide what it already found)."""
    if run.fixtures.creatable(resource) is not None:
        try:
            return create_record(run, resource, **overrides)
        except FixtureUnavailable:
            return None
    op = run.api.find(resource, "create")
    if op is None or op.path_params or _credential(run, op) is None:
        return None
    exchange = _call(run, op, json_body={**_body(run, op), **overrides})
    made: Created | None = run.fixtures.adopt(op, exchange)
    return made


def _stages(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    exchange, stages = list_items(run, op_of(run, "stages", "collection"))
    return exchange, [s for s in stages if s.get("id") is not None]


def _open_stages(run: CheckRun) -> list[dict[str, Any]]:
    return [s for s in _stages(run)[1] if not s.get("is_won") and not s.get("is_lost")]


def _other_record(run: CheckRun, resource: str, current: Any) -> Any:
    """Another record a reference may point at: a new one of the suite's own, or an open stage; None when the
    suite knows no other (users: no endpoint lists them)."""
    if run.fixtures.creatable(resource) is not None:
        made = run.fixtures.create(resource)
        return made.id if made is not None else None
    if resource == "stages":
        return next((s["id"] for s in _open_stages(run) if s["id"] != current), None)
    return None


def _fresh(run: CheckRun, op: Operation, field: str, prop: dict[str, Any], current: Any) -> Any:
    """A valid value for `field` that differs from `current`; None when the suite cannot make one."""
    ref = _references(run, op.resource).get(field)
    if ref is not None:
        return _other_record(run, ref.resource, current)
    kinds = declared_types(prop)
    if prop.get("enum"):
        return next((v for v in prop["enum"] if v is not None and v != current), None)
    if "boolean" in kinds:
        return not bool(current)
    if "integer" in kinds:
        low, high = int(prop.get("minimum", 0)), int(prop.get("maximum", 1000))
        middle = (low + high) // 2 + 7
        return middle if middle != current else middle - 1
    if "number" in kinds:
        return round((number(current) or 0.0) + 1234.5, 2)
    if prop.get("format") == "date":
        return "2027-06-30" if current != "2027-06-30" else "2027-07-01"
    if field == "color":
        return "#2ea043" if current != "#2ea043" else "#d29922"
    text = f"crmconf-{run.fixtures.tag}-{run.fixtures.counter}-{field}"
    run.fixtures.counter += 1
    return text[: int(prop.get("maxLength", 255))]


@dataclass
class _Target:
    """Where a probe of a write goes: its path, a valid body, and the record (or parent) it concerns."""

    op: Operation
    path: dict[str, Any]
    body: dict[str, Any]
    record_id: Any = None
    parent_id: Any = None


def _target(run: CheckRun, op: Operation) -> _Target | None:
    """A path of the suite's own and a valid body for a write (None: the suite cannot make the record, or holds
    no credential the operation allows)."""
    if _credential(run, op) is None:
        return None
    body_ = _body(run, op)
    if op.action == "create":
        parent_id = run.fixtures.parent_of(op.resource) if op.path_params else None
        if op.path_params and parent_id is None:
            return None
        return _Target(op, fill_path(run, op, None, parent_id), body_, None, parent_id)
    if not op.path_params:
        return _Target(op, {}, body_)
    made = _create_own(run, op.resource)
    if made is None:
        return None
    if op.action == "move_stage":
        body_["stage_id"] = _other_record(run, "stages", made.record.get("stage_id"))
    return _Target(op, fill_path(run, op, made.id, made.parent_id), body_, made.id, made.parent_id)


def _send(run: CheckRun, target: _Target, json_body: Any) -> Exchange:
    """One write to a target; a create the server accepted is the suite's own from then on."""
    exchange = _call(run, target.op, target.path, json_body=json_body)
    if target.op.action == "create":
        run.fixtures.adopt(target.op, exchange, target.parent_id)
    return exchange


def _record_of(run: CheckRun, op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    found = normalise.record(run.dialect, op, body(exchange)) if _succeeded(exchange) else None
    return found if isinstance(found, dict) else None


def _collection(run: CheckRun, resource: str, parent_id: Any) -> tuple[Exchange | None, list[dict[str, Any]] | None]:
    """Every record of a resource read as a whole (stages; a deal's tasks): None when it cannot be read."""
    op = run.api.find(resource, "collection")
    if op is None:
        return None, None
    exchange = _call(run, op, fill_path(run, op, None, parent_id))
    found = normalise.record(run.dialect, op, body(exchange)) if exchange.status == 200 else None
    return exchange, [i for i in found if isinstance(i, dict)] if isinstance(found, list) else None


def _reread(run: CheckRun, resource: str, record_id: Any, parent_id: Any = None) -> tuple[Exchange | None,
                                                                                          dict[str, Any] | None]:
    """A record as the API shows it now: by its read, else in its collection (None: not found)."""
    read = run.api.find(resource, "read")
    if read is not None and len(read.path_params) == 1:
        return read_record(run, resource, record_id)
    exchange, records = _collection(run, resource, parent_id)
    found = next((r for r in records or [] if str(r.get("id")) == str(record_id)), None)
    return exchange, found


def _board_op(run: CheckRun) -> Operation:
    return op_of(run, "deals", "pipeline")


def _board(run: CheckRun, params: dict[str, Any]) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """The Kanban board's columns, each with its list of deals; None when the answer holds no such columns
    (001 shows no response: the column shape is the document's design)."""
    exchange = _call(run, _board_op(run), params=params)
    return exchange, _columns(run, exchange)


def _columns(run: CheckRun, exchange: Exchange) -> list[dict[str, Any]] | None:
    found = normalise.record(run.dialect, _board_op(run), body(exchange)) if exchange.status == 200 else None
    if not isinstance(found, list) or not all(isinstance(c, dict) and isinstance(c.get(BOARD_DEALS), list)
                                              for c in found):
        return None
    return [{**c, BOARD_DEALS: [d for d in c[BOARD_DEALS] if isinstance(d, dict)]} for c in found]


# ------------------------------------------------------------------------------------------ SEM-001..005
@scenario("SEM-001", "semantics", "Moving a deal's stage changes its stage", "MUST",
          "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage' {stage_id}: the deal reads back in "
          "the new stage and sits in that stage's group of GET /deals/pipeline")
def ro_stage_move(run: CheckRun) -> None:
    """Reports about: nothing more than the operation: the read-back on GET /deals/{id}, the board on GET
    /deals/pipeline."""
    _, stages = _stages(run)
    if len(stages) < 2:
        run.skip("fewer than two stages")
    deal = create_record(run, "deals", stage_id=stages[0]["id"])
    target = stages[1]
    move = op_of(run, "deals", "move_stage")
    exchange = _call(run, move, fill_path(run, move, deal.id), json_body={"stage_id": target["id"]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"moving to stage {target['id']} answered {exchange.status}"):
        return
    read, record = read_record(run, "deals", deal.id)
    run.expect(record is not None and record.get("stage_id") == target["id"], read,
               f"after the move the deal's stage_id is {record.get('stage_id') if record else None!r}")
    board, columns = _board(run, {"scope": "company"})
    if columns is None:
        run.fail(board, "the board (GET /deals/pipeline) has no columns to look the deal up in", level=DESIGNED)
        return
    holding = [c.get("stage_id") for c in columns if str(deal.id) in _board_ids([c])]
    run.expect(holding == [target["id"]], board, f"after the move to stage {target['id']} the board shows deal "
               f"{deal.id} under {holding or 'no stage'}")


@scenario("SEM-002", "semantics", "A moved deal's stage name and won/lost flags follow the stage", "SHOULD",
          "001 deal fields stage_name, is_won, is_lost; stage list is_won/is_lost (the pages imply, not state, it)")
def ro_stage_flags(run: CheckRun) -> None:
    """Reports about: field stage_name, or case flags."""
    _, stages = _stages(run)
    closing = [next((s for s in stages if s.get(flag) is True), None) for flag in ("is_won", "is_lost")]
    if not any(closing):
        run.skip("no won or lost stage")
    move = op_of(run, "deals", "move_stage")
    for stage in (s for s in closing if s is not None):
        deal = _create_own(run, "deals", stage_id=stages[0]["id"])
        if deal is None:
            continue
        _call(run, move, fill_path(run, move, deal.id), json_body={"stage_id": stage["id"]})
        read, record = read_record(run, "deals", deal.id)
        if record is None:
            run.fail(read, "cannot read the moved deal")
            continue
        run.expect(record.get("stage_name") == stage.get("name"), read, f"stage_name {record.get('stage_name')!r}, "
                   f"the stage is {stage.get('name')!r}", about={"field": "stage_name"})
        flags = (record.get("is_won"), record.get("is_lost"))
        wanted = (stage.get("is_won") is True, stage.get("is_lost") is True and stage.get("is_won") is not True)
        run.expect(flags == wanted, read, f"a deal in stage {stage.get('name')!r} has is_won={flags[0]!r}, "
                   f"is_lost={flags[1]!r}", about={"case": "flags"})


def _deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return list_items(run, op_of(run, "deals", "list"), per_page=100, scope="company")


def _open(deal: Mapping[str, Any]) -> bool:
    return not deal.get("is_won") and not deal.get("is_lost")


def _judge_risk(run: CheckRun, exchange: Exchange, deal: Mapping[str, Any]) -> None:
    """RO7/RO21 on one open deal: an object with a string level, a numeric score and labelled factors."""
    risk, name = deal.get("risk"), f"open deal {deal.get('id')}"
    if not run.expect(isinstance(risk, dict), exchange, f"{name} has risk {risk!r}", about={"field": "risk"}):
        return
    assert isinstance(risk, dict)
    run.expect(isinstance(risk.get("risk_level"), str), exchange, f"{name}: risk_level {risk.get('risk_level')!r}",
               about={"field": "risk_level"})
    run.expect(number(risk.get("risk_score")) is not None, exchange, f"{name}: risk_score {risk.get('risk_score')!r}",
               about={"field": "risk_score"})
    factors = risk.get("risk_factors", [])
    if not run.expect(isinstance(factors, list), exchange, f"{name}: risk_factors {factors!r}",
                      about={"field": "risk_factors"}):
        return
    for factor in factors:
        factor = factor if isinstance(factor, dict) else {"label": factor}
        run.expect(isinstance(factor.get("label"), str), exchange, f"{name}: risk factor {factor!r} has no label",
                   about={"field": "risk_factors"})
        if factor.get("detail") is not None:
            run.expect(isinstance(factor["detail"], str), exchange, f"{name}: detail {factor['detail']!r}",
                       about={"field": "detail"})
        weight = factor.get("weight")
        if weight is not None:
            run.expect(number(weight) is not None or isinstance(weight, str) and _numeric(weight), exchange,
                       f"{name}: weight {weight!r} is neither a number nor a numeric string", about={"field": "weight"})


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@scenario("SEM-003", "semantics", "Open deals carry a risk score", "MUST",
          "001 GET /deals 'Includes risk scoring for open deals'; GET /deals/{id} 'with full details including "
          "risk score'; GET /deals/pipeline 'Includes risk scoring' (RO7: required on open deals, a string level, "
          "a numeric score, weights numbers or numeric strings; RO21: factors have a label)")
def ro_risk_on_open(run: CheckRun) -> None:
    """Reports about: field risk, risk_level, risk_score, risk_factors, detail or weight."""
    exchange, deals = _deals(run)
    for deal in (d for d in deals if _open(d)):
        _judge_risk(run, exchange, deal)
    own = _create_own(run, "deals", stage_id=(_open_stages(run) or [{"id": None}])[0]["id"])
    read, record = read_record(run, "deals", own.id) if own is not None else (None, None)
    if read is not None and record is not None and _open(record):
        _judge_risk(run, read, record)
    board, columns = _board(run, {"scope": "company"})
    for deal in (d for column in columns or [] for d in column[BOARD_DEALS] if _open(d)):
        _judge_risk(run, board, deal)


@scenario("SEM-004", "semantics", "Won and lost deals carry no risk; levels, scores and weights are as shown", "SHOULD",
          "001 'risk scoring for open deals' (RO7: null/absent on won/lost; level in {low, medium, high, critical}, "
          "score 0-100 and weight a number, as warnings)")
def ro_risk_closed(run: CheckRun) -> None:
    """Reports about: field risk, risk_level, risk_score or weight."""
    exchange, deals = _deals(run)
    for deal in deals:
        risk = deal.get("risk")
        if not _open(deal):
            run.expect(risk is None, exchange, f"closed deal {deal.get('id')} carries risk {risk!r}",
                       about={"field": "risk"})
        elif isinstance(risk, dict):
            run.expect(risk.get("risk_level") in ("low", "medium", "high", "critical"), exchange,
                       f"deal {deal.get('id')}: risk_level {risk.get('risk_level')!r}", about={"field": "risk_level"})
            score = number(risk.get("risk_score"))
            run.expect(score is not None and 0 <= score <= 100, exchange,
                       f"deal {deal.get('id')}: risk_score {risk.get('risk_score')!r} outside 0-100",
                       about={"field": "risk_score"})
            for factor in (f for f in risk.get("risk_factors") or [] if isinstance(f, dict) and "weight" in f):
                run.expect(number(factor["weight"]) is not None, exchange,
                           f"deal {deal.get('id')}: weight {factor['weight']!r} is not a JSON number",
                           about={"field": "weight"})


@scenario("SEM-005", "semantics", "Stages come in display order", "SHOULD",
          "001 GET /deals/stages 'Retrieve all pipeline stages with display order' (ordering implied, not stated)")
def ro_stage_order(run: CheckRun) -> None:
    """Reports about: nothing more than the operation."""
    exchange, stages = list_items(run, op_of(run, "stages", "collection"))
    orders = [s.get("display_order") for s in stages]
    run.expect(orders == sorted(o for o in orders if isinstance(o, int)) and None not in orders, exchange,
               f"display_order comes back as {orders}")


# ------------------------------------------------------------------------------------------ validation
def _succeeded(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


def _refused(run: CheckRun, exchange: Exchange, about: Mapping[str, str], what: str, name_field: bool = True) -> None:
    """RO2: the validation status (422, or 400) and, where the API's field errors are judged, errors that name
    the field the about names."""
    accepted = run.dialect.errors.accepted("validation")
    if not run.expect(exchange.status in accepted, exchange, f"{what}: answered {exchange.status}, expected "
                      f"{' or '.join(map(str, accepted))}", about=about):
        return
    field = about.get("field")
    if field is None or not name_field or not run.dialect.errors.field_errors_judged:
        return
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or k.split(".")[0] == field for k in errors)
    run.expect(named, exchange, f"{what}: the field errors do not name {field!r}: {errors!r}", about=about)


def _multipart(op: Operation) -> bool:
    return "multipart/form-data" in ((op.raw.get("requestBody") or {}).get("content") or {})


@scenario("SEM-006", "validation", "A write beside POST /deals refuses a body without a field its page requires",
          "MUST", "001 request bodies 'Required': PUT /deals/{id} stage_id, PUT /deals/{id}/stage stage_id, "
          "primary-quote quote_id, notes content, tasks title, pipeline-stages name, reorder order; RO20 an import "
          "without a file (4xx, 422 or 400); RO2 422 or 400 with errors naming the field")
def ro_required_fields(run: CheckRun) -> None:
    """Reports about: field."""
    for op in _named(run):
        fields = list(_kinds(run, op))
        if _multipart(op):
            if _credential(run, op) is None:
                continue
            exchange = run.target.send(op.method.upper(), op.path, operation=str(op), credential=_credential(run, op),
                                       files={"comment": (None, "crmconf: no file part")})
            for field in fields:
                _refused(run, exchange, {"field": field}, f"{op} without a {field} part", name_field=False)
            continue
        target = _target(run, op) if fields else None
        for field in fields if target is not None else ():
            assert target is not None
            exchange = _send(run, target, {k: v for k, v in target.body.items() if k != field})
            _refused(run, exchange, {"field": field}, f"{op} without {field}")


def _kind_of(prop: Mapping[str, Any], value: Any) -> str:
    """What an invalid value breaks: the enum, the range, the format, or the type."""
    if prop.get("enum") and isinstance(value, str):
        return "enum"
    if number(value) is not None:
        return "range"
    if prop.get("format") in ("date", "date-time") and isinstance(value, str):
        return "format"
    return "type"


def _absent(run: CheckRun, resource: str) -> Any:
    """An id the target proved it has no record of: its read answers not found, or its collection lacks it."""
    if run.api.find(resource, "read") is not None:
        return run.fixtures.absent_id(resource)
    _, records = _collection(run, resource, None)
    return ABSENT_ID if records is not None and ABSENT_ID not in [r.get("id") for r in records] else None


def _forbidden(run: CheckRun, op: Operation, field: str, prop: dict[str, Any],
               wanted: set[str] | None) -> list[tuple[str, str, Any]]:
    """(kind, what, value) for the values of the kinds wanted that the page forbids a field: VAL-010's, an empty
    text where a text is required to hold something, an id that names no record where the field is a reference."""
    out = [(_kind_of(prop, value), what, value) for what, value in invalid_values(prop)]
    if "string" in declared_types(prop) and int(prop.get("minLength", 0)) >= 1:
        out.append(("empty", "an empty text", ""))
    ref = _references(run, op.resource).get(field)
    if ref is not None and _wanted(wanted, "dangling"):
        absent = _absent(run, ref.resource)
        if absent is not None:
            out.append(("dangling", f"an id no {ref.resource} record has", absent))
    return [probe for probe in out if _wanted(wanted, probe[0])]


@scenario("SEM-007", "validation", "A write beside POST /deals refuses a value its page forbids, naming the field",
          "MUST", "001 request bodies' types, the task priority 'Values: low, medium, high', probability '(0-100)', "
          "dates 'YYYY-MM-DD' (X3), on PUT /deals/{id}, PUT /deals/{id}/stage, primary-quote, notes, tasks and "
          "pipeline stages; on POST /deals only what VAL-010 does not send (an empty name, a stage that does not "
          "exist); RO2 422 or 400 with errors naming the field")
def ro_forbidden_values(run: CheckRun) -> None:
    """Reports about: field, kind (type, enum, range, format, empty or dangling)."""
    for op in _named(run):
        kinds, properties = _kinds(run, op), _properties(op)
        probes = [(field, probe) for field, wanted in kinds.items() if field in properties
                  for probe in _forbidden(run, op, field, properties[field], wanted)]
        target = _target(run, op) if probes else None
        for field, (kind, what, value) in probes if target is not None else ():
            assert target is not None
            exchange = _send(run, target, {**target.body, field: value})
            _refused(run, exchange, {"field": field, "kind": kind}, f"{op} with {field} as {what}")


def _allowed(run: CheckRun, target: _Target, field: str, prop: dict[str, Any]) -> list[tuple[str, Any]]:
    """(kind, value) for values the page allows a field: null where it is nullable, its numeric bounds, the
    path's own parent id for a body field that duplicates the path (RO15)."""
    out: list[tuple[str, Any]] = [("null", None)] if "null" in declared_types(prop) else []
    out += [("bound", value) for _, value in bound_values(prop) if number(value) is not None]
    resource = run.dialect.resources.get(target.op.resource)
    if resource is not None and resource.parent is not None and resource.parent.field == field:
        out.append(("path", target.parent_id))
    return out


def _written_id(run: CheckRun, target: _Target, exchange: Exchange) -> Any:
    if target.op.action != "create":
        return target.record_id
    return normalise.record_id(run.dialect, target.op, _record_of(run, target.op, exchange))


@scenario("SEM-008", "validation", "A write accepts what its page allows: null for a nullable field, a number at its "
          "bound, one field alone, the path's own deal id", "MUST",
          "001 deal body 'Nullable' (partner_id, reseller_id, reseller_contact_id: X2 read back null or absent), "
          "probability '(0-100)' inclusive, pipeline-stage PUT fields all Optional (fields not sent keep their "
          "values), RO15 a task body deal_id equal to the path")
def ro_allowed_values(run: CheckRun) -> None:
    """Reports about: field, kind (null, bound, path, alone, kept)."""
    for op in _named(run):
        kinds, properties = _kinds(run, op), _properties(op)
        lone = {a.get("kind") for a in _abouts(run, op) if "field" not in a}
        if not kinds and not lone:
            continue
        target = _target(run, op)
        if target is None:
            continue
        for field, wanted in kinds.items():
            for kind, value in _allowed(run, target, field, properties.get(field, {})):
                if not _wanted(wanted, kind):
                    continue
                about = {"field": field, "kind": kind}
                exchange = _send(run, target, {**target.body, field: value})
                if not run.expect(_succeeded(exchange), exchange, f"{op} with {field} = {value!r} ({kind}) answered "
                                  f"{exchange.status}", about=about) or kind != "null":
                    continue
                read, record = _reread(run, op.resource, _written_id(run, target, exchange), target.parent_id)
                if record is not None:
                    run.expect(record.get(field) is None, read, f"{field} was sent as null, reads back as "
                               f"{record.get(field)!r}", about=about, operation=op)
        if lone & {"alone", "kept"} and target.record_id is not None:
            _lone_fields(run, target, properties)


def _lone_fields(run: CheckRun, target: _Target, properties: dict[str, dict[str, Any]]) -> None:
    """Each field sent alone is accepted, and leaves the record's other fields as they were. A flag goes alone as
    false: two flags true at once (is_won and is_lost) would contradict each other."""
    op = target.op
    for field, prop in properties.items():
        value = False if "boolean" in declared_types(prop) else _fresh(run, op, field, prop, target.body.get(field))
        if value is None:
            continue
        _, before = _reread(run, op.resource, target.record_id, target.parent_id)
        exchange = _send(run, target, {field: value})
        if not run.expect(_succeeded(exchange), exchange, f"{op} sending {field} alone answered {exchange.status}",
                          about={"field": field, "kind": "alone"}) or before is None:
            continue
        read, after = _reread(run, op.resource, target.record_id, target.parent_id)
        if after is None:
            continue
        moved = sorted(k for k, v in before.items() if k != field and not k.endswith("_at") and after.get(k) != v)
        run.expect(not moved, read, f"sending {field} alone changed {', '.join(moved)}",
                   about={"field": field, "kind": "kept"}, operation=op)


# ------------------------------------------------------------------------------------------ read back
def _writes(run: CheckRun, target: _Target, fields: set[str],
            properties: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The bodies a read-back check writes: the valid body (an update's with a new value in every field), then
    once more for every other value of each enum and flag field, one field at a time."""
    first = dict(target.body)
    for field in sorted(fields) if target.op.action != "create" else ():
        prop = properties.get(field)
        if prop is None or prop.get("enum") or "boolean" in declared_types(prop):
            continue
        value = _fresh(run, target.op, field, prop, first.get(field))
        if value is not None:
            first[field] = value
    yield first
    for field in sorted(fields):
        prop = properties.get(field, {})
        others = [not bool(first.get(field))] if "boolean" in declared_types(prop) else \
            [v for v in prop.get("enum") or [] if v is not None and v != first.get(field)]
        for value in others:
            yield {**first, field: value}


def _judge_names(run: CheckRun, op: Operation, read: Exchange | None, record: Mapping[str, Any], ref: Reference,
                 value: Any) -> None:
    """A deal's display names (contact_name, stage_name, ...) name the records its ids point at."""
    shown = {name: source for name, source in ref.names.items() if source == "name" and name in record}
    if not shown or value is None:
        return
    _, pointed = _reread(run, ref.resource, value)
    if pointed is None:
        return
    for name, source in shown.items():
        run.expect(record[name] == pointed.get(source), read, f"{name} is {record[name]!r}, the {ref.resource} record "
                   f"{value} is named {pointed.get(source)!r}", about={"field": ref.field}, operation=op)


@scenario("SEM-009", "lifecycle", "Each documented field a deal update, a deal task or a stage write sends reads back "
          "as sent", "MUST", "001 request bodies of PUT /deals/{id}, POST and PUT /deals/{id}/tasks, POST and PUT "
          "/pipeline-stages (every priority value, every flag): GET /deals/{id}, GET /deals/{id}/tasks and GET "
          "/deals/stages show what was written (X5 money within 0.005, X3 dates, X2: a field the server leaves out "
          "is not judged); a deal's display names name the records its ids point at")
def ro_writes_read_back(run: CheckRun) -> None:
    """Reports about: field (reported on the write)."""
    for op in _named(run):
        fields = set(_kinds(run, op))
        target = _target(run, op) if fields and op.action in ("create", "update") else None
        if target is None:
            continue
        properties, references = _properties(op), _references(run, op.resource)
        for sent in list(_writes(run, target, fields, properties)):
            exchange = _send(run, target, sent)
            if not run.expect(_succeeded(exchange), exchange, f"a valid {op} answered {exchange.status}"):
                continue
            read, record = _reread(run, op.resource, _written_id(run, target, exchange), target.parent_id)
            if record is None:
                run.fail(read or exchange, f"the record {op} wrote cannot be read back", operation=op, level=DESIGNED)
                continue
            for field in sorted(fields & set(sent)):
                if field in record:
                    run.expect(reads_back_as_sent(sent[field], record[field]), read, f"{field} was written as "
                               f"{sent[field]!r}, reads back as {record[field]!r}", about={"field": field},
                               operation=op)
                if field in references:
                    _judge_names(run, op, read, record, references[field], sent[field])


# ------------------------------------------------------------------------------------------ lifecycles
def _listed(records: list[dict[str, Any]] | None, record_id: Any) -> bool:
    return str(record_id) in [str(r.get("id")) for r in records or []]


def _not_found(run: CheckRun, exchange: Exchange, what: str, case: str) -> None:
    accepted = run.dialect.errors.accepted("not_found")
    run.expect(exchange.status in accepted, exchange, f"{what} answered {exchange.status}, expected "
               f"{' or '.join(map(str, accepted))}", about={"case": case})


def _judge_gone(run: CheckRun, drop: Operation, record_id: Any, parent_id: Any, good: dict[str, Any],
                case: str) -> None:
    """A deleted record (a deal's task, a stage) is gone from its collection, and an update or a second delete
    of it answers not found (000 '404 Not Found')."""
    run.fixtures.forget(drop.resource, record_id)
    after, left = _collection(run, drop.resource, parent_id)
    run.expect(left is not None and not _listed(left, record_id), after, f"the deleted {drop.resource} record "
               f"{record_id} is still listed", about={"case": case}, operation=drop)
    update = op_of(run, drop.resource, "update")
    _not_found(run, _call(run, update, fill_path(run, update, record_id, parent_id), json_body=good),
               f"updating a deleted {drop.resource} record", "absent")
    _not_found(run, _call(run, drop, fill_path(run, drop, record_id, parent_id)),
               f"deleting a deleted {drop.resource} record", "absent")


@scenario("SEM-010", "lifecycle", "A deal's notes and tasks live and die with their writes, and belong to their deal",
          "MUST", "001 POST/DELETE /deals/{id}/notes(/{noteId}), GET/POST /deals/{id}/tasks, PUT/DELETE "
          "/deals/{id}/tasks/{taskId} (RO15: a task belongs to the path's deal); 000 '404 Not Found' for a note or "
          "task the deal does not have")
def ro_deal_children(run: CheckRun) -> None:
    """Reports about: case note returned, note deleted, note gone, task listed, task deal, task gone, other deal
    or absent."""
    deal, other = create_record(run, "deals"), create_record(run, "deals")
    notes, drop_note = op_of(run, "deal_notes", "create"), op_of(run, "deal_notes", "delete")
    content = f"crmconf-{run.fixtures.tag} note {run.fixtures.counter}"
    made = _call(run, notes, fill_path(run, notes, None, deal.id), json_body={"content": content})
    note = run.fixtures.adopt(notes, made, deal.id)
    if run.expect(note is not None, made, f"adding a note answered {made.status}", about={"case": "note deleted"}):
        assert note is not None
        run.expect(note.record.get("content", content) == content, made, f"the new note's content is "
                   f"{note.record.get('content')!r}, sent {content!r}", about={"case": "note returned"},
                   level=DESIGNED)
        elsewhere = _call(run, drop_note, fill_path(run, drop_note, note.id, other.id))
        _not_found(run, elsewhere, "deleting the note through another deal", "other deal")
        gone = _call(run, drop_note, fill_path(run, drop_note, note.id, deal.id))
        if run.expect(_succeeded(gone) or _succeeded(elsewhere), gone, f"deleting the note answered {gone.status}",
                      about={"case": "note deleted"}):
            run.fixtures.forget("deal_notes", note.id)
            again = _call(run, drop_note, fill_path(run, drop_note, note.id, deal.id))
            _not_found(run, again, "deleting the deleted note again", "note gone")
            _not_found(run, again, "deleting a note that is gone", "absent")
    _deal_tasks(run, deal.id, other.id)


def _deal_tasks(run: CheckRun, deal_id: Any, other_id: Any) -> None:
    update, drop = op_of(run, "deal_tasks", "update"), op_of(run, "deal_tasks", "delete")
    task = _create_own(run, "deal_tasks")
    if task is None:
        return
    if str(task.parent_id) != str(deal_id):
        deal_id, other_id = task.parent_id, deal_id
    listed, tasks = _collection(run, "deal_tasks", deal_id)
    assert listed is not None
    found = next((t for t in tasks or [] if str(t.get("id")) == str(task.id)), None)
    run.expect(found is not None, listed, f"task {task.id} is not among its deal's tasks",
               about={"case": "task listed"})
    if found is not None and "deal_id" in found:
        run.expect(str(found["deal_id"]) == str(deal_id), listed, f"task {task.id} made on deal {deal_id} has deal_id "
                   f"{found['deal_id']!r}", about={"case": "task deal"})
    elsewhere, theirs = _collection(run, "deal_tasks", other_id)
    assert elsewhere is not None
    run.expect(theirs is not None and not _listed(theirs, task.id), elsewhere, f"task {task.id} of deal {deal_id} is "
               f"listed under deal {other_id}", about={"case": "other deal"})
    good = run.fixtures.body("deal_tasks") or {"title": "crmconf task"}
    _not_found(run, _call(run, update, fill_path(run, update, task.id, other_id), json_body=good),
               "updating the task through another deal", "other deal")
    crossed = _call(run, drop, fill_path(run, drop, task.id, other_id))
    _not_found(run, crossed, "deleting the task through another deal", "other deal")
    gone = _call(run, drop, fill_path(run, drop, task.id, deal_id))
    if not _succeeded(gone) and not _succeeded(crossed):
        run.fail(gone, f"deleting the task answered {gone.status}", about={"case": "task gone"})
        return
    _judge_gone(run, drop, task.id, deal_id, good, "task gone")


@scenario("SEM-011", "lifecycle", "A stage the suite adds is listed until it is deleted; a stage deals use is not "
          "deleted; a gone stage answers 404", "MUST",
          "001 POST /pipeline-stages, DELETE /pipeline-stages/{id}, GET /deals/stages 'all pipeline stages' (one "
          "non-paginated list); 000 '404 Not Found'; a stage in use refused (SHOULD: the pages name no conflict); "
          "stage colours #rrggbb as 001 shows them (SHOULD)")
def ro_stage_lifecycle(run: CheckRun) -> None:
    """Reports about: case listed, gone, in use or absent; field color."""
    stage = _create_own(run, "stages")
    if stage is None:
        run.skip("the suite could not add a stage of its own")
    drop = op_of(run, "stages", "delete")
    listed, stages = _stages(run)
    run.expect(_listed(stages, stage.id), listed, f"the new stage {stage.id} is not in GET /deals/stages",
               about={"case": "listed"})
    for each in stages:
        colour = each.get("color")
        run.expect(colour is None or isinstance(colour, str) and bool(HEX_COLOUR.match(colour)), listed,
                   f"stage {each.get('id')} has colour {colour!r}, not #rrggbb", about={"field": "color"})
    deal = _create_own(run, "deals", stage_id=stage.id)
    if deal is None:
        return
    busy = _call(run, drop, fill_path(run, drop, stage.id))
    run.expect(busy.status is not None and 400 <= busy.status < 500, busy, f"deleting a stage deal {deal.id} is in "
               f"answered {busy.status}, expected a 4xx", about={"case": "in use"})
    delete_deal = op_of(run, "deals", "delete")
    if not _succeeded(_call(run, delete_deal, fill_path(run, delete_deal, deal.id))):
        return  # LIF-001 judges a delete that fails; the stage stays in use
    run.fixtures.forget("deals", deal.id)
    gone = busy if _succeeded(busy) else _call(run, drop, fill_path(run, drop, stage.id))
    if not run.expect(_succeeded(gone), gone, f"deleting the stage answered {gone.status}", about={"case": "gone"}):
        return
    _judge_gone(run, drop, stage.id, None, {"name": "crmconf gone"}, "gone")


# ------------------------------------------------------------------------------------------ the board
def _board_ids(columns: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """deal id -> the stage ids of the columns it sits in."""
    found: dict[str, list[Any]] = {}
    for column in columns:
        for deal in column[BOARD_DEALS]:
            found.setdefault(str(deal.get("id")), []).append(column.get("stage_id"))
    return found


def _all_deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """Every deal, when one page of GET /deals (scope=company, RO14) holds them all."""
    op = op_of(run, "deals", "list")
    exchange = _call(run, op, params={run.dialect.pagination.size_param: run.dialect.pagination.max_size,
                                    "scope": "company"})
    payload = body(exchange)
    items = normalise.items(run.dialect, op, payload) if exchange.status == 200 else None
    total = normalise.page_value(run.dialect, op, payload, "total")
    if not isinstance(items, list) or not isinstance(total, int) or total > len(items):
        return exchange, None
    return exchange, [i for i in items if isinstance(i, dict)]


@scenario("SEM-012", "semantics", "The board holds every deal once, under its stage; a deleted deal leaves it; the "
          "statistics add up", "MUST",
          "001 GET /deals/pipeline 'Retrieve deals grouped by pipeline stage for Kanban view' (the column shape is "
          "the document's design); DELETE /deals/{id}; GET /deals/stats 'total value, count' (SHOULD: the keys are "
          "the document's design; X5)")
def ro_board(run: CheckRun) -> None:
    """Reports about: case grouped, deleted or stats."""
    mine = create_record(run, "deals")
    board, columns = _board(run, {"scope": "company"})
    if columns is None:
        run.fail(board, "the board has no columns of deals", level=DESIGNED, about={"case": "grouped"})
        return
    for column in columns:
        for deal in column[BOARD_DEALS]:
            run.expect(deal.get("stage_id") == column.get("stage_id"), board, f"deal {deal.get('id')} of stage "
                       f"{deal.get('stage_id')} sits under stage {column.get('stage_id')}", about={"case": "grouped"})
    placed = _board_ids(columns)
    twice = {k: v for k, v in placed.items() if len(v) > 1}
    run.expect(not twice, board, f"deals on more than one column: {twice}", about={"case": "grouped"})
    listed, deals = _all_deals(run)
    if deals is not None:
        missing = sorted({str(d.get("id")) for d in deals} ^ set(placed))
        run.expect(not missing, board, f"the board and GET /deals disagree on deals {missing[:5]}",
                   about={"case": "grouped"})
    delete = op_of(run, "deals", "delete")
    if _succeeded(_call(run, delete, fill_path(run, delete, mine.id))):
        run.fixtures.forget("deals", mine.id)
        after, left = _board(run, {"scope": "company"})
        run.expect(left is not None and str(mine.id) not in _board_ids(left), after, f"the deleted deal {mine.id} is "
                   "still on the board", about={"case": "deleted"})
    _stats_add_up(run)


def _stats_add_up(run: CheckRun) -> None:
    stats = run.api.find("deals", "stats")
    listed, deals = _all_deals(run)
    if stats is None or deals is None:
        return
    exchange = _call(run, stats)
    figures = _record_of(run, stats, exchange) or {}
    total, count = number(figures.get("total_value")), figures.get("deal_count")
    value = sum(number(d.get("value")) or 0.0 for d in deals)
    run.expect(total is not None and abs(total - value) <= 0.005 and count == len(deals), exchange,
               f"statistics say {figures.get('total_value')!r} over {count!r} deals; GET /deals holds {len(deals)} "
               f"deals worth {value:g}", about={"case": "stats"}, level=DESIGNED)


# ------------------------------------------------------------------------------------------ deal filters
def _caller(run: CheckRun) -> int | None:
    """The caller's user id, as its JWT carries it (the page documents no users endpoint)."""
    claims = _claims(run, "default")
    for key in CALLER_CLAIMS:
        value = claims.get(key)
        if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _filtered(run: CheckRun, op: Operation, params: dict[str, Any]) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """The deals GET /deals (one page of the largest size) or the board answers; RO14: scope is always sent."""
    sent = {"scope": "company", **params}
    if op.action == "list":
        sent.setdefault(run.dialect.pagination.size_param, run.dialect.pagination.max_size)
        exchange = _call(run, op, params=sent)
        items = normalise.items(run.dialect, op, body(exchange)) if exchange.status == 200 else None
        return exchange, [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None
    exchange = _call(run, op, params=sent)
    columns = _columns(run, exchange)
    return exchange, [d for c in columns for d in c[BOARD_DEALS]] if columns is not None else None


def _complete(run: CheckRun, op: Operation, exchange: Exchange, deals: list[dict[str, Any]]) -> bool:
    """Whether an answer holds every deal that matched (the board always does; a page when total fits)."""
    total = normalise.page_value(run.dialect, op, body(exchange), "total") if op.action == "list" else len(deals)
    return isinstance(total, int) and total <= len(deals)


def _date(deal: Mapping[str, Any], field: str) -> str | None:
    value = deal.get(field)
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _judge_dates(run: CheckRun, op: Operation, date_field: str, everything: list[dict[str, Any]], whole: bool) -> None:
    """date_from/date_to applied to the date part of `date_field` (X3): nothing on the wrong side of the bound,
    everything strictly inside it; a deal exactly on the bound is judged apart (inclusive: SHOULD)."""
    field = next(f.default_field for f in op.filters if f.param == "date_from") if date_field == "default" \
        else date_field
    dates = sorted(d for d in (_date(deal, str(field)) for deal in everything) if d is not None)
    if not dates:
        return
    bound = dates[len(dates) // 2]
    for flt in (f for f in op.filters if f.op in ("date_gte", "date_lte")):
        params = {flt.param: bound, **({flt.field_param: date_field} if flt.field_param and date_field != "default"
                                       else {})}
        exchange, got = _filtered(run, op, params)
        about = {"parameter": flt.param, "date_field": date_field}
        if got is None:
            run.fail(exchange, f"filtering by {params} did not answer deals", about=about)
            continue
        returned = {str(d.get("id")) for d in got}
        wrong = [d.get("id") for d in got if _date(d, str(field)) not in (None, bound)
                 and not matches_filter(flt, d, str(field), bound)]
        inside = {str(d.get("id")) for d in everything if _date(d, str(field)) not in (None, bound)
                  and matches_filter(flt, d, str(field), bound)}
        missing = sorted(inside - returned) if whole else []
        run.expect(not wrong and not missing, exchange, f"{params}: deals {wrong[:5]} are on the wrong side of {bound}"
                   if wrong else f"{params} leaves out deals {missing[:5]}, whose {field} is inside the range",
                   about=about)
        on = {str(d.get("id")) for d in everything if _date(d, str(field)) == bound}
        if whole and on and not wrong and not missing:  # the bound is judged where the range is applied at all
            run.expect(on <= returned, exchange, f"{params} leaves out deals {sorted(on - returned)[:5]} dated on "
                       "the bound itself", about={"case": "on the bound"})


def _judge_won(run: CheckRun, op: Operation, value: str, everything: list[dict[str, Any]], whole: bool) -> None:
    exchange, got = _filtered(run, op, {"won": value})
    about = {"parameter": "won", "value": value}
    if got is None:
        run.fail(exchange, f"won={value} did not answer deals", about=about)
        return
    wanted = value == "1"
    wrong = [d.get("id") for d in got if bool(d.get("is_won")) != wanted]
    missing = sorted({str(d.get("id")) for d in everything if bool(d.get("is_won")) == wanted}
                     - {str(d.get("id")) for d in got}) if whole else []
    run.expect(not wrong and not missing, exchange, f"won={value} returns deals {wrong[:5]} whose is_won is not "
               f"{wanted}" if wrong else f"won={value} leaves out deals {missing[:5]}", about=about)


@dataclass
class _People:
    """Two deals of the suite's own, one assigned to the caller and one to another user, found by a word."""

    caller: int
    word: str
    mine: Any
    theirs: Any = None
    other: Any = None


def _people(run: CheckRun) -> _People | None:
    caller = _caller(run)
    if caller is None:
        return None
    word = f"crmconf{run.ctx.options.seed}s{run.fixtures.counter}z"
    mine = _create_own(run, "deals", name=f"{word} mine", assigned_to=caller)
    if mine is None:
        return None
    users = run.dialect.resources.get("users")
    other = next((u.get("id") for u in users.fixtures if u.get("id") != caller), None) if users else None
    theirs = run.fixtures.create("deals", overrides={"name": f"{word} theirs", "assigned_to": other}) \
        if other is not None else None
    return _People(caller, word, mine.id, theirs.id if theirs is not None else None, other)


def _judge_scopes(run: CheckRun, op: Operation, people: _People, values: set[str], cases: set[str]) -> None:
    """scope=me keeps the caller's deals only; scope=company is not narrowed to the caller; me within team within
    company (SHOULD). On GET /deals the suite's two deals are found by their word (search)."""
    narrow = {"search": people.word} if op.action == "list" else {}
    seen: dict[str, set[str]] = {}
    for scope in ("me", "team", "company"):
        exchange, got = _filtered(run, op, {"scope": scope, **narrow})
        about = {"parameter": "scope", "value": scope}
        if got is None:
            run.fail(exchange, f"scope={scope} did not answer deals", about=about)
            return
        seen[scope] = {str(d.get("id")) for d in got}
        if scope == "me" and "me" in values:
            wrong = [d.get("id") for d in got if d.get("assigned_to") != people.caller]
            run.expect(not wrong and str(people.mine) in seen[scope], exchange, f"scope=me returns deals {wrong[:5]} "
                       f"assigned to others" if wrong else f"scope=me leaves out deal {people.mine}, assigned to the "
                       "caller", about=about)
        if scope == "company" and "company" in values:
            ours = {str(people.mine), *([str(people.theirs)] if people.theirs is not None else [])}
            run.expect(ours <= seen[scope], exchange, f"scope=company leaves out deals {sorted(ours - seen[scope])}",
                       about=about)
    if "nested" in cases:
        run.expect(seen["me"] <= seen["team"] <= seen["company"], None, "scope results do not nest: me "
                   f"{len(seen['me'])}, team {len(seen['team'])}, company {len(seen['company'])}",
                   about={"parameter": "scope", "case": "nested"}, operation=op)


def _judge_assignee(run: CheckRun, op: Operation, people: _People) -> None:
    user, expected = (people.other, people.theirs) if people.theirs is not None else (people.caller, people.mine)
    narrow = {"search": people.word} if op.action == "list" else {}
    exchange, got = _filtered(run, op, {"assigned_to": user, **narrow})
    about = {"parameter": "assigned_to"}
    if got is None:
        run.fail(exchange, f"assigned_to={user} did not answer deals", about=about)
        return
    wrong = [d.get("id") for d in got if d.get("assigned_to") != user]
    run.expect(not wrong and str(expected) in {str(d.get("id")) for d in got}, exchange,
               f"assigned_to={user} returns deals {wrong[:5]} assigned to others" if wrong
               else f"assigned_to={user} leaves out deal {expected}", about=about)


@scenario("SEM-013", "pagination", "Deal filters the generic filter check does not reach: won 0 and 1, date_field, "
          "scope, and the board's filters", "MUST",
          "001 GET /deals and GET /deals/pipeline query parameters: won 'Values: 0, 1' (RO17), date_from/date_to "
          "with date_field 'Values: expected_close_date, closed_at, created_at' (default expected_close_date; X3 "
          "the date part), scope 'me, team, company' (RO14: always sent), assigned_to")
def ro_deal_filters(run: CheckRun) -> None:
    """Reports about: parameter, value, date_field; case 'on the bound' (inclusive dates, SHOULD) or 'nested'
    (scopes, SHOULD)."""
    people: _People | None = None
    for op in [*_named(run, "list"), *_named(run, "pipeline")]:
        exchange, everything = _filtered(run, op, {})
        if everything is None:
            run.fail(exchange, f"{op} did not answer deals")
            continue
        whole = _complete(run, op, exchange, everything)
        abouts, parameters = _abouts(run, op), _values(run, op, "parameter")
        for value in sorted(_values(run, op, "value") & {"0", "1"} if "won" in parameters else set()):
            _judge_won(run, op, value, everything, whole)
        date_fields = _values(run, op, "date_field") | ({"default"} if parameters & {"date_from", "date_to"} else set())
        for date_field in (f for f in DATE_FIELDS if f in date_fields):
            _judge_dates(run, op, date_field, everything, whole)
        if not parameters & {"scope", "assigned_to"}:
            continue
        people = people or _people(run)
        if people is None:
            continue
        if "scope" in parameters:
            scopes = {a["value"] for a in abouts if a.get("parameter") == "scope" and "value" in a}
            _judge_scopes(run, op, people, scopes, _values(run, op, "case"))
        if "assigned_to" in parameters:
            _judge_assignee(run, op, people)


# ------------------------------------------------------------------------------------------ list parameters
def _answer(run: CheckRun, op: Operation, params: dict[str, Any]) -> tuple[Exchange, list[Any] | None]:
    return _answer_of(run, op, _call(run, op, params=params))


def _answer_of(run: CheckRun, op: Operation, exchange: Exchange) -> tuple[Exchange, list[Any] | None]:
    """The records a list (or a non-paginated collection) answered, or None."""
    found = normalise.items(run.dialect, op, body(exchange)) if op.action == "list" else \
        normalise.record(run.dialect, op, body(exchange))
    return exchange, found if exchange.status == 200 and isinstance(found, list) else None


def _gist(run: CheckRun, op: Operation, exchange: Exchange) -> Any:
    """What two answers of one list must share: the page reported and the records' ids, in order (a board: each
    column's stage and deal ids). Links and other fields a server may build from the query are left aside."""
    if op.action == "pipeline":
        columns = _columns(run, exchange)
        return [(c.get("stage_id"), ids(run, op, c[BOARD_DEALS])) for c in columns] if columns is not None else None
    _, items = _answer_of(run, op, exchange)
    page = normalise.page_value(run.dialect, op, body(exchange), "page") if op.action == "list" else None
    return (page, ids(run, op, items)) if items is not None else None


def _judge_order(run: CheckRun, op: Operation, params: dict[str, Any], key: str, descending: bool,
                 about: dict[str, str]) -> None:
    """The list comes back ordered by the sort key's field (conformance.ordering: every collation agrees)."""
    assert op.sort is not None
    exchange, items = _answer(run, op, {run.dialect.pagination.size_param: 50, **params})
    if items is None:
        run.fail(exchange, f"{params or 'no parameters'}: did not answer a list", about=about, level=op.sort.level)
        return
    field = op.sort.keys.get(key, key)
    wrong = misplaced([i.get(field) for i in items if isinstance(i, dict)], descending)
    run.expect(wrong is None, exchange, f"{params or 'without sort parameters'}: {field} comes back with "
               f"{wrong[0]!r} before {wrong[1]!r}" if wrong else "", about=about, level=op.sort.level)


def _judge_sorting(run: CheckRun, op: Operation, wanted: set[tuple[str | None, str | None]], keys: set[str]) -> None:
    """The default key and direction (001 sort_by 'default: title', sort_dir 'default: ASC'), and every
    documented key PAG-009 does not sort by (RO8: documented keys only, never `name`)."""
    sort = op.sort
    if sort is None:
        return
    descending = sort.default_direction == "desc"
    if (sort.param, "default") in wanted and sort.default is not None:
        _judge_order(run, op, {}, sort.default, descending, {"parameter": sort.param, "case": "default"})
    if sort.dir_param and (sort.dir_param, "default") in wanted:
        key = next(iter(sort.tested), sort.default)
        if key is not None:
            _judge_order(run, op, {sort.param: key}, key, descending, {"parameter": sort.dir_param, "case": "default"})
    judged = [k for k in sort.tested if k in sort.keys] or [k for k in SORT_PREFERENCE if k in sort.keys][:1]
    for key in (k for k in sort.keys if k in keys and k not in judged):
        for direction in ("asc", "desc"):
            _judge_order(run, op, sort_params(run, op, key, direction), key, direction == "desc",
                         {"parameter": sort.param, "key": key, "direction": direction})


def _query_parameters(op: Operation) -> Iterator[tuple[str, dict[str, Any]]]:
    for parameter in op.raw.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("in") == "query":
            yield str(parameter.get("name")), flatten(dict(parameter.get("schema") or {}))


def _judge_refusals(run: CheckRun, op: Operation, cases: set[str | None]) -> None:
    """A value outside a documented enum, or a date that is not YYYY-MM-DD (X3), is refused (SHOULD)."""
    for name, schema in _query_parameters(op):
        if "outside the enum" in cases and schema.get("enum"):
            exchange = _call(run, op, params={name: "crmconf-not-a-choice"})
            _refused(run, exchange, {"parameter": name, "case": "outside the enum"}, f"{name} outside its values",
                     name_field=False)
        if "not a date" in cases and schema.get("format") == "date":
            exchange = _call(run, op, params={name: "15/01/2026"})
            _refused(run, exchange, {"parameter": name, "case": "not a date"}, f"{name} that is not YYYY-MM-DD",
                     name_field=False)


@scenario("SEM-014", "pagination", "List defaults, every documented sort key, and the query values a list refuses",
          "MUST", "001 GET /deals: page 'Default: 1', per_page 'Max: 100' (accepted), search (no match: an empty "
          "page), sort_by 'default: title' and every documented key (RO8), sort_dir 'default: ASC' (RO9); values "
          "outside an enum or not YYYY-MM-DD refused (SHOULD); X10 an unknown parameter is ignored (SHOULD); the "
          "other lists' default keys (dialects.md 1A, SHOULD)")
def ro_list_parameters(run: CheckRun) -> None:
    """Reports about: parameter, case, key, direction."""
    pag = run.dialect.pagination
    for op in (o for o in run.api.operations if o.method == "get" and not o.path_params and _abouts(run, o)):
        wanted = {(a.get("parameter"), a.get("case")) for a in _abouts(run, op)}
        cases = {case for _, case in wanted}
        if (pag.page_param, "default") in wanted:
            plain, first = _call(run, op), _call(run, op, params={pag.page_param: pag.first_page})
            run.expect(plain.status == 200 and _gist(run, op, plain) == _gist(run, op, first), plain,
                       f"without {pag.page_param} the list differs from {pag.page_param}={pag.first_page}",
                       about={"parameter": pag.page_param, "case": "default"})
        if (pag.size_param, "maximum") in wanted:
            exchange, items = _answer(run, op, {pag.size_param: pag.max_size})
            run.expect(items is not None and len(items) <= pag.max_size, exchange, f"{pag.size_param}="
                       f"{pag.max_size}, the documented maximum, answered {exchange.status}",
                       about={"parameter": pag.size_param, "case": "maximum"})
        if op.search is not None and (op.search.param, "no match") in wanted:
            word = f"crmconf{run.ctx.options.seed}n{run.fixtures.counter}nothing"
            exchange, items = _answer(run, op, {op.search.param: word})
            total = normalise.page_value(run.dialect, op, body(exchange), "total")
            run.expect(items == [] and total in (0, None), exchange, f"searching for {word!r}, which no record holds, "
                       f"answered {exchange.status} with {len(items) if items is not None else 'no'} items, total "
                       f"{total!r}", about={"parameter": op.search.param, "case": "no match"})
        _judge_sorting(run, op, wanted, _values(run, op, "key"))
        _judge_refusals(run, op, cases)
        if "unknown parameter" in cases:
            plain, extra = _call(run, op), _call(run, op, params={"crmconf_unknown": "1"})
            run.expect(extra.status == 200 and _gist(run, op, extra) == _gist(run, op, plain), extra,
                       f"an unknown query parameter changed the answer (status {extra.status})",
                       about={"case": "unknown parameter"})


# ------------------------------------------------------------------------------------------ every answer
def _judged(run: CheckRun, op: Operation) -> bool:
    """Whether a response check judges an operation: the catalogue names it for the check (or, without a
    catalogue, every operation)."""
    catalogue = run.api.requirements
    return catalogue is None or any(r.concerns(str(op)) for r in catalogue.verified_by(run.check.id))


@response("SEM-015", "status", "Successful reads, lists and updates answer 200", "MUST",
          "000 status table '200 Success' (201 is 'Created'); RO5 'Update: 200 with success:true'")
def ro_success_is_200(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: nothing more than the operation (only those the catalogue names for it are judged)."""
    op = in_scope(run, exchange)
    if op is None or op.method not in ("get", "put") or not _succeeded(exchange) or not _judged(run, op):
        return
    run.expect(exchange.status == 200, exchange, f"{op} succeeded with {exchange.status}, expected 200")


def _claims(run: CheckRun, credential: str | None) -> dict[str, Any]:
    """The claims of a named credential that is a JWT (000 'JWT authentication'), read without verifying it:
    the suite only learns from them who it is; empty when the credential is not a JWT."""
    parts = str(run.target.credentials.get(credential or "") or "").split(".")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))) if len(parts) == 3 \
            else {}
    except (ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def _role(run: CheckRun, credential: str | None) -> Any:
    return _claims(run, credential).get(run.dialect.auth.role_claim)


@response("SEM-016", "auth", "A valid credential is never refused: no 401, and no 403 where its role is allowed",
          "MUST", "000 'Include your token in the Authorization header of each request' (401 is 'Invalid or missing "
          "token'); RO13 'Run with an admin token': an admin token is accepted everywhere")
def ro_valid_credential_accepted(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: status 401 or 403."""
    op = in_scope(run, exchange)
    if op is None or not op.secured or not exchange.valid_credential or not _judged(run, op):
        return
    run.expect(exchange.status != 401, exchange, f"a valid {exchange.credential} credential got 401 from {op}",
               about={"status": "401"})
    role = _role(run, exchange.credential)
    if role is not None and (not op.roles or role in op.roles):
        run.expect(exchange.status != 403, exchange, f"a credential of role {role!r}, which {op} allows, got 403",
                   about={"status": "403"})


@response("SEM-017", "envelope", "A record read by id is that record", "MUST",
          "001 GET /deals/{id} 'Retrieve a single deal': data.id is the path id")
def ro_read_is_that_record(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: nothing more than the operation (only those the catalogue names for it are judged)."""
    op = in_scope(run, exchange)
    if op is None or op.action != "read" or exchange.status != 200 or not _judged(run, op):
        return
    own = op.record_param()
    asked = path_value(op, exchange.url, own) if own is not None else None
    record = _record_of(run, op, exchange)
    got = normalise.record_id(run.dialect, op, record) if record is not None else None
    run.expect(asked is not None and str(got) == str(asked), exchange, f"asked for {asked!r}, the answer is record "
               f"{got!r}")


@scenario("SEM-022", "auth", "A token sent without the Bearer scheme is refused with 401", "SHOULD",
          "000/001 'Authorization: Bearer <token> header': the bare token is not that header (judged on the secured "
          "reads without path parameters)")
def ro_bare_token_refused(run: CheckRun) -> None:
    """Reports about: nothing more than the operation."""
    token = run.target.credentials.get("default")
    if run.dialect.auth.scheme != "jwt" or not token:
        run.skip("no bearer --token given")
    for op in (o for o in run.api.operations if o.secured and o.method == "get" and not o.path_params):
        exchange = run.call(op, credential=None, headers={"Authorization": str(token)})
        run.expect(exchange.status == 401, exchange, f"{op} answered {exchange.status} to the token sent without "
                   "'Bearer ', expected 401")


# ------------------------------------------------------------------------------------------ files, quotes
def _csv_header(run: CheckRun) -> list[str]:
    """The import template's columns (001 GET /deals/template), with name and stage_id, which a deal needs."""
    template = run.api.find("deals", "import_template")
    exchange = _call(run, template) if template is not None else None
    first = exchange.body.decode("utf-8", "replace").splitlines()[:1] if exchange and exchange.status == 200 else []
    columns = [c.strip() for c in first[0].split(",")] if first else []
    return columns + [c for c in ("name", "stage_id") if c not in columns]


def _import(run: CheckRun, op: Operation, cases: set[str]) -> None:
    stages = _open_stages(run)
    if not stages:
        return
    word = f"crmconf{run.ctx.options.seed}i{run.fixtures.counter}z"
    run.fixtures.counter += 1
    header = _csv_header(run)
    row = {"name": f"{word} imported", "stage_id": stages[0]["id"]}
    text = ",".join(header) + "\n" + ",".join(str(row.get(c, "")) for c in header) + "\n"
    exchange = run.target.send(op.method.upper(), op.path, operation=str(op), credential=_credential(run, op),
                               files={"file": ("crmconf-deals.csv", text.encode(), "text/csv")})
    listed = op_of(run, "deals", "list")
    found, deals = list_items(run, listed, search=word, scope="company")
    for deal in deals:  # X11: what the import made is the suite's own, deleted at the end
        run.fixtures.created.append(Created("deals", deal.get("id"), deal, found))
    if "import" in cases:
        run.expect(_succeeded(exchange), exchange, f"importing a file in the template's format answered "
                   f"{exchange.status}", about={"case": "import"})
    if "imported" in cases and _succeeded(exchange):
        run.expect(bool(deals), found, f"the imported row ({word}) is not among the deals", about={"case": "imported"})


@scenario("SEM-018", "semantics", "Export and template answer files; an import takes a multipart file whose rows "
          "become deals", "MUST",
          "001 GET /deals/export 'Export deal data', GET /deals/template, POST /deals/import with the file in the "
          "part 'file' (curl -F 'file=@...'); X7 files are exempt from JSON; X11 the suite imports only rows of its "
          "own; 000 quotes 'with PDF export' (SHOULD)")
def ro_files(run: CheckRun) -> None:
    """Reports about: case export, exported, template, import, imported or pdf."""
    for op in (o for o in run.api.operations if _abouts(run, o)):
        cases = _values(run, op, "case")
        if _credential(run, op) is None:
            continue
        if op.action == "import":
            _import(run, op, cases)
            continue
        made = _create_own(run, op.resource) if op.action == "pdf" or "exported" in cases else None
        if made is None and op.path_params:
            continue
        exchange = _call(run, op, fill_path(run, op, made.id) if made is not None and op.path_params else None)
        for case in cases & {"export", "template", "pdf"}:
            run.expect(exchange.status == 200 and bool(exchange.body.strip()), exchange, f"{op} answered "
                       f"{exchange.status} with {len(exchange.body)} bytes", about={"case": case})
        if "pdf" in cases:
            run.expect(exchange.content_type == "application/pdf" and exchange.body.startswith(b"%PDF"), exchange,
                       f"the quote's PDF comes as {exchange.content_type or 'no content type'}",
                       about={"case": "pdf"})
        if "exported" in cases and made is not None and exchange.status == 200:
            name = str(made.record.get("name") or made.exchange.request_body.get("name"))
            run.expect(name in exchange.body.decode("utf-8", "replace"), exchange, f"the export lacks deal {made.id} "
                       f"({name})", about={"case": "exported"})


@scenario("SEM-019", "semantics", "The quote set as a deal's primary quote is stored on the deal", "MUST",
          "001 PUT /deals/{id}/primary-quote 'Set which quote is the primary quote for this deal' {quote_id}; a quote "
          "that does not exist or belongs to another deal is refused (SHOULD)")
def ro_primary_quote(run: CheckRun) -> None:
    """Reports about: case stored or refused."""
    primary = op_of(run, "deals", "set_primary_quote")
    deal = create_record(run, "deals")
    quote = create_record(run, "quotes", deal_id=deal.id)
    exchange = _call(run, primary, fill_path(run, primary, deal.id), json_body={"quote_id": quote.id})
    if run.expect(_succeeded(exchange), exchange, f"setting quote {quote.id} as primary answered {exchange.status}",
                  about={"case": "stored"}):
        read, record = read_record(run, "deals", deal.id)
        if record is not None and "primary_quote_id" in record:
            run.expect(str(record["primary_quote_id"]) == str(quote.id), read, f"primary_quote_id reads "
                       f"{record['primary_quote_id']!r}, set to {quote.id}", about={"case": "stored"})
    other = _create_own(run, "deals")
    for quote_id, what in ((quote.id, "another deal's quote"), (_absent(run, "quotes"), "a quote that does not exist")):
        if quote_id is None or other is None:
            continue
        refused = _call(run, primary, fill_path(run, primary, other.id), json_body={"quote_id": quote_id})
        run.expect(refused.status is not None and 400 <= refused.status < 500, refused, f"setting {what} as primary "
                   f"answered {refused.status}, expected a 4xx", about={"case": "refused"})
