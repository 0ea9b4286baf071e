"""YSUITE's own invariants (004, and dialects.md 1D with the decisions YS1-YS15): what the deals page and the
vendor's other pages state that the generic checks do not reach. Each check's docstring says what its
observations are about (docs/requirements.md); every record it creates, changes or deletes is the suite's own."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path, in_scope, lifecycle_resources
from conformance.checks.auth import probe, secured_operations
from conformance.checks.pagination import fetch, ids, list_operations, page_params, stated_level
from conformance.context import CheckRun
from conformance.fixtures import request_schema
from conformance.invariants._common import (
    TOLERANCE,
    create_record,
    list_items,
    number,
    op_of,
    read_record,
    succeeded,
    unique_word,
)
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Operation

YS13_SORT_KEY = "deal_name"            # YS13: 'Use sortBy=deal_name&sortOrder=asc'
UNKNOWN_PARAMETER = "crmconf_unknown"  # in no document: a query parameter no page names (X10)
YS11_CONTACT_PERSON = "deal_contact_id"  # 004 'Individual contact within the company' (YS11)
INDIVIDUAL = 1                         # 1D contacts: contact_type 1 Individual, 2 Business


def _error_shaped(payload: Any) -> bool:
    """YSUITE's error envelope: success false and a message (YS1, YS2; X12: the wording is never judged)."""
    return isinstance(payload, dict) and payload.get("success") is False \
        and isinstance(payload.get("message"), str) and bool(payload["message"])


def _same(sent: Any, got: Any) -> bool:
    """A value read back as sent: money within the tolerance (X5), a list in any order, anything else equal."""
    if number(sent) is not None and number(got) is not None:
        return abs(float(sent) - float(got)) <= TOLERANCE
    if isinstance(sent, list) and isinstance(got, list):
        return sorted(map(repr, sent)) == sorted(map(repr, got))
    return bool(sent == got)


# missing records and the records a create answers ------------------------------------------------------
@scenario("SEM-301", "semantics", "A missing record answers 400 (or 404) with success false and a message", "MUST",
          "004 errors page: 400 for business errors including not found (YS2: 400 preferred, 404 lenient)")
def ys_not_found(run: CheckRun) -> None:
    """For each resource the suite can create, read, update and delete: once a record of its own is deleted, a
    read, an update (with a valid body) and a delete of it answer the not-found status, 400 or 404 (about
    {part: status}), with success false and a message (about {part: body})."""
    for name in lifecycle_resources(run):
        read, update, delete = (op_of(run, name, action) for action in ("read", "update", "delete"))
        made = run.fixtures.create(name)
        if made is None:
            continue  # LIF-001 and STA-004 judge a create that fails
        valid = run.fixtures.body(name)
        if not succeeded(run.call(delete, fill_path(run, delete, made.id))):
            continue  # STA-005 and LIF-001 judge a delete that fails
        run.fixtures.forget(name, made.id)
        accepted = run.dialect.errors.accepted("not_found")
        # in this order, a server that wrongly revives the record on update deletes it again on the last probe
        for op, payload in ((read, None), (update, valid), (delete, None)):
            exchange = run.call(op, fill_path(run, op, made.id), json_body=payload)
            what = f"{op.method.upper()} of the deleted {name} {made.id}"
            run.expect(exchange.status in accepted, exchange, f"{what} answered {exchange.status}, expected "
                       f"{' or '.join(map(str, accepted))}", about={"part": "status"})
            run.expect(_error_shaped(body(exchange)), exchange,
                       f"{what}: the body is {str(body(exchange))[:120]}, expected success false and a message",
                       about={"part": "body"})


@scenario("SEM-302", "semantics", "The id a create returns reads back the same record", "MUST",
          "004 create response {success, message, data {deal_id, deal_name}}; GET /v1/deals/{id} 'The deal_id' "
          "(YS7, YS8); the vendor's contacts and tasks pages alike (1D)")
