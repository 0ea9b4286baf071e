"""SEM-014: list defaults, every documented sort key, and the query values a list refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance import normalise
from conformance.checks._common import body
from conformance.checks.pagination import SORT_PREFERENCE, ids
from conformance.context import CheckRun
from conformance.invariants.revorbit.board import BOARD_DEALS, board_columns
from conformance.invariants.revorbit.catalogue import about_values, abouts_of
from conformance.invariants.revorbit.credentials import call
from conformance.invariants.revorbit.refusals import expect_refused
from conformance.listquery import sort_params
from conformance.ordering import misplaced
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation
from crmspec.schemas import flatten


def _answer(run: CheckRun, op: Operation, params: dict[str, Any]) -> tuple[Exchange, list[Any] | None]:
    return _answer_of(run, op, call(run, op, params=params))


def _answer_of(run: CheckRun, op: Operation, exchange: Exchange) -> tuple[Exchange, list[Any] | None]:
    """The records a list (or a non-paginated collection) answered, or None."""
    found = normalise.items(run.dialect, op, body(exchange)) if op.action == "list" else \
        normalise.record(run.dialect, op, body(exchange))
    return exchange, found if exchange.status == 200 and isinstance(found, list) else None


def _gist(run: CheckRun, op: Operation, exchange: Exchange) -> Any:
    """What two answers of one list must share: the page reported and the records' ids, in order (a board: each
    column's stage and deal ids). Links and other fields a server may build from the query are left aside."""
    if op.action == "pipeline":
        columns = board_columns(run, exchange)
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
            exchange = call(run, op, params={name: "crmconf-not-a-choice"})
            expect_refused(run, exchange, {"parameter": name, "case": "outside the enum"}, f"{name} outside its values",
                     name_field=False)
        if "not a date" in cases and schema.get("format") == "date":
            exchange = call(run, op, params={name: "15/01/2026"})
            expect_refused(run, exchange, {"parameter": name, "case": "not a date"}, f"{name} that is not YYYY-MM-DD",
                     name_field=False)


@scenario("SEM-014", "pagination", "List defaults, every documented sort key, and the query values a list refuses",
          "MUST", "001 GET /deals: page 'Default: 1', per_page 'Max: 100' (accepted), search (no match: an empty "
          "page), sort_by 'default: title' and every documented key (RO8), sort_dir 'default: ASC' (RO9); values "
          "outside an enum or not YYYY-MM-DD refused (SHOULD); X10 an unknown parameter is ignored (SHOULD); the "
          "other lists' default keys (dialects.md 1A, SHOULD)")
def ro_list_parameters(run: CheckRun) -> None:
    """Reports about: parameter, case, key, direction."""
    pag = run.dialect.pagination
    for op in (o for o in run.api.operations if o.method == "get" and not o.path_params and abouts_of(run, o)):
        wanted = {(a.get("parameter"), a.get("case")) for a in abouts_of(run, op)}
        cases = {case for _, case in wanted}
        if (pag.page_param, "default") in wanted:
            plain, first = call(run, op), call(run, op, params={pag.page_param: pag.first_page})
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
        _judge_sorting(run, op, wanted, about_values(run, op, "key"))
        _judge_refusals(run, op, cases)
        if "unknown parameter" in cases:
            plain, extra = call(run, op), call(run, op, params={"crmconf_unknown": "1"})
            run.expect(extra.status == 200 and _gist(run, op, extra) == _gist(run, op, plain), extra,
                       f"an unknown query parameter changed the answer (status {extra.status})",
                       about={"case": "unknown parameter"})
