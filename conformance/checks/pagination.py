"""Pagination, sorting, filtering and search: each judged against what the target itself returns."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any, Literal

from conformance import normalise
from conformance.checks._common import body, in_scope, leaf, pages_by_design_only, paging_level, query_of
from conformance.context import CheckRun
from conformance.listquery import matches_filter, sort_params
from conformance.model import Severity
from conformance.ordering import misplaced
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Filter, Operation

MAX_WALK_PAGES = 20
SORT_PREFERENCE = ("value", "amount", "deal_amount", "created_at", "title", "name", "deal_name")


def list_operations(run: CheckRun) -> Iterator[Operation]:
    for op in run.api.operations:
        if op.action == "list" and not op.path_params and op.method == "get":
            yield op


def filtered_operations(run: CheckRun) -> Iterator[Operation]:
    """Every list, paginated or not (Olympus' deals, 002), that declares filters."""
    for op in run.api.operations:
        if op.action in ("list", "collection") and op.filters and not op.path_params and op.method == "get":
            yield op


def fetch(run: CheckRun, op: Operation, **params: Any) -> tuple[Exchange, list[Any] | None, Any]:
    exchange = run.call(op, params=params)
    payload = body(exchange)
    items = normalise.items(run.dialect, op, payload) if exchange.status == 200 and isinstance(payload, dict) else None
    return exchange, items if isinstance(items, list) else None, payload


def page_params(run: CheckRun, page: int, size: int) -> dict[str, int]:
    pag = run.dialect.pagination
    return {pag.page_param: page, pag.size_param: size}


def stated_level(run: CheckRun, fact: Literal["default_size", "max_size"]) -> Severity:
    """The level at which the pages state the default or the maximum page size (pagination.stated); the check
    is skipped where they state none."""
    stated: Severity | None = run.dialect.pagination.stated.get(fact)
    if stated is None:
        run.skip(f"the pages state no {'default' if fact == 'default_size' else 'maximum'} page size for this API")
    return stated


def ids(run: CheckRun, op: Operation, items: list[Any]) -> list[Any]:
    resource = run.dialect.resources.get(op.resource)
    field = resource.id_field if resource else "id"
    return [i.get(field) for i in items if isinstance(i, dict)]


@scenario("PAG-001", "pagination", "The page size asked for is honoured", "MUST",
          "000 'Use the page and per_page query parameters'; 004 pageSize; 003 per_page (CC4: per_page=20)")
def size_honoured(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        size, level = 2, paging_level(run, op)
        exchange, items, payload = fetch(run, op, **page_params(run, pag.first_page, size))
        if items is None or pages_by_design_only(run, op, payload):
            continue
        total = normalise.page_value(run.dialect, op, payload, "total")
        about = {"parameter": pag.size_param}
        run.expect(len(items) <= size, exchange, f"asked for {size} items, got {len(items)}", level=level,
                   about=about)
        if isinstance(total, int) and total >= size:
            run.expect(len(items) == size, exchange, f"asked for {size} of {total} items, got {len(items)}",
                       level=level, about=about)
        reported = normalise.page_value(run.dialect, op, payload, "size")
        if reported is not None:
            run.expect(reported == size, exchange, f"the page reports size {reported!r}, asked for {size}",
                       level=level, about=about)


@scenario("PAG-002", "pagination", "A page never holds more items than the maximum page size", "MUST",
          "where the pages state a maximum (pagination.stated): 000 'Maximum per_page is 100' (RO11 strict: "
          "never more than 100, clamp or refuse); 004 'max 100' (YS4); not judged where they do not (OC3, CC4)")
def maximum_size(run: CheckRun) -> None:
    pag = run.dialect.pagination
    stated = stated_level(run, "max_size")
    for op in list_operations(run):
        level = paging_level(run, op) or stated
        for size in (pag.max_size, pag.max_size + 1):
            exchange, items, payload = fetch(run, op, **page_params(run, pag.first_page, size))
            if exchange.status is not None and 400 <= exchange.status < 500 and size > pag.max_size:
                run.observe(exchange, {"parameter": pag.size_param})  # RO11 / YS4 lenient: refusing is allowed
                continue
            if items is None:
                continue
            run.expect(len(items) <= pag.max_size, exchange,
                       f"asked for {size}, got {len(items)} items: more than the maximum {pag.max_size}", level=level,
                       about={"parameter": pag.size_param})


@scenario("PAG-003", "pagination", "Pages are disjoint and together cover the whole collection", "MUST",
          "000/003/004 page-based pagination with a total: every record on exactly one page")
def pages_cover(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        level = paging_level(run, op)
        _, items, payload = fetch(run, op, **page_params(run, pag.first_page, 5))
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int) or pages_by_design_only(run, op, payload):
            continue
        size = min(max(5, math.ceil(total / MAX_WALK_PAGES)) if total else 5, pag.max_size)
        first, page_items, _ = fetch(run, op, **page_params(run, pag.first_page, size))
        if page_items is None:
            continue
        if total > len(page_items) and 0 < len(page_items) < size:
            size = len(page_items)  # the server clamps the page size (RO11 allows it): walk its pages
        pages = math.ceil(total / size) if total else 0
        if pages > MAX_WALK_PAGES:
            continue
        seen: list[Any] = ids(run, op, page_items)
        last: Exchange = first
        for number in range(pag.first_page + 1, pag.first_page + pages):
            last, page_items, _ = fetch(run, op, **page_params(run, number, size))
            if page_items is None:
                run.fail(last, f"page {number} of {pages} did not answer a list", level=level,
                         about={"parameter": pag.page_param})
                break
            seen.extend(ids(run, op, page_items))
        duplicates = {i for i in seen if seen.count(i) > 1}
        about = {"parameter": pag.page_param}
        run.expect(not duplicates, last, f"records on more than one page: {sorted(map(str, duplicates))[:5]}",
                   level=level, about=about)
        run.expect(len(set(seen)) == total, last,
                   f"walking {pages} pages of {size} gave {len(set(seen))} records, the total says {total}",
                   level=level, about=about)


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
                           f"{envelope.page_fields[key]} is {value!r}; total {total} at size {size} gives {exact}",
                           level=paging_level(run, op), about={"field": leaf(envelope.page_fields[key])})


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
            if items is None or value is None and optional or pages_by_design_only(run, op, payload):
                continue
            expected = number - pag.first_page + pag.reported_first_page
            run.expect(value == expected, exchange,
                       f"asked for {pag.page_param}={number}, the response says page {value!r}, expected {expected}",
                       level=paging_level(run, op), about={"parameter": pag.page_param})


@scenario("PAG-006", "pagination", "A page past the end is empty (or not found)", "MUST",
          "RO12: 2xx with empty data, or 404 (lenient on which); the same for every page-based API")
def past_the_end(run: CheckRun) -> None:
    pag = run.dialect.pagination
    for op in list_operations(run):
        _, items, payload = fetch(run, op, **page_params(run, pag.first_page, 1))
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int) or pages_by_design_only(run, op, payload):
            continue
        beyond = pag.first_page + total + 1  # past the end at any page size a server may clamp to
        exchange, after, _ = fetch(run, op, **page_params(run, beyond, 1))
        about = {"parameter": pag.page_param}
        if exchange.status in (*run.dialect.errors.accepted("not_found"), 404):
            run.observe(exchange, about)
            continue
        run.expect(after == [], exchange, f"page {beyond} is past the end ({total} records) but holds "
                   f"{len(after) if after is not None else 'no list'} items", level=paging_level(run, op),
                   about=about)


