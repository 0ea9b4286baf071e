"""Pagination, sorting, filtering and search: each judged against what the target itself returns."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from conformance import normalise
from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

MAX_WALK_PAGES = 20
SORT_PREFERENCE = ("value", "amount", "deal_amount", "created_at", "title", "name", "deal_name")


def list_operations(run: CheckRun) -> Iterator[Operation]:
    for op in run.api.operations:
        if op.action == "list" and not op.path_params and op.method == "get":
            yield op


def from_pages(op: Operation) -> bool:
    return op.source != "inferred"


def fetch(run: CheckRun, op: Operation, **params: Any) -> tuple[Exchange, list[Any] | None, Any]:
    exchange = run.call(op, params=params)
    payload = body(exchange)
    items = normalise.items(run.dialect, op, payload) if exchange.status == 200 and isinstance(payload, dict) else None
    return exchange, items if isinstance(items, list) else None, payload


def page_params(run: CheckRun, page: int, size: int) -> dict[str, int]:
    pag = run.dialect.pagination
    return {pag.page_param: page, pag.size_param: size}


def ids(run: CheckRun, op: Operation, items: list[Any]) -> list[Any]:
    resource = run.dialect.resources.get(op.resource)
    field = resource.id_field if resource else "id"
    return [i.get(field) for i in items if isinstance(i, dict)]


@scenario("PAG-001", "pagination", "The page size asked for is honoured", "MUST",
          "000 'Use the page and per_page query parameters'; 004 pageSize; 003 per_page (CC4: per_page=20)")
def size_honoured(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        size = 2
        exchange, items, payload = fetch(run, op, **page_params(run, pag.first_page, size))
        if items is None:
            continue
        total = normalise.page_value(run.dialect, op, payload, "total")
        run.expect(len(items) <= size, exchange, f"asked for {size} items, got {len(items)}")
        if isinstance(total, int) and total >= size:
            run.expect(len(items) == size, exchange, f"asked for {size} of {total} items, got {len(items)}")
        reported = normalise.page_value(run.dialect, op, payload, "size")
        if reported is not None:
            run.expect(reported == size, exchange, f"the page reports size {reported!r}, asked for {size}")


@scenario("PAG-002", "pagination", "A page never holds more items than the maximum page size", "MUST",
          "000 'Maximum per_page is 100' (RO11 strict: never more than 100); 004 'max 100' (YS4)",
          dialects=("revorbit", "ysuite"))
def maximum_size(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        for size in (pag.max_size, pag.max_size + 1):
            exchange, items, payload = fetch(run, op, **page_params(run, pag.first_page, size))
            if exchange.status is not None and 400 <= exchange.status < 500 and size > pag.max_size:
                run.observe()  # RO11 / YS4 lenient: rejecting is allowed
                continue
            if items is None:
                continue
            run.expect(len(items) <= pag.max_size, exchange,
                       f"asked for {size}, got {len(items)} items: more than the maximum {pag.max_size}")


@scenario("PAG-003", "pagination", "Pages are disjoint and together cover the whole collection", "MUST",
          "000/003/004 page-based pagination with a total: every record on exactly one page")
def pages_cover(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        first, items, payload = fetch(run, op, **page_params(run, pag.first_page, 5))
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int):
            continue
        size = max(5, math.ceil(total / MAX_WALK_PAGES)) if total else 5
        size = min(size, pag.max_size)
        seen: list[Any] = []
        pages = math.ceil(total / size) if total else 0
        last: Exchange = first
        for number in range(pag.first_page, pag.first_page + min(pages, MAX_WALK_PAGES)):
            last, page_items, _ = fetch(run, op, **page_params(run, number, size))
            if page_items is None:
                run.fail(last, f"page {number} of {pages} did not answer a list")
                break
            seen.extend(ids(run, op, page_items))
        if pages > MAX_WALK_PAGES:
            continue
        duplicates = {i for i in seen if seen.count(i) > 1}
        run.expect(not duplicates, last, f"records on more than one page: {sorted(map(str, duplicates))[:5]}")
        run.expect(len(set(seen)) == total, last,
                   f"walking {pages} pages of {size} gave {len(set(seen))} records, the total says {total}")


@scenario("PAG-004", "pagination", "last_page / total_pages agree with total and the page size", "MUST",
          "000 {last_page, per_page, total}; 003 meta.last_page; 004 total_pages = ceil(total_records/pageSize) (YS4)")
def page_arithmetic(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        envelope = run.dialect.envelope_for(op)
        if not {"last_page", "total_pages"} & set(envelope.page_fields):
            continue
        for size in (3, 7):
            exchange, items, payload = fetch(run, op, **page_params(run, pag.first_page, size))
            total = normalise.page_value(run.dialect, op, payload, "total")
            if items is None or not isinstance(total, int):
                continue
            exact = math.ceil(total / size)
            for key in ("last_page", "total_pages"):
                if key not in envelope.page_fields:
                    continue
                value = normalise.page_value(run.dialect, op, payload, key)
                allowed = {exact, max(exact, 1)}  # an empty collection may report 0 or 1 pages
                run.expect(value in allowed, exchange,
                           f"{envelope.page_fields[key]} is {value!r}; total {total} at size {size} gives {exact}")


@scenario("PAG-005", "pagination", "The response reports the page that was asked for", "MUST",
          "000 current_page; 003 meta.current_page; 004 'current_page = pageIndex + 1' (YS4, zero-based pageIndex)")
def reported_page(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        for offset in (0, 1):
            number = pag.first_page + offset
            exchange, items, payload = fetch(run, op, **page_params(run, number, 2))
            value = normalise.page_value(run.dialect, op, payload, "page")
            optional = not run.dialect.envelope_for(op).page_fields_required
            if items is None or value is None and optional:
                continue
            expected = number - pag.first_page + pag.reported_first_page
            run.expect(value == expected, exchange,
                       f"asked for {pag.page_param}={number}, the response says page {value!r}, expected {expected}")


@scenario("PAG-006", "pagination", "A page past the end is empty (or not found)", "MUST",
          "RO12: 2xx with empty data, or 404 (lenient on which); the same for every page-based API")
def past_the_end(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        _, items, payload = fetch(run, op, **page_params(run, pag.first_page, pag.max_size))
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int):
            continue
        beyond = pag.first_page + math.ceil(total / pag.max_size) + 1
        exchange, after, _ = fetch(run, op, **page_params(run, beyond, pag.max_size))
        if exchange.status in (run.dialect.errors.status("not_found"), 404):
            run.observe()
            continue
        run.expect(after == [], exchange, f"page {beyond} is past the end ({total} records) but holds "
                   f"{len(after) if after is not None else 'no list'} items")


def _default_size(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        exchange, items, payload = fetch(run, op)
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int):
            continue
        expected = min(total, pag.default_size)
        run.expect(len(items) == expected, exchange,
                   f"without {pag.size_param} the page holds {len(items)} items; the default is {pag.default_size}")


@scenario("PAG-007", "pagination", "The default page size is the documented one", "MUST",
          "001 per_page 'Default: 25'; 004 pageSize '(default 10, max 100)'", dialects=("revorbit", "ysuite"))
def default_size(run: CheckRun) -> None:
    _default_size(run)


@scenario("PAG-008", "pagination", "The default page size is 15", "SHOULD",
          "Concord's API docs (dialects.md 1C [D]): per_page defaults to 15; not in the seed page",
          dialects=("concord",))
def default_size_concord(run: CheckRun) -> None:
    _default_size(run)


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def ordered(values: list[Any], descending: bool) -> bool:
    present = [_comparable(v) for v in values if v is not None]
    try:
        if present != sorted(present, reverse=descending):
            return False
    except TypeError:
        return False
    nulls = [i for i, v in enumerate(values) if v is None]
    return not nulls or nulls == list(range(len(nulls))) or nulls == list(range(len(values) - len(nulls), len(values)))


def _sorting(run: CheckRun) -> None:
    for op in list_operations(run):
        sort = op.sort
        if sort is None:
            continue
        key = next((k for k in SORT_PREFERENCE if k in sort.keys), None)
        if key is None:
            continue
        field = sort.keys[key]
        for direction in ("asc", "desc"):
            spelled = sort.directions.get(direction, direction)
            params: dict[str, Any] = {run.dialect.pagination.size_param: 50}
            if sort.dir_param:
                params[sort.param], params[sort.dir_param] = key, spelled
            else:
                params[sort.param] = f"{key}{sort.separator or '|'}{spelled}" if direction == "desc" else key
            exchange, items, _ = fetch(run, op, **params)
            if items is None:
                run.fail(exchange, f"sorting by {key} {spelled} did not answer a list")
                continue
            values = [i.get(field) for i in items if isinstance(i, dict)]
            run.expect(ordered(values, direction == "desc"), exchange,
                       f"sorted by {key} {spelled}, {field} comes back as {values[:8]}...")


@scenario("PAG-009", "pagination", "Lists come back in the order asked for", "MUST",
          "001 sort_by/sort_dir (RO8, RO9: documented keys, upper-case); 003 order=created_at|desc (CC6 strict)",
          dialects=("revorbit", "concord"))
def sorting(run: CheckRun) -> None:
    _sorting(run)


@scenario("PAG-010", "pagination", "Lists come back in the order asked for", "SHOULD",
          "004 sortBy/sortOrder; the allowed sortBy values are undocumented (YS13: ordering is a warning)",
          dialects=("ysuite",))
def sorting_lenient(run: CheckRun) -> None:
    _sorting(run)


def _filters(run: CheckRun, documented: bool) -> None:
    for op in list_operations(run):
        if from_pages(op) != documented:
            continue
        _, everything, _ = fetch(run, op, **{run.dialect.pagination.size_param: 50})
        if not everything:
            continue
        for flt in op.filters:
            if flt.op not in ("eq", "in_csv", "bool01") or flt.field is None or "." in flt.field:
                continue
            sample = next((i.get(flt.field) for i in everything if isinstance(i, dict)
                           and isinstance(i.get(flt.field), str | int | bool)), None)
            if sample is None:
                continue
            sent: Any = ("1" if sample else "0") if flt.op == "bool01" else sample
            exchange, items, _ = fetch(run, op, **{flt.param: sent, run.dialect.pagination.size_param: 50})
            if items is None:
                run.fail(exchange, f"filtering by {flt.param}={sent} did not answer a list")
                continue
            wrong = [i for i in items if isinstance(i, dict) and i.get(flt.field) != sample]
            run.expect(not wrong and bool(items), exchange,
                       f"{flt.param}={sent}: {len(wrong)} of {len(items)} items have another {flt.field}"
                       if items else f"{flt.param}={sent} found nothing, yet a record with it exists")


@scenario("PAG-011", "pagination", "Filters return only (and all visible) matching records", "MUST",
          "the filters each page documents: 001 stage_id, won, assigned_to; 002 status, segment, source, stage; "
          "004 pipeline_id, deal_current_stage, cstid, deal_owner_id")
def filters(run: CheckRun) -> None:
    _filters(run, documented=True)


@scenario("PAG-012", "pagination", "Filters of inferred list operations return matching records", "SHOULD",
          "list operations the pages only name (x-source: inferred): their filters follow the API's conventions")
def filters_inferred(run: CheckRun) -> None:
    _filters(run, documented=False)


@scenario("PAG-013", "pagination", "Search finds a record by a word of its name", "MUST",
          "001 search 'Search term to filter results'; 002 search 'Search name/email'; 003 q (CC6 strict); "
          "004 'Search by deal name or description'")
def search(run: CheckRun) -> None:
    for op in list_operations(run):
        if op.search is None or not from_pages(op):
            continue
        _, everything, _ = fetch(run, op, **{run.dialect.pagination.size_param: 20})
        named = [i for i in everything or [] if isinstance(i, dict) and isinstance(i.get(op.search.fields[0]), str)
                 and i[op.search.fields[0]].split()]
        if not named:
            continue
        record = named[len(named) // 2]
        word = max(record[op.search.fields[0]].split(), key=len)
        exchange, found, _ = fetch(run, op, **{op.search.param: word, run.dialect.pagination.size_param: 100})
        if found is None:
            run.fail(exchange, f"searching for {word!r} did not answer a list")
            continue
        wanted = ids(run, op, [record])[0]
        run.expect(wanted in ids(run, op, found), exchange,
                   f"searching for {word!r} did not find the record {wanted} whose name contains it")
        # a record in which the word appears nowhere cannot match any field, however many are searched
        unrelated = set(ids(run, op, [i for i in everything or [] if isinstance(i, dict)
                                      and word.casefold() not in json.dumps(i, ensure_ascii=False).casefold()]))
        leaked = unrelated & set(ids(run, op, found))
        run.expect(not leaked, exchange, f"searching for {word!r} returned {sorted(map(str, leaked))[:5]}, "
                   "records that do not contain it anywhere")
