"""SEM-013: the deal filters the generic filter check does not reach (won, date_field, scope, assigned_to),
on GET /deals and on the board."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance import normalise
from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.invariants.revorbit.board import BOARD_DEALS, board_columns
from conformance.invariants.revorbit.catalogue import about_values, abouts_of, named_operations
from conformance.invariants.revorbit.credentials import call, claims_of
from conformance.invariants.revorbit.records import create_own
from conformance.listquery import matches_filter
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

DATE_FIELDS = ("default", "expected_close_date", "closed_at", "created_at")
CALLER_CLAIMS = ("uid", "user_id", "id", "sub")


def _caller(run: CheckRun) -> int | None:
    """The caller's user id, as its JWT carries it (the page documents no users endpoint)."""
    claims = claims_of(run, "default")
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
        exchange = call(run, op, params=sent)
        items = normalise.items(run.dialect, op, body(exchange)) if exchange.status == 200 else None
        return exchange, [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None
    exchange = call(run, op, params=sent)
    columns = board_columns(run, exchange)
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
    mine = create_own(run, "deals", name=f"{word} mine", assigned_to=caller)
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
    for op in [*named_operations(run, "list"), *named_operations(run, "pipeline")]:
        exchange, everything = _filtered(run, op, {})
        if everything is None:
            run.fail(exchange, f"{op} did not answer deals")
            continue
        whole = _complete(run, op, exchange, everything)
        abouts, parameters = abouts_of(run, op), about_values(run, op, "parameter")
        for value in sorted(about_values(run, op, "value") & {"0", "1"} if "won" in parameters else set()):
            _judge_won(run, op, value, everything, whole)
        date_fields = about_values(run, op, "date_field") | ({"default"} if parameters & {"date_from", "date_to"}
                                                             else set())
        for date_field in (f for f in DATE_FIELDS if f in date_fields):
            _judge_dates(run, op, date_field, everything, whole)
        if not parameters & {"scope", "assigned_to"}:
            continue
        people = people or _people(run)
        if people is None:
            continue
        if "scope" in parameters:
            scopes = {a["value"] for a in abouts if a.get("parameter") == "scope" and "value" in a}
            _judge_scopes(run, op, people, scopes, about_values(run, op, "case"))
        if "assigned_to" in parameters:
            _judge_assignee(run, op, people)