@scenario("PAG-007", "pagination", "The default page size is the documented one", "MUST",
          "where the pages state it (pagination.stated): 001 per_page 'Default: 25'; 004 pageSize '(default 10, "
          "max 100)'; a default only the vendor's other pages give is a SHOULD (003 [D]); none where OC3 says so")
def default_size(run: CheckRun) -> None:
    pag = run.dialect.pagination
    stated = stated_level(run, "default_size")
    for op in list_operations(run):
        exchange, items, payload = fetch(run, op)
        total = normalise.page_value(run.dialect, op, payload, "total")
        if items is None or not isinstance(total, int):
            continue
        expected = min(total, pag.default_size)
        run.expect(len(items) == expected, exchange,
                   f"without {pag.size_param} the page holds {len(items)} items; the default is {pag.default_size}",
                   level=paging_level(run, op) or stated, about={"parameter": pag.size_param})


@scenario("PAG-009", "pagination", "Lists come back in the order asked for", "MUST",
          "001 sort_by/sort_dir (RO8: documented keys; RO9: upper-case); 003 order=created_at|desc (CC6 strict); "
          "004 sortBy/sortOrder (YS13: keys undocumented, ordering a SHOULD); no collation is stated, so texts "
          "are judged only where code-point, case-insensitive and language orders agree")