def ys_create_reads_back(run: CheckRun) -> None:
    """For each resource the suite can create and read: the create answer's fields (deal_name, ...) are those
    sent (about {field: <name>}) and it carries a message where the page shows one (about {field: message}),
    both on the create; reading the returned id answers that record (about {field: <id field>}, on the read);
    the fields sent read back (about {field: <name>}, on the create)."""
    for name, resource in run.dialect.resources.items():
        create, read = run.fixtures.creatable(name), run.api.find(name, "read")
        if create is None or read is None or create.path_params:
            continue
        made = run.fixtures.create(name)
        if made is None:
            continue  # STA-004 and LIF-001 judge a create that fails
        sent = made.exchange.request_body if isinstance(made.exchange.request_body, dict) else {}
        envelope = run.dialect.envelope_for(create, "create")
        echoed = [f for f in envelope.fields if f in sent]
        for field in echoed:
            run.expect(made.record.get(field) == sent[field], made.exchange, f"the create answers {field} "
                       f"{made.record.get(field)!r}, {sent[field]!r} was sent", about={"field": field})
        if envelope.message is not None:
            payload = body(made.exchange)
            message = payload.get("message") if isinstance(payload, dict) else None
            run.expect(isinstance(message, str) and bool(message), made.exchange,
                       f"the create answer has no message (message is {message!r})", about={"field": "message"})
        exchange, record = read_record(run, name, made.id)
        found = normalise.record_id(run.dialect, read, record)
        run.expect(found == made.id, exchange, f"reading the {resource.id_field} {made.id} the create returned "
                   f"answered {exchange.status} with {resource.id_field} {found!r}",
                   about={"field": resource.id_field})
        for field in echoed:
            if record is not None:
                run.expect(record.get(field) == sent[field], exchange, f"{field} was sent as {sent[field]!r}, "
                           f"reads back as {record.get(field)!r}", about={"field": field}, operation=create)


# credentials ------------------------------------------------------------------------------------------
@response("SEM-303", "auth", "Every operation accepts the valid key pair", "MUST",
          "1D 'Two headers on every call: x-ysuite-access-key and x-ysuite-secret-key' (YS1)")
def ys_key_pair_accepted(run: CheckRun, exchange: Exchange) -> None:
    """Every answer to a request that carried the suite's valid key pair (its --token) on a secured operation
    is something other than 401. About nothing more than the operation."""
    op = in_scope(run, exchange)
    if op is None or not op.secured or not exchange.valid_credential or exchange.status is None:
        return
    if exchange.status == 401:
        run.fail(exchange, "a request with the valid key pair was refused with 401")
    elif (run.check.id, str(op)) not in run.noted:
        run.noted.add((run.check.id, str(op)))
        run.observe(exchange)


@scenario("SEM-304", "auth", "Both headers of the key pair are required, and a bearer token is no key pair", "MUST",
          "1D 'Not bearer. Two headers on every call' (YS1 strict: missing or invalid -> 401 with success:false)")
def ys_both_keys_required(run: CheckRun) -> None:
    """Each secured operation, sent the suite's valid key pair with one of its two headers left out (about
    {missing: <header>}), or sent it as `Authorization: Bearer` instead (about {credential: bearer}), answers
    401 with success false. Writes go only to the suite's own records, with an empty body."""
    auth = run.dialect.auth
    credential = run.target.credentials.get("default")
    if auth.scheme != "key_pair" or not credential:
        run.skip("the API's credential is not a key pair, or no --token was given")
    pair = run.target.auth_headers(str(credential))
    access, secret = str(auth.access_header), str(auth.secret_header)
    probes = (({secret: pair[secret]}, {"missing": access}, f"the key pair without {access}"),
              ({access: pair[access]}, {"missing": secret}, f"the key pair without {secret}"),
              ({"Authorization": f"Bearer {credential}"}, {"credential": "bearer"}, "the key pair as a bearer token"))
    for op, path in secured_operations(run):
        for headers, about, what in probes:
            exchange = probe(run, op, path, None, headers)
            if exchange.status is None:
                continue
            payload = body(exchange)
            refused = isinstance(payload, dict) and payload.get("success") is False
            run.expect(exchange.status == 401 and refused, exchange, f"{what}: answered {exchange.status} with "
                       f"{str(payload)[:80]}, expected 401 with success false", about=about)


# lists --------------------------------------------------------------------------------------------------
@scenario("SEM-305", "pagination", "Without pageIndex a list answers its first page; a negative one is clamped or "
          "refused", "MUST", "004 pageIndex 'Zero-based page index (default 0)'; YS4 'a negative pageIndex -> "
          "lenient (clamp or 4xx)'")