def sorting(run: CheckRun) -> None:
    for op in list_operations(run):
        sort = op.sort
        if sort is None:
            continue
        keys = [k for k in sort.tested if k in sort.keys] or \
            [k for k in SORT_PREFERENCE if k in sort.keys][:1]
        for key in keys:
            field = sort.keys[key]
            for direction in ("asc", "desc"):
                params = sort_params(run, op, key, direction)
                exchange, items, _ = fetch(run, op, **params)
                about = {"parameter": sort.param, "key": key, "direction": direction}
                if items is None:
                    run.fail(exchange, f"sorting by {key} {direction} did not answer a list", level=sort.level,
                             about=about)
                    continue
                values = [i.get(field) for i in items if isinstance(i, dict)]
                wrong = misplaced(values, direction == "desc")
                run.expect(wrong is None, exchange,
                           f"sorted by {key} {direction}, {field} comes back with {wrong[0]!r} before {wrong[1]!r}"
                           if wrong else "", level=sort.level, about=about)


def _filter_value(flt: Filter, records: list[dict[str, Any]]) -> tuple[Any, Any, Any] | None:
    """(the value to send, the field value it stands for, the record's field it is compared with) for a
    filter, taken from a record the target holds; None when no record has a usable value."""
    field = flt.field or flt.default_field
    if field is None or "." in field:
        return None
    values = [i.get(field) for i in records if isinstance(i, dict)]
    if flt.op in ("eq", "in_csv", "bool01"):
        sample = next((v for v in values if isinstance(v, str | int | bool)), None)
        if sample is None:
            return None
        return ("1" if sample else "0") if flt.op == "bool01" else sample, sample, field
    if flt.op in ("gte", "lte"):
        numbers = sorted(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
        return (numbers[len(numbers) // 2],) * 2 + (field,) if numbers else None
    if flt.op in ("date_gte", "date_lte"):
        dates = sorted(v[:10] for v in values if isinstance(v, str) and len(v) >= 10)
        return (dates[len(dates) // 2],) * 2 + (field,) if dates else None
    return None


@scenario("PAG-011", "pagination", "Filters return only (and all visible) matching records", "MUST",
          "the filters each page documents: 001 stage_id, stage_ids, won, assigned_to, date_from/date_to; 002 "
          "status, segment, source, stage, min_value; 004 pipeline_id, deal_current_stage, cstid, deal_owner_id; "
          "filters of designed operations are a SHOULD")
def filters(run: CheckRun) -> None:
    size = run.dialect.pagination.size_param
    for op in filtered_operations(run):
        _, everything, _ = fetch(run, op, **{size: 50})
        if not everything:
            continue
        records = [i for i in everything if isinstance(i, dict)]
        for flt in op.filters:
            chosen = _filter_value(flt, records)
            if chosen is None:
                continue
            sent, wanted, field = chosen
            level: Severity | None = "SHOULD" if flt.param in op.designed.parameters else None
            exchange, items, _ = fetch(run, op, **{flt.param: sent, size: 100})
            about = {"parameter": flt.param}
            if items is None:
                run.fail(exchange, f"filtering by {flt.param}={sent} did not answer a list", level=level,
                         about=about)
                continue
            found = [i for i in items if isinstance(i, dict)]
            wrong = [i for i in found if not matches_filter(flt, i, field, wanted)]
            expected = {str(i) for i in ids(run, op, [r for r in records if matches_filter(flt, r, field, wanted)])}
            missing = expected - {str(i) for i in ids(run, op, found)} if len(found) < 100 else set()
            run.expect(not wrong and not missing, exchange,
                       f"{flt.param}={sent}: {len(wrong)} of {len(found)} items do not match on {field}"
                       if wrong else f"{flt.param}={sent} leaves out {sorted(missing)[:5]}, which match it",
                       level=level, about=about)


@scenario("PAG-013", "pagination", "Search finds a record by a word of its name, and only records holding it",
          "MUST", "001 search 'Search term to filter results'; 002 search 'Search name/email'; 003 q (CC6 strict); "
          "004 'Search by deal name or description'")
def search(run: CheckRun) -> None:
    for op in list_operations(run):
        if op.search is None:
            continue
        field = op.search.fields[0]
        create = run.fixtures.creatable(op.resource)
        if create is None or field not in (run.fixtures.body(op.resource) or {}):
            continue
        # one word no record but the suite's own can hold: whatever fields a server searches, and whether it
        # matches words or substrings, only this record may come back
        token = f"crmconf{run.ctx.options.seed}q{run.fixtures.counter + 1}z"
        made = run.fixtures.require(op.resource, overrides={field: f"Search {token}"})
        exchange, found, _ = fetch(run, op, **{op.search.param: token, run.dialect.pagination.size_param: 100})
        about = {"parameter": op.search.param}
        if found is None:
            run.fail(exchange, f"searching for {token!r} did not answer a list", about=about)
            continue
        run.expect(str(made.id) in map(str, ids(run, op, found)), exchange,
                   f"searching for {token!r} did not find the record {made.id} whose {field} holds it", about=about)
        leaked = [i for i in ids(run, op, [i for i in found if isinstance(i, dict)
                                          and token not in json.dumps(i, ensure_ascii=False)])]
        run.expect(not leaked, exchange, f"searching for {token!r} returned {sorted(map(str, leaked))[:5]}, "
                   "records that do not hold it", about=about)


def _documented_values(parameter: dict[str, Any]) -> list[Any]:
    """The values a parameter's description shows a client: its enum, else its examples, else its default."""
    schema = parameter.get("schema") or {}
    if schema.get("enum"):
        return list(schema["enum"])
    examples = [e.get("value") for e in (parameter.get("examples") or {}).values() if isinstance(e, dict)]
    examples += [parameter["example"]] if "example" in parameter else []
    examples += [schema["example"]] if "example" in schema else []
    values = [v for v in examples if v is not None]
    if values:
        return values
    return [schema["default"]] if "default" in schema else FORMAT_SAMPLES.get(schema.get("format"), [])


# A value any reader of "date" (X3: YYYY-MM-DD) or "date-time" (RFC 3339) would send.
FORMAT_SAMPLES: dict[Any, list[Any]] = {"date": ["2026-01-31"], "date-time": ["2026-01-31T12:00:00Z"]}


@scenario("PAG-014", "pagination", "A list accepts every value its page documents for a query parameter", "MUST",
          "the query parameter tables of 001, 002, 003 and 004: a documented value (an enum member, the page's "
          "example, a date where the type is a date) is answered with the list, never refused")
def documented_values_accepted(run: CheckRun) -> None:
    for op in run.api.operations:
        if op.action not in ("list", "collection") or op.path_params or op.method != "get":
            continue
        query = [p for p in op.raw.get("parameters") or [] if isinstance(p, dict) and p.get("in") == "query"]
        required = {str(p.get("name")): _documented_values(p)[:1] for p in query if p.get("required")}
        if not all(required.values()):
            continue  # a required parameter with no documented value: nothing the page shows to send
        base = {name: values[0] for name, values in required.items()}
        for parameter in query:
            name = str(parameter.get("name"))
            level: Severity | None = "SHOULD" if name in op.designed.parameters else None
            for value in _documented_values(parameter)[:6]:
                exchange = run.call(op, params={**base, name: value})
                run.expect(exchange.status == 200, exchange, f"{name}={value!r} answered {exchange.status}",
                           level=level, about={"parameter": name})


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _page_size(run: CheckRun, op: Operation, exchange: Exchange, payload: Any) -> tuple[int | None, str | None]:
    """The page size one answer is cut at, and the page field that says so: the size it reports, else the
    size the client asked for (within the maximum: above it a server may clamp), else the default the
    pages state."""
    reported = _whole_number(normalise.page_value(run.dialect, op, payload, "size"))
    if reported:
        return reported, run.dialect.envelope_for(op).page_fields.get("size")
    pag = run.dialect.pagination
    asked = query_of(exchange).get(pag.size_param)
    if asked is not None:
        return (int(asked), None) if asked.isdigit() and 0 < int(asked) <= pag.max_size else (None, None)
    return (pag.default_size, None) if "default_size" in pag.stated else (None, None)


@response("PAG-015", "pagination", "The page fields of one list answer agree with each other and with its items",
          "MUST", "000 {current_page, last_page, per_page, total}; 003 meta.{current_page, last_page, per_page, "
          "total}; 004 total_pages = ceil(total_records/pageSize) (YS4); 002 pagination {page, limit, total} (OC3): "
          "the page count from the total and the size, and a page holding what the total leaves for it")
def page_fields_agree(run: CheckRun, exchange: Exchange) -> None:
    """Judged on every list answer (the walks of the other checks, a client's own traffic through the proxy):
    the arithmetic PAG-004 checks on two first pages, on any page."""
    op = in_scope(run, exchange)
    if op is None or op.action != "list" or exchange.status != 200:
        return
    payload = body(exchange)
    found = normalise.items(run.dialect, op, payload) if isinstance(payload, dict) else None
    total = _whole_number(normalise.page_value(run.dialect, op, payload, "total"))
    size, size_field = _page_size(run, op, exchange, payload)
    if not isinstance(found, list) or total is None or not size or pages_by_design_only(run, op, payload):
        return
    fields, level = run.dialect.envelope_for(op).page_fields, paging_level(run, op)
    pages = math.ceil(total / size)
    for key in ("last_page", "total_pages"):
        if key in fields:
            value = normalise.page_value(run.dialect, op, payload, key)
            run.expect(value in (pages, max(pages, 1)), exchange,
                       f"{fields[key]} is {value!r}; total {total} at size {size} gives {pages}", level=level,
                       about={"field": leaf(fields[key])})
    about = {"field": leaf(size_field)} if size_field else {"parameter": run.dialect.pagination.size_param}
    run.expect(len(found) <= size, exchange, f"the page holds {len(found)} items, more than its size {size}",
               level=level, about=about)
    page = _whole_number(normalise.page_value(run.dialect, op, payload, "page"))
    if page is None:
        return
    index = page - run.dialect.pagination.reported_first_page
    expected = min(size, max(total - index * size, 0)) if index >= 0 else None
    if expected is not None:
        run.expect(len(found) == expected, exchange,
                   f"page {page} holds {len(found)} items; total {total} at size {size} leaves {expected} for it",
                   level=level, about={"field": leaf(fields["total"])})