def ys_page_index(run: CheckRun) -> None:
    """For each list: without pageIndex it answers the same items as pageIndex=0, reported as page 1 (about
    {parameter: pageIndex, value: omitted}); a negative pageIndex is refused with a 4xx or answers that first
    page (about {parameter: pageIndex, value: negative}, a SHOULD: YS4 is lenient)."""
    pag = run.dialect.pagination
    for op in list_operations(run):
        _, first, _ = fetch(run, op, **page_params(run, pag.first_page, 5))
        if first is None:
            continue  # ENV-002 and PAG-005 judge a first page that is no list
        wanted = ids(run, op, first)
        exchange, items, payload = fetch(run, op, **{pag.size_param: 5})
        reported = normalise.page_value(run.dialect, op, payload, "page")
        page_reported = "page" in run.dialect.envelope_for(op).page_fields
        run.expect(items is not None and ids(run, op, items) == wanted
                   and (reported == pag.reported_first_page or not page_reported), exchange,
                   f"without {pag.page_param} the list answered {exchange.status}, page {reported!r}, items "
                   f"{ids(run, op, items or [])}; {pag.page_param}={pag.first_page} answers {wanted}",
                   about={"parameter": pag.page_param, "value": "omitted"})
        exchange, items, _ = fetch(run, op, **page_params(run, pag.first_page - 1, 5))
        about = {"parameter": pag.page_param, "value": "negative"}
        if exchange.status is not None and 400 <= exchange.status < 500:
            run.observe(exchange, about)
            continue
        run.expect(items is not None and ids(run, op, items) == wanted, exchange,
                   f"{pag.page_param}={pag.first_page - 1} answered {exchange.status} with items "
                   f"{ids(run, op, items or [])}, neither a 4xx nor the first page {wanted}", level="SHOULD",
                   about=about)


@scenario("SEM-313", "pagination", "The documented maximum pageSize is accepted", "MUST",
          "004 pageSize 'Results per page (default 10, max 100)': 100 is a valid page size (PAG-002 judges only "
          "that no page holds more)")
def ys_maximum_page_size(run: CheckRun) -> None:
    """For each list, where the pages state the maximum page size: asking for exactly that size answers the list
    with at most that many items, never a refusal. About {parameter: pageSize, value: maximum}."""
    pag = run.dialect.pagination
    stated_level(run, "max_size")  # skips where the pages state no maximum
    for op in list_operations(run):
        exchange, items, _ = fetch(run, op, **page_params(run, pag.first_page, pag.max_size))
        run.expect(items is not None and len(items) <= pag.max_size, exchange,
                   f"{pag.size_param}={pag.max_size}, the documented maximum, answered {exchange.status} with "
                   f"{len(items) if items is not None else 'no'} items",
                   about={"parameter": pag.size_param, "value": "maximum"})


@scenario("SEM-306", "pagination", "sortBy=deal_name answers 2xx in both directions; another sortOrder is refused",
          "MUST", "YS13 'Use sortBy=deal_name&sortOrder=asc; assert 2xx (strict) and ordering only as a warning'; "
          "004 sortOrder 'asc | desc'")
def ys_sort_accepted(run: CheckRun) -> None:
    """The deals list sorted as YS13 says, sortBy=deal_name with sortOrder asc or desc, answers 2xx (about
    {parameter: sortBy, key: deal_name, direction: asc|desc}; the order itself is PAG-009's); a sortOrder other
    than asc or desc is refused with the validation status naming sortOrder (about {parameter: sortOrder,
    value: invalid}, a SHOULD)."""
    op = op_of(run, "deals", "list")
    sort = op.sort
    if sort is None or sort.dir_param is None or YS13_SORT_KEY not in sort.keys:
        run.skip(f"the deals list documents no {YS13_SORT_KEY} sort with a direction parameter")
    for direction in ("asc", "desc"):
        exchange = run.call(op, params={sort.param: YS13_SORT_KEY, sort.dir_param: sort.directions.get(direction,
                                                                                                        direction)})
        run.expect(succeeded(exchange), exchange, f"{sort.param}={YS13_SORT_KEY}&{sort.dir_param}={direction} "
                   f"answered {exchange.status}", about={"parameter": sort.param, "key": YS13_SORT_KEY,
                                                         "direction": direction})
    exchange = run.call(op, params={sort.param: YS13_SORT_KEY, sort.dir_param: "sideways"})
    about = {"parameter": sort.dir_param, "value": "invalid"}
    accepted = run.dialect.errors.accepted("validation")
    if not run.expect(exchange.status in accepted, exchange, f"{sort.dir_param}=sideways answered {exchange.status},"
                      f" expected {' or '.join(map(str, accepted))}", level="SHOULD", about=about):
        return
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    if run.dialect.errors.field_errors_judged:
        run.expect(isinstance(errors, dict) and sort.dir_param in errors, exchange,
                   f"{sort.dir_param}=sideways: the field errors do not name {sort.dir_param}: {errors!r}",
                   level="SHOULD", about=about)


@scenario("SEM-307", "pagination", "A query parameter no page names is ignored", "SHOULD",
          "X10 'Lenient: expect them to be ignored (2xx)'")
def ys_unknown_parameter(run: CheckRun) -> None:
    """For each list: the same request with a query parameter no page names answers the same items. About
    {parameter: crmconf_unknown}."""
    size = run.dialect.pagination.size_param
    for op in list_operations(run):
        _, plain, _ = fetch(run, op, **{size: 5})
        if plain is None:
            continue
        exchange, items, _ = fetch(run, op, **{size: 5, UNKNOWN_PARAMETER: "1"})
        run.expect(items is not None and ids(run, op, items) == ids(run, op, plain), exchange,
                   f"with {UNKNOWN_PARAMETER}=1 the list answered {exchange.status} with items "
                   f"{ids(run, op, items or [])}, without it {ids(run, op, plain)}",
                   about={"parameter": UNKNOWN_PARAMETER})


@scenario("SEM-308", "pagination", "Search finds a record by a word of each searched field, not only the first",
          "MUST", "004 search 'Search by deal name or description' (PAG-013 judges the name)")
def ys_search_other_fields(run: CheckRun) -> None:
    """For each list's search fields after the first (PAG-013 judges the first): a record of the suite's own
    whose that field alone holds a word is listed when searching for the word. About {parameter: search,
    field: <the field>}."""
    size = run.dialect.pagination.size_param
    for op in list_operations(run):
        create = run.fixtures.creatable(op.resource)
        if op.search is None or create is None:
            continue
        properties = request_schema(create).get("properties", {})
        for field in [f for f in op.search.fields[1:] if f in properties]:
            token = unique_word(run, "d")
            made = run.fixtures.create(op.resource, overrides={field: f"About {token}"})
            if made is None:
                continue  # LIF-001 and STA-004 judge a create that fails
            exchange, found, _ = fetch(run, op, **{op.search.param: token, size: 100})
            run.expect(found is not None and str(made.id) in map(str, ids(run, op, found)), exchange,
                       f"searching for {token!r} answered {exchange.status} without the record {made.id} whose "
                       f"{field} holds it", about={"parameter": op.search.param, "field": field})


# creates and updates --------------------------------------------------------------------------------------
def _value_for(run: CheckRun, field: str, prop: dict[str, Any], deals: list[dict[str, Any]], company: Any) -> Any:
    """A valid value for an optional deal field: for the contact person (YS11) an Individual of the suite's own
    within the deal's company; for another record the suite can make, one of its own; for lookup data no page
    lists (users, currencies, tags) an id the target's own deals show; a word for text."""
    kinds = prop.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    reference = next((r for r in run.dialect.resources["deals"].references if r.field == field), None)
    if field == YS11_CONTACT_PERSON and reference is not None:
        person = run.fixtures.create(reference.resource, overrides={"contact_type": INDIVIDUAL,
                                                                    "contact_parent": company})
        return person.id if person is not None else None
    if reference is not None and run.fixtures.creatable(reference.resource) is not None:
        return run.fixtures.reference(reference)
    if "integer" in kinds:
        shown = next((d[field] for d in deals if number(d.get(field)) is not None), None)
        return shown if shown is not None or reference is None else run.fixtures.reference(reference)
    if "array" in kinds:
        return next((d[field] for d in deals if isinstance(d.get(field), list) and d[field]
                     and all(number(v) is not None for v in d[field])), [])
    if "string" in kinds and prop.get("format") is None:
        return f"crmconf {field}"
    return None


@scenario("SEM-309", "lifecycle", "Each optional field of a deal is accepted on create", "MUST",
          "004 Create a deal, Request body: deal_amount_currency, deal_owner_id, deal_contact_id, "
          "deal_description, deal_assignedto, tag_ids 'no' (optional); deal_owner_id 'Filter by owner user ID'")
def ys_optional_fields(run: CheckRun) -> None:
    """Each optional create field the page's example leaves out, sent alone on a deal of the suite's own with a
    valid value (see _value_for), is accepted; a read that shows the field shows the value sent; where the list
    filters by the field, the new deal is listed by that filter. About {field: <the field>}."""
    create, listed = op_of(run, "deals", "create"), op_of(run, "deals", "list")
    schema = request_schema(create)
    example = run.fixtures.body("deals") or {}
    size, search = run.dialect.pagination.size_param, listed.search
    _, deals = list_items(run, listed, **{size: 100})
    optional = [(f, p) for f, p in schema.get("properties", {}).items()
                if isinstance(p, dict) and f not in schema.get("required", []) and f not in example]
    for field, prop in optional:
        value = _value_for(run, field, prop, deals, example.get("cstid"))
        if value is None:
            continue  # nothing valid to send: the requirement stays not exercised
        token, about = unique_word(run, "f"), {"field": field}
        exchange = run.call(create, json_body=run.fixtures.body("deals", {"deal_name": f"Fields {token}",
                                                                          field: value}))
        made = run.fixtures.adopt(create, exchange)
        if not run.expect(succeeded(exchange), exchange, f"a deal with {field}={value!r} answered "
                          f"{exchange.status}", about=about) or made is None:
            continue  # accepted without an id to read: ENV-001 and SEM-302 judge the create's answer
        read, record = read_record(run, "deals", made.id)
        shown = record.get(field) if record is not None else None
        if shown is not None:
            run.expect(_same(value, shown), read, f"{field} was sent as {value!r}, reads back as {shown!r}",
                       about=about, operation=create)
        if any(f.param == field for f in listed.filters) and search is not None:
            params = {field: value, search.param: token, size: 100}
            found, items = list_items(run, listed, **params)
            id_field = run.dialect.resources["deals"].id_field
            run.expect(made.id in [i.get(id_field) for i in items], found,
                       f"the deal {made.id} created with {field}={value!r} is not listed by {field}={value!r}",
                       about=about)


def _required_on_update(update: Operation) -> list[str]:
    return list(request_schema(update).get("required", []))


@scenario("SEM-310", "lifecycle", "An update with only deal_name, pipeline_id and cstid succeeds", "MUST",
          "004 Update a deal: 'deal_name, pipeline_id, and cstid are required even on updates. All other fields "
          "are optional.'")
def ys_update_required_only(run: CheckRun) -> None:
    """A PUT of a deal of the suite's own that sends the three required fields and nothing else answers 2xx.
    About nothing more than the operation."""
    update = op_of(run, "deals", "update")
    deal = create_record(run, "deals")
    sent = deal.exchange.request_body if isinstance(deal.exchange.request_body, dict) else {}
    only = {k: sent[k] for k in _required_on_update(update) if k in sent}
    exchange = run.call(update, fill_path(run, update, deal.id), json_body=only)
    run.expect(succeeded(exchange), exchange, f"a PUT of {sorted(only)} alone answered {exchange.status}")


@scenario("SEM-311", "lifecycle", "What an update sends is what later reads show", "MUST",
          "004 PUT /v1/deals/{id} (YS5: always send the three required fields; YS6: the answer carries no data)")
def ys_update_stored(run: CheckRun) -> None:
    """A PUT of a deal of the suite's own with the three required fields and new values of the page's list
    fields (a new deal_name, deal_amount, deal_source, deal_expected_close_date): a read by id, or the list where
    the read leaves a field out, shows each as sent (money within 0.01, X5). About {field: <the field>}."""
    update, listed = op_of(run, "deals", "update"), op_of(run, "deals", "list")
    deal = create_record(run, "deals")
    sent = deal.exchange.request_body if isinstance(deal.exchange.request_body, dict) else {}
    token = unique_word(run, "u")
    changes = {"deal_name": f"Updated {token}", "deal_amount": 4321.5, "deal_source": "crmconf source",
               "deal_expected_close_date": "2027-03-31"}
    properties = request_schema(update).get("properties", {})
    changes = {k: v for k, v in changes.items() if k in properties}
    exchange = run.call(update, fill_path(run, update, deal.id), json_body={**sent, **changes})
    if not run.expect(succeeded(exchange), exchange, f"the update answered {exchange.status}"):
        return
    read, record = read_record(run, "deals", deal.id)
    listed_record: dict[str, Any] | None = None
    for field, value in changes.items():
        shown = record.get(field) if record is not None else None
        where = read
        if shown is None and listed.search is not None:  # YS8: the read may leave out what the list shows
            if listed_record is None:
                where, items = list_items(run, listed, **{listed.search.param: token})
                id_field = run.dialect.resources["deals"].id_field
                listed_record = next((i for i in items if i.get(id_field) == deal.id), {})
            shown = listed_record.get(field)
        run.expect(_same(value, shown), where, f"{field} was updated to {value!r}, reads back as {shown!r}",
                   about={"field": field})
