"""Concord CRM's own invariants (003): billable products and amounts, the status endpoint and its lock,
associations, the query grammar and search, unique emails, and what a deal stores.

Every record these checks change is one the suite created in the run (X11): a test deal names no contact
or company but the suite's own (`own_deal`), and associations link only contacts, companies and
activities the suite made. Each observation says what it is about (`about=`), as the catalogue's
requirements name it (openapi/concord.requirements.yaml):
  field / product_field   a deal field, or a field of one billable product
  key                     an association key (contacts, companies, activities)
  parameter               a query parameter of the list or search grammar
  case                    which part of the rule (a `case` value is named in each check's docstring)
  from, to                a status change of PUT /deals/{id}/status/{status}
  discount_type, header   a product's discount type; a request or response header
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path, in_scope
from conformance.context import CheckRun
from conformance.fixtures import Created, FixtureUnavailable
from conformance.invariants._common import TOLERANCE, create_record, list_items, number, op_of, read_record
from conformance.ordering import misplaced
from conformance.readback import reads_back_as_sent
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Operation

ASSOCIATIONS = ("contacts", "companies", "activities")
NOT_A_CHOICE = "crmconf-not-a-choice"


# what the checks share -------------------------------------------------------------------------------
def succeeded(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


def refused(run: CheckRun, exchange: Exchange, field: str) -> bool:
    """The API's validation status, with a field error whose key is the field or ends with it
    (`products.0.name`, `billable.tax_type`)."""
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or str(k).endswith("." + field) for k in errors)
    return exchange.status in run.dialect.errors.accepted("validation") and named


def expect_refused(run: CheckRun, op: Operation, path: dict[str, Any], sent: Any, field: str, what: str,
                   about: dict[str, str] | None = None) -> None:
    """Send `sent`; the answer must be the validation status with a field error naming `field`. A create a
    server wrongly accepted made a record the suite owns and deletes."""
    exchange = run.call(op, path, json_body=sent)
    if op.action == "create":
        run.fixtures.adopt(op, exchange)
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    run.expect(refused(run, exchange, field), exchange, f"{what} answered {exchange.status} with errors {errors!r}, "
               f"expected 422 naming {field}", about=about)


def own_deal(run: CheckRun, **overrides: Any) -> Created:
    """A new deal of the suite's own that names no contact or company it did not create (the page's example
    body names contact 1 and company 1)."""
    return create_record(run, "deals", **{"contacts": [], "companies": [], **overrides})


def deal_at(run: CheckRun, action: str) -> tuple[Operation, Created, dict[str, Any]]:
    """A deal operation, a new deal of the suite's own and that operation's path to it."""
    op = op_of(run, "deals", action)
    deal = own_deal(run)
    return op, deal, fill_path(run, op, deal.id)


def token(run: CheckRun, letter: str) -> str:
    """A word no record but the suite's own can hold (as PAG-013 makes them)."""
    return f"crmconf{run.ctx.options.seed}{letter}{run.fixtures.counter + 1}z"


def record_of(run: CheckRun, op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    """The one record (or billable object) a 2xx answer carries, bare or in a `data` wrapper (CC1)."""
    found = normalise.record(run.dialect, op, body(exchange)) if succeeded(exchange) else None
    return found if isinstance(found, dict) else None


def update_body(record: dict[str, Any] | None, made: Created, **fields: Any) -> dict[str, Any]:
    """A deal update always sends name and stage_id (CC2), as the deal has them."""
    source = record or made.record
    return {"name": source.get("name"), "stage_id": source.get("stage_id"), **fields}


def products_of(billable: Any) -> list[dict[str, Any]]:
    products = billable.get("products") if isinstance(billable, dict) else None
    return [p for p in products if isinstance(p, dict)] if isinstance(products, list) else []


def line_named(billable: Any, name: str) -> dict[str, Any] | None:
    return next((p for p in products_of(billable) if p.get("name") == name), None)


def ids_in(run: CheckRun, op: Operation, items: list[dict[str, Any]]) -> list[str]:
    field = run.dialect.resources[op.resource].id_field
    return [str(i.get(field)) for i in items]


# SEM-201 -----------------------------------------------------------------------------------------------
def _amount_is(run: CheckRun, deal_id: Any, expected: float, op: Operation, about: dict[str, str],
               what: str) -> None:
    read, record = read_record(run, "deals", deal_id)
    amount = number(record.get("amount")) if record else None
    run.expect(amount is not None and abs(amount - expected) <= TOLERANCE, read,
               f"{what}: the deal's amount is {record.get('amount') if record else None!r}, the products total "
               f"{expected}", operation=op, about=about)


@scenario("SEM-201", "semantics", "A deal with products has the products' total as its amount", "MUST",
          "003 'amount ... Not applicable when the deal has products because the amount is automatically updated "
          "based on the total value of the products' (CC3, CC15 under no_tax); discount_total 'Percentage if "
          "discount_type is percent or total discount amount if discount_type is fixed'")
def cc_amount(run: CheckRun) -> None:
    """case: total (created with products), amount ignored / answer (a PUT sending another amount: the
    stored amount, and the answer 2xx or 422, CC3), products changed (a PUT or a billable save adding a
    product); discount_type: percent / fixed (a discounted line in the total)."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    products = [{"name": "crm-conformance seat", "unit_price": 120.5, "qty": 3},
                {"name": "crm-conformance setup", "unit_price": 99.0, "qty": 1}]
    expected = 120.5 * 3 + 99.0
    deal = own_deal(run, billable={"tax_type": "no_tax", "products": products})
    _amount_is(run, deal.id, expected, create, {"case": "total"}, "created with products")
    sent = run.call(update, fill_path(run, update, deal.id), json_body=update_body(None, deal, amount=1.0))
    run.expect(succeeded(sent) or sent.status in run.dialect.errors.accepted("validation"), sent,
               f"sending another amount to a deal with products answered {sent.status}, expected 2xx or 422",
               about={"case": "answer"})
    _amount_is(run, deal.id, expected, update, {"case": "amount ignored"}, "after a PUT sending amount 1.0")
    added = run.call(update, fill_path(run, update, deal.id), json_body=update_body(None, deal, billable={
        "tax_type": "no_tax", "products": [{"name": "crm-conformance extra", "unit_price": 40, "qty": 2}]}))
    if succeeded(added):
        expected += 80
    _amount_is(run, deal.id, expected, update, {"case": "products changed"}, "after a PUT adding a product")
    save = op_of(run, "deals", "save_billable")
    saved = run.call(save, fill_path(run, save, deal.id), json_body={
        "tax_type": "no_tax", "products": [{"name": "crm-conformance support", "unit_price": 10.25, "qty": 4}]})
    if succeeded(saved):
        expected += 41
    _amount_is(run, deal.id, expected, save, {"case": "products changed"}, "after saving another product")
    for kind, line, total in (("percent", {"unit_price": 200, "qty": 3, "discount_total": 10}, 540.0),
                              ("fixed", {"unit_price": 100, "qty": 2, "discount_total": 30}, 170.0)):
        product = {"name": f"crm-conformance {kind} discount", "discount_type": kind, **line}
        discounted = own_deal(run, billable={"tax_type": "no_tax", "products": [product]})
        _amount_is(run, discounted.id, total, create, {"discount_type": kind}, f"a {kind} discount line")


# SEM-202, SEM-206: the status endpoint ------------------------------------------------------------------
def _status_changer(run: CheckRun, deal: Created) -> tuple[Operation, Callable[..., Exchange]]:
    change = op_of(run, "deals", "change_status")

    def to(status: str, **fields: Any) -> Exchange:
        return run.call(change, {**fill_path(run, change, deal.id), "status": status}, json_body=fields)

    return change, to


def _status_after(run: CheckRun, deal: Created, change: Operation, exchange: Exchange, wanted: str,
                  about: dict[str, str], what: str) -> None:
    """The change answered 2xx and the deal then reads `wanted`."""
    if not run.expect(succeeded(exchange), exchange, f"{what} answered {exchange.status}", about=about):
        return
    read, record = read_record(run, "deals", deal.id)
    status = record.get("status") if record else None
    run.expect(status == wanted, read, f"after {what} the deal's status is {status!r}, expected {wanted!r}",
               operation=change, about=about)


def _locked(run: CheckRun, deal: Created, change: Operation, exchange: Exchange, kept: str,
            about: dict[str, str]) -> None:
    """A change the lock forbids is refused (409, or 422: CC9) and leaves the status as it was."""
    run.expect(exchange.status in (409, 422), exchange,
               f"{kept} -> {about['to']} without reopening answered {exchange.status}, expected 409 (or 422)",
               about=about)
    read, record = read_record(run, "deals", deal.id)
    status = record.get("status") if record else None
    run.expect(status == kept, read, f"after the refused change the status is {status!r}, expected {kept!r}",
               operation=change, about=about)


@scenario("SEM-202", "semantics", "A won or lost deal must be reopened before it takes the other end status",
          "MUST", "Concord v1.5.1 (dialects.md 1C [C]): the won/lost lock; CC9 strict: the status does not "
                  "change (409, or 422)")
def cc_status_lock(run: CheckRun) -> None:
    """from/to: won/lost and lost/won, each refused and leaving the status as it was."""
    deal = own_deal(run)
    change, to = _status_changer(run, deal)
    if not succeeded(to("won")):
        return  # SEM-206 judges a deal that cannot be marked won
    _locked(run, deal, change, to("lost"), "won", {"from": "won", "to": "lost"})
    if not (succeeded(to("open")) and succeeded(to("lost"))):
        return  # SEM-206 judges reopening and marking lost
    _locked(run, deal, change, to("won"), "lost", {"from": "lost", "to": "won"})


@scenario("SEM-206", "semantics", "PUT /deals/{id}/status/{status} marks a deal won, lost or open again", "MUST",
          "003 Change deal status: status 'Any of [open, won, lost]', lost_reason 'Deal lost reason when "
          "marking the deal as lost'; CC9 'Invalid {status} -> expect 4xx, and flag 500 as a defect'; CC10")
def cc_status_changes(run: CheckRun) -> None:
    """from/to: open/won, open/lost, and to: open (reopening won and lost deals), to: invalid (refused with
    a 4xx); field: lost_reason (stored when marking lost)."""
    deal = own_deal(run)
    change, to = _status_changer(run, deal)
    _status_after(run, deal, change, to("won"), "won", {"from": "open", "to": "won"}, "marking an open deal won")
    _status_after(run, deal, change, to("open"), "open", {"to": "open"}, "reopening a won deal")
    reason = f"{token(run, 'r')} lost reason"
    lost = to("lost", lost_reason=reason)
    _status_after(run, deal, change, lost, "lost", {"from": "open", "to": "lost"}, "marking an open deal lost")
    if succeeded(lost):
        read, record = read_record(run, "deals", deal.id)
        got = record.get("lost_reason") if record else None
        run.expect(got == reason, read, f"marked lost with lost_reason {reason!r}, the deal reads {got!r}",
                   operation=change, about={"field": "lost_reason"})
    _status_after(run, deal, change, to("open"), "open", {"to": "open"}, "reopening a lost deal")
    bad = to("nonsense")
    run.expect(bad.status is not None and 400 <= bad.status < 500, bad,
               f"an invalid status answered {bad.status}, expected a 4xx (CC9 flags 500)", about={"to": "invalid"})


# SEM-203, SEM-214, SEM-215: search --------------------------------------------------------------------------
def search_op(run: CheckRun) -> Operation:
    found = next((op for op in run.api.operations if op.resource == "deals" and op.action == "collection"), None)
    if found is None:
        run.skip("the document has no deals search operation")
    assert found is not None
    return found


@scenario("SEM-203", "semantics", "Search answers a bare array of the matches, limited by take, empty for an empty q",
          "MUST", "003 Search Deals 'without pagination and use the take parameter'; URL /deals/search?q={query} "
                  "(CC5 strict: bare array, take=1 -> at most 1, empty q -> []); CC6 q matching strict")
def cc_search(run: CheckRun) -> None:
    """case: array (the body is a bare JSON array); parameter q with case: match (the deals holding q, and
    only those), empty (an empty q gives []), absent (no q: [] or a 4xx); parameter: take."""
    search = search_op(run)
    word = token(run, "s")
    made = [own_deal(run, name=f"{word} first"), own_deal(run, name=f"{word} second")]
    found = run.call(search, params={"q": word})
    payload = body(found)
    if run.expect(isinstance(payload, list), found, "the search body is not a bare JSON array",
                  about={"case": "array"}):
        items = [i for i in payload if isinstance(i, dict)]
        got = ids_in(run, search, items)
        missing = [d.id for d in made if str(d.id) not in got]
        run.expect(not missing, found, f"searching for {word!r} did not find deals {missing}",
                   about={"parameter": "q", "case": "match"})
        stray = [i.get("id") for i in items if str(i.get("id")) not in {str(d.id) for d in made}]
        run.expect(not stray, found, f"searching for {word!r} returned deals {stray[:5]} that do not hold it",
                   about={"parameter": "q", "case": "match"})
    one = run.call(search, params={"q": word, "take": 1})
    run.expect(isinstance(body(one), list) and len(body(one)) <= 1, one,
               f"take=1 with two matches answered {str(body(one))[:80]}", about={"parameter": "take"})
    empty = run.call(search, params={"q": ""})
    run.expect(body(empty) == [], empty, f"an empty q answered {str(body(empty))[:80]}, expected []",
               about={"parameter": "q", "case": "empty"})
    absent = run.call(search)
    run.expect((succeeded(absent) and body(absent) == []) or (absent.status is not None and 400 <= absent.status < 500),
               absent, f"a search without q answered {absent.status}, expected [] or a 4xx",
               about={"parameter": "q", "case": "absent"})


def _commonest_vowel(run: CheckRun) -> str:
    """The vowel most deal names on the first page hold: a search term with many matches to order."""
    _, deals = list_items(run, op_of(run, "deals", "list"), per_page=50)
    counts = Counter(ch for d in deals for ch in str(d.get("name", "")).lower() if ch in "aeiou")
    return counts.most_common(1)[0][0] if counts else "a"


@scenario("SEM-214", "semantics", "Search results come back in the order asked for", "MUST",
          "003 Search Deals order 'Example: ?order=created_at or ?order=created_at|desc' (CC6: order strict)")
def cc_search_order(run: CheckRun) -> None:
    """parameter: order, key: created_at, direction: asc / desc (2xx, and the matches in that order)."""
    search = search_op(run)
    sort = search.sort
    if sort is None:
        run.skip("the search operation declares no order parameter")
    assert sort is not None
    term = _commonest_vowel(run)
    for direction in ("desc", "asc"):
        spelled = sort.directions.get(direction, direction)
        value = f"created_at{sort.separator or '|'}{spelled}" if direction == "desc" else "created_at"
        exchange = run.call(search, params={"q": term, sort.param: value})
        payload = body(exchange)
        about = {"parameter": sort.param, "key": "created_at", "direction": direction}
        if not run.expect(succeeded(exchange) and isinstance(payload, list), exchange,
                          f"{sort.param}={value} answered {exchange.status}", about=about):
            continue
        wrong = misplaced([i.get("created_at") for i in payload if isinstance(i, dict)], direction == "desc")
        run.expect(wrong is None, exchange, f"{sort.param}={value}: created_at {wrong[0]!r} comes before "
                   f"{wrong[1]!r}" if wrong else "", about=about)


@scenario("SEM-215", "semantics", "A deleted deal is gone from search results", "MUST",
          "003 Delete Deal; Search Deals: a deal that is deleted is gone from every list, the search included")
def cc_deleted_not_found(run: CheckRun) -> None:
    """Reported on the DELETE (as LIF-005 reports a list after a delete)."""
    search, delete = search_op(run), op_of(run, "deals", "delete")
    word = token(run, "d")
    deal = own_deal(run, name=f"{word} to delete")
    before = body(run.call(search, params={"q": word}))
    if not isinstance(before, list) or str(deal.id) not in ids_in(run, search, [i for i in before
                                                                                if isinstance(i, dict)]):
        return  # SEM-203 judges a search that does not find a new deal
    gone = run.call(delete, fill_path(run, delete, deal.id))
    if not succeeded(gone):
        return  # LIF-001 and STA-005 judge a delete that fails
    run.fixtures.forget("deals", deal.id)
    after = run.call(search, params={"q": word})
    items = body(after)
    still = isinstance(items, list) and str(deal.id) in ids_in(run, search, [i for i in items if isinstance(i, dict)])
    run.expect(isinstance(items, list) and not still, after,
               f"deal {deal.id} was deleted, yet searching for {word!r} still finds it" if still
               else f"searching after the delete answered {after.status}", operation=delete)


# SEM-213: the list and search query grammar ----------------------------------------------------------------
def _finds(run: CheckRun, op: Operation, deal: Created, **params: Any) -> tuple[Exchange, bool | None]:
    """Whether a list or search with these parameters holds the deal (None: it did not answer 2xx)."""
    if op.action == "list":
        params[run.dialect.pagination.size_param] = 100
    exchange, items = list_items(run, op, **params)
    if not succeeded(exchange):
        return exchange, None
    return exchange, str(deal.id) in ids_in(run, op, items)


def _grammar(run: CheckRun, op: Operation, deal: Created, word: str) -> None:
    listed, excluded = _finds(run, op, deal, q=word, search_fields="name:like"), \
        _finds(run, op, deal, q=word, search_fields="id:=")
    run.expect(succeeded(listed[0]), listed[0], f"search_fields=name:like answered {listed[0].status}",
               about={"parameter": "search_fields", "case": "accepted"})
    if listed[1] is not None and excluded[1] is not None:
        run.expect(listed[1] and not excluded[1], excluded[0] if listed[1] else listed[0],
                   f"q={word} with search_fields name:like {'finds' if listed[1] else 'misses'} the deal, with "
                   f"id:= it {'finds' if excluded[1] else 'misses'} it: search_fields does not choose the fields",
                   about={"parameter": "search_fields", "case": "restricts"})
    either = _finds(run, op, deal, q=word, search_fields="name:like;id:=")
    both = _finds(run, op, deal, q=word, search_fields="name:like;id:=", search_match="and")
    if either[1] is not None and both[1] is not None:
        run.expect(either[1] and not both[1], both[0] if either[1] else either[0],
                   f"name:like;id:= {'finds' if either[1] else 'misses'} the deal by default and "
                   f"{'finds' if both[1] else 'misses'} it with search_match=and: expected OR by default, AND asked",
                   about={"parameter": "search_match", "case": "match"})
    accepted, _ = _finds(run, op, deal, q=word, search_match="and")
    run.expect(succeeded(accepted), accepted, f"search_match=and answered {accepted.status}",
               about={"parameter": "search_match", "case": "accepted"})
    unknown, _ = _finds(run, op, deal, q=word, crmconf_unknown="1")
    run.expect(succeeded(unknown), unknown, f"an unknown query parameter answered {unknown.status} (X10: ignored)",
               about={"parameter": "unknown"})
    if op.projection is None:
        return  # the document declares no projection here: what a select answers is not judged
    selected, items = list_items(run, op, q=word, **{op.projection: "id;name"})
    if not run.expect(succeeded(selected), selected, f"{op.projection}=id;name answered {selected.status}",
                      about={"parameter": op.projection, "case": "accepted"}):
        return
    lacking = [i.get("id") for i in items if "id" not in i or "name" not in i]
    run.expect(not lacking, selected, f"with {op.projection}=id;name, items {lacking[:5]} lack id or name",
               about={"parameter": op.projection, "case": "fields"})


@scenario("SEM-213", "semantics", "The query grammar: search_fields, search_match, select, unknown parameters",
          "MUST", "003 search_fields 'Change the fields that the search will be performed to'; search_match 'By "
                  "default ... OR ... AND comparison operator'; select 'Select only the provided fields'; X10 "
                  "unknown parameters ignored; CC1 links lenient")
def cc_query_grammar(run: CheckRun) -> None:
    """On the deals list and search: parameter: search_fields with case: accepted (name:like answers 2xx) and
    case: restricts (name:like finds a deal by its name, id:= does not); search_match with case: match (OR by
    default, AND asked) and case: accepted (2xx); select with case: accepted (2xx) and case: fields (items
    carry the fields selected; leaving others out or not is CC6's lenient choice), only where the document
    declares the projection, as SCH-001 reads a projected answer; unknown (2xx); field: links (the list's
    links, when present, are strings or null)."""
    word = token(run, "m")
    deal = own_deal(run, name=f"{word} grammar")
    for op in (op_of(run, "deals", "list"), search_op(run)):
        _grammar(run, op, deal, word)
    listed = op_of(run, "deals", "list")
    exchange = run.call(listed, params={"q": word})
    links = body(exchange).get("links") if isinstance(body(exchange), dict) else None
    if isinstance(links, dict):
        wrong = {k: links.get(k) for k in ("first", "last", "prev", "next")
                 if k in links and not (links[k] is None or isinstance(links[k], str))}
        run.expect(not wrong, exchange, f"links {wrong} are not strings or null", about={"field": "links"})


# SEM-204: unique emails --------------------------------------------------------------------------------
def _duplicate(run: CheckRun, resource: str, name_field: str) -> None:
    first, second = create_record(run, resource), create_record(run, resource)
    email = first.record.get("email")
    if not email:
        return
    create, update = op_of(run, resource, "create"), op_of(run, resource, "update")
    expect_refused(run, create, {}, {name_field: "crmconf duplicate", "email": email}, "email",
                   f"a duplicate {resource} email")
    expect_refused(run, update, fill_path(run, update, second.id), {"email": email}, "email",
                   f"changing a {resource} email to another's")


@scenario("SEM-204", "semantics", "A contact's or company's email already taken is refused with errors.email", "MUST",
          "Concord contacts and companies (dialects.md 1C [D][C]): email unique (CC16 strict 422)")
def cc_duplicate_email(run: CheckRun) -> None:
    """On create and on update, of contacts and of companies (reported on each operation)."""
    _duplicate(run, "contacts", "first_name")
    _duplicate(run, "companies", "name")


@scenario("SEM-205", "semantics", "A deal's status is open, won or lost", "MUST",
          "003 status 'Any of [open, won, lost]' (CC10 strict)")
def cc_status_values(run: CheckRun) -> None:
    """field: status."""
    exchange, deals = list_items(run, op_of(run, "deals", "list"), per_page=50)
    for deal in deals:
        run.expect(deal.get("status") in ("open", "won", "lost"), exchange,
                   f"deal {deal.get('id')} has status {deal.get('status')!r}", about={"field": "status"})


# SEM-207, SEM-208, SEM-209: billable products -----------------------------------------------------------------
@scenario("SEM-207", "semantics", "POST /deals/{id}/billable adds, updates and removes the deal's products", "MUST",
          "003 Billable: 'you can add new and update existing products'; id 'used to update an existing "
          "billable product'; removed_products; tax_type 'Any of [exclusive, inclusive, no_tax]'; the Product "
          "metadata (name, description, unit_price, qty 'default 1', discount_type, tax_label, tax_rate, unit)")
def cc_billable(run: CheckRun) -> None:
    """case: added, billable (the billable object holds the products and a tax_type), updated (a product sent
    with its billable id), removed, tax_type (each of the three is kept); product_field: <field> with case:
    sent (each field sent reads back) or default (qty 1); product_field: product_id (kept). A GET of
    /deals/{id}/billable (inferred) shows the saved products."""
    save, deal, path = deal_at(run, "save_billable")
    word = token(run, "b")
    full: dict[str, Any] = {"name": f"{word} seat", "description": "crm-conformance description",
                            "unit_price": 200, "qty": 3, "unit": "seat", "tax_label": "crmconf tax", "tax_rate": 10,
                            "discount_type": "percent", "discount_total": 10}
    fixed: dict[str, Any] = {"name": f"{word} fixed", "unit_price": 100, "qty": 2, "discount_type": "fixed",
                             "discount_total": 30}
    bare: dict[str, Any] = {"name": f"{word} setup", "unit_price": 99}
    first = run.call(save, path, json_body={"tax_type": "no_tax", "products": [full, fixed, bare]})
    billable = record_of(run, save, first)
    lines = {p["name"]: line_named(billable, p["name"]) for p in (full, fixed, bare)}
    absent = [name for name, line in lines.items() if line is None]
    if not run.expect(billable is not None and not absent, first, f"saving three products answered {first.status}"
                      + (f"; the billable lacks {absent}" if billable is not None else ""), about={"case": "added"}):
        return
    assert billable is not None
    run.expect(billable.get("tax_type") == "no_tax", first, f"the billable's tax_type is "
               f"{billable.get('tax_type')!r} after saving no_tax", about={"case": "billable"})
    read, record = read_record(run, "deals", deal.id)
    embedded = record.get("billable") if record else None
    if isinstance(embedded, dict):  # the deal shows its billable object (the document's Deal has one)
        shown = [name for name in lines if line_named(embedded, name) is None]
        run.expect(not shown, read, f"the deal's billable lacks the saved products {shown}", operation=save,
                   about={"case": "billable"})
    for sent in (full, fixed):
        line = lines[sent["name"]] or {}
        for name, value in sent.items():
            if name in line:
                run.expect(reads_back_as_sent(value, line[name]), first, f"product {name} was sent as {value!r}, the "
                           f"billable says {line[name]!r}", about={"product_field": name, "case": "sent"})
    setup = lines[bare["name"]] or {}
    if "qty" in setup:
        run.expect(number(setup["qty"]) == 1, first, f"a product sent without qty has qty {setup['qty']!r}",
                   about={"product_field": "qty", "case": "default"})
    seat = lines[full["name"]] or {}
    count = len(products_of(billable))
    changed = run.call(save, path, json_body={"products": [{"id": seat.get("id"), "name": full["name"],
                                                            "unit_price": 200, "qty": 5}]})
    after = record_of(run, save, changed)
    updated = next((p for p in products_of(after) if p.get("id") == seat.get("id")), None)
    run.expect(after is not None and len(products_of(after)) == count and updated is not None
               and number(updated.get("qty")) == 5, changed,
               f"sending product {seat.get('id')} with qty 5 answered {changed.status}: "
               f"{len(products_of(after))} products (was {count}), its qty {(updated or {}).get('qty')!r}",
               about={"case": "updated"})
    product_id = seat.get("product_id")
    if isinstance(product_id, int) and not isinstance(product_id, bool):
        linked: dict[str, Any] = {"name": f"{word} linked", "unit_price": 1, "product_id": product_id}
        kept = run.call(save, path, json_body={"products": [linked]})
        line = line_named(record_of(run, save, kept), linked["name"]) or {}
        run.expect(line.get("product_id") == product_id, kept, f"a product sent with product_id {product_id} "
                   f"answered {kept.status}, its product_id {line.get('product_id')!r}",
                   about={"product_field": "product_id"})
    setup_id = setup.get("id")
    removed = run.call(save, path, json_body={"removed_products": [setup_id]})
    left = record_of(run, save, removed)
    still = [p.get("id") for p in products_of(left) if p.get("id") == setup_id]
    run.expect(left is not None and not still and line_named(left, full["name"]) is not None, removed,
               f"removing product {setup_id} answered {removed.status}; products now "
               f"{[p.get('id') for p in products_of(left)]}", about={"case": "removed"})
    for tax_type in ("exclusive", "inclusive", "no_tax"):
        taxed = run.call(save, path, json_body={"tax_type": tax_type})
        got = (record_of(run, save, taxed) or {}).get("tax_type")
        run.expect(got == tax_type, taxed, f"saving tax_type {tax_type} answered {taxed.status}, tax_type {got!r}",
                   about={"case": "tax_type"})
    reader = run.api.find("deals", "read_billable")
    if reader is not None and left is not None:
        shown_read = run.call(reader, fill_path(run, reader, deal.id))
        expected = sorted(str(p.get("id")) for p in products_of(left))
        got_ids = sorted(str(p.get("id")) for p in products_of(record_of(run, reader, shown_read)))
        run.expect(got_ids == expected, shown_read, f"GET billable answered {shown_read.status} with products "
                   f"{got_ids}, the last save {expected}")


def _deal_lines(run: CheckRun, deal_id: Any) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """The deal's billable products: from the deal, or from GET /deals/{id}/billable when the deal does
    not show its billable object."""
    read, record = read_record(run, "deals", deal_id)
    if record is not None and isinstance(record.get("billable"), dict):
        return read, products_of(record["billable"])
    reader = run.api.find("deals", "read_billable")
    if reader is None:
        return read, None
    shown = run.call(reader, fill_path(run, reader, deal_id))
    found = record_of(run, reader, shown)
    return shown, products_of(found) if found is not None else None


@scenario("SEM-208", "semantics", "A deal body's billable adds products on create and update, and removes them",
          "MUST", "003 Create/Update Deal: billable products 'Array of products to be attached to the billable "
                  "object'; removed_products 'An array of billable product id's to remove from the record'")
def cc_billable_in_deal(run: CheckRun) -> None:
    """case: added (on POST /deals and PUT /deals/{id}), removed (PUT)."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    word = token(run, "p")
    first, second = f"{word} on create", f"{word} on update"
    deal = own_deal(run, billable={"tax_type": "no_tax", "products": [{"name": first, "unit_price": 10}]})
    shown, lines = _deal_lines(run, deal.id)
    if lines is None:
        return  # neither the deal nor GET billable shows the products: nothing to observe
    names = [p.get("name") for p in lines]
    run.expect(first in names, shown, f"a deal created with product {first!r} has products {names}",
               operation=create, about={"case": "added"})
    path = fill_path(run, update, deal.id)
    added = run.call(update, path, json_body=update_body(None, deal, billable={
        "tax_type": "no_tax", "products": [{"name": second, "unit_price": 20}]}))
    shown, lines = _deal_lines(run, deal.id)
    names = [p.get("name") for p in lines or []]
    run.expect(succeeded(added) and first in names and second in names, shown,
               f"after a PUT adding {second!r} (answered {added.status}) the deal has products {names}",
               operation=update, about={"case": "added"})
    line = next((p for p in lines or [] if p.get("name") == first), None)
    if line is None:
        return
    removed = run.call(update, path, json_body=update_body(None, deal, billable={"removed_products": [line.get("id")]}))
    shown, lines = _deal_lines(run, deal.id)
    names = [p.get("name") for p in lines or []]
    run.expect(succeeded(removed) and first not in names and second in names, shown,
               f"after a PUT removing product {line.get('id')} (answered {removed.status}) the deal has "
               f"products {names}", operation=update, about={"case": "removed"})


@scenario("SEM-209", "semantics", "Invalid product metadata is refused with 422 naming the field", "MUST",
          "003 Product metadata: name (Required), unit_price (Required), discount_type 'Any of [percent, "
          "fixed]'; tax_type 'Any of [exclusive, inclusive, no_tax]'")
def cc_billable_refusals(run: CheckRun) -> None:
    """product_field: name / unit_price (missing), discount_type (outside its choices); field: tax_type."""
    save, deal, path = deal_at(run, "save_billable")
    cases = (
        ("name", {"products": [{"unit_price": 10}]}, "a product without name", "product_field"),
        ("unit_price", {"products": [{"name": "crmconf no price"}]}, "a product without unit_price",
         "product_field"),
        ("discount_type", {"products": [{"name": "crmconf bad discount", "unit_price": 1,
                                         "discount_type": NOT_A_CHOICE}]}, "discount_type outside its choices",
         "product_field"),
        ("tax_type", {"tax_type": NOT_A_CHOICE}, "tax_type outside its choices", "field"),
    )
    for field, sent, what, key in cases:
        expect_refused(run, save, path, sent, field, what, {key: field})


# SEM-210: associations ---------------------------------------------------------------------------------------
def linked(record: dict[str, Any] | None, key: str) -> list[Any] | None:
    """The ids of a deal's associated records, where the deal shows them (ids, or objects with an id)."""
    value = record.get(key) if record else None
    if not isinstance(value, list):
        return None
    return [item.get("id") if isinstance(item, dict) else item for item in value]


def _judge_links(run: CheckRun, deal: Created, key: str, expected: set[Any], op: Operation, about: dict[str, str],
                 what: str, exact: bool = True) -> None:
    """The deal's `key` associations after `what`: exactly `expected` (or at least it), judged on the ids the
    deal shows, else on its `<key>_count`; not judged where the deal shows neither."""
    read, record = read_record(run, "deals", deal.id)
    ids, count = linked(record, key), number(record.get(f"{key}_count")) if record else None
    wanted = sorted(map(str, expected))
    if ids is not None:
        got = sorted(map(str, ids))
        ok = got == wanted if exact else set(wanted) <= set(got) and len(got) == len(set(got))
        run.expect(ok, read, f"after {what} the deal's {key} are {got}, expected {wanted}", operation=op, about=about)
    elif count is not None:
        ok = count == len(expected) if exact else count >= len(expected)
        run.expect(ok, read, f"after {what} the deal's {key}_count is {count:g}, expected {len(expected)}",
                   operation=op, about=about)


def _associate(run: CheckRun, key: str, records: list[Created]) -> None:
    attach, detach, sync = (op_of(run, "deals", f"{mode}_associations") for mode in ("attach", "detach", "sync"))
    first, second = (r.id for r in records)
    deal = own_deal(run)
    about = {"key": key, "case": "change"}
    for op, ids, expected, what in ((attach, [first], {first}, "attaching one"),
                                    (attach, [second], {first, second}, "attaching another"),
                                    (detach, [first], {second}, "detaching the first"),
                                    (sync, [first], {first}, "syncing to the first")):
        exchange = run.call(op, fill_path(run, op, deal.id), json_body={key: ids})
        if run.expect(succeeded(exchange), exchange, f"{what} of the {key} answered {exchange.status}", about=about):
            _judge_links(run, deal, key, expected, op, about, f"{what} ({op})")
    for op in (attach, detach, sync):  # CC7: a body naming no resource changes nothing when it is accepted
        if succeeded(run.call(op, fill_path(run, op, deal.id), json_body={})):
            _judge_links(run, deal, key, {first}, op, {"case": "empty"}, f"{op} without a resource key")
    again = run.call(attach, fill_path(run, attach, deal.id), json_body={key: [first]})
    twice = {"key": key, "case": "again"}
    if run.expect(succeeded(again) or again.status in (409, 422), again,
                  f"attaching an associated record again answered {again.status}, expected 2xx, 409 or 422",
                  about=twice):
        _judge_links(run, deal, key, {first}, attach, twice, "attaching an associated record again")


def _in_deal_bodies(run: CheckRun, key: str, records: list[Created]) -> None:
    """contacts and companies sent in a deal's create and update bodies."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    first, second = (r.id for r in records)
    about = {"key": key, "case": "change"}
    deal = own_deal(run, **{key: [first]})
    _judge_links(run, deal, key, {first}, create, about, f"creating the deal with {key} [{first}]")
    both = update_body(None, deal, **{key: [first, second]})
    sent = run.call(update, fill_path(run, update, deal.id), json_body=both)
    if run.expect(succeeded(sent), sent, f"updating the deal with {key} answered {sent.status}", about=about):
        _judge_links(run, deal, key, {first, second}, update, about, f"updating the deal with {key} "
                     f"[{first}, {second}]", exact=False)


@scenario("SEM-210", "semantics", "Attach adds, detach removes and sync replaces a deal's associations", "MUST",
          "003 Associations: attach/detach/sync 'Array of contacts ID's to attach' (companies, activities); "
          "Create/Update Deal contacts/companies 'the deal is associated with'; CC7 no key: 2xx or 422; CC8 "
          "unknown key or already associated: 409 or 422")
def cc_associations(run: CheckRun) -> None:
    """key: contacts / companies / activities with case: change (each attach, detach, sync, and the deal
    create and update bodies), again (attaching an associated record: 2xx, 409 or 422, no duplicate);
    case: empty (no resource key: 2xx and nothing changes, or 422), unknown key (409 or 422)."""
    deal = own_deal(run)
    for mode in ("attach", "detach", "sync"):
        op = op_of(run, "deals", f"{mode}_associations")
        empty = run.call(op, fill_path(run, op, deal.id), json_body={})
        run.expect(succeeded(empty) or empty.status == 422, empty,
                   f"{mode} without a resource key answered {empty.status}, expected 2xx or 422",
                   about={"case": "empty"})
        unknown = run.call(op, fill_path(run, op, deal.id), json_body={"crmconf_things": [1]})
        run.expect(unknown.status in (409, 422), unknown,
                   f"{mode} with an unknown resource key answered {unknown.status}, expected 409 (or 422)",
                   about={"case": "unknown key"})
    for key in ASSOCIATIONS:
        try:
            records = [create_record(run, key), create_record(run, key)]
        except FixtureUnavailable:
            continue  # the API gives the suite no records of that kind to associate: not judged
        _associate(run, key, records)
        if key != "activities":  # the page's create and update bodies take contacts and companies
            _in_deal_bodies(run, key, records)


# SEM-211, SEM-212: what a deal stores ------------------------------------------------------------------------
def _other(values: list[Any], current: Any) -> Any:
    """Another value the target itself uses (a stage, an owner), else the current one."""
    return next((v for v in values if isinstance(v, int) and not isinstance(v, bool) and v != current), current)


def _created_with_status(run: CheckRun, create: Operation, status: str, reason: str) -> None:
    extra = {"status": status, **({"lost_reason": reason} if status == "lost" else {})}
    made = run.fixtures.create("deals", overrides={"contacts": [], "companies": [], **extra})
    if made is None:
        last = next((e for e in reversed(run.target.exchanges) if e.operation == str(create)), None)
        run.fail(last, f"creating a deal with status {status} was refused ({last.status if last else None})",
                 operation=create, about={"field": "status"})
        return
    read, record = read_record(run, "deals", made.id)
    got = record.get("status") if record else None
    run.expect(got == status, read, f"a deal created with status {status} reads {got!r}", operation=create,
               about={"field": "status"})
    if status == "lost":
        kept = record.get("lost_reason") if record else None
        run.expect(kept == reason, read, f"a deal created lost with lost_reason {reason!r} reads {kept!r}",
                   operation=create, about={"field": "lost_reason"})


def _stored(run: CheckRun, update: Operation, deal: Created, sent: dict[str, Any], fields: tuple[str, ...]) -> None:
    """A PUT of `sent`, then each of `fields` reads back as sent (money within 0.005, a date possibly as a
    date-time of that day: X5, CC13)."""
    put = run.call(update, fill_path(run, update, deal.id), json_body=sent)
    read, record = read_record(run, "deals", deal.id)
    for field in fields:
        got = record.get(field) if record else None
        run.expect(succeeded(put) and reads_back_as_sent(sent[field], got), read if succeeded(put) else put,
                   f"updated {field} to {sent[field]!r} (answered {put.status}), the deal reads {got!r}",
                   operation=update, about={"field": field})


@scenario("SEM-211", "semantics", "A deal stores what its create and update send, and reads back as asked", "MUST",
          "003 Create/Update Deal body: name, stage_id, amount, expected_close_date, user_id, status 'Any of "
          "[open, won, lost]', lost_reason 'Applicable when status is lost'; Retrieve Deal 'The ID of the record'")
def cc_deal_fields(run: CheckRun) -> None:
    """field: status and lost_reason on create (each status); field: id on read; field: name, stage_id,
    amount, expected_close_date, user_id, status, lost_reason on update."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    reason = f"{token(run, 'l')} reason"
    for status in ("won", "lost", "open"):
        _created_with_status(run, create, status, reason)
    deal = own_deal(run)
    read, record = read_record(run, "deals", deal.id)
    got_id = record.get("id") if record else None
    run.expect(str(got_id) == str(deal.id), read, f"GET of deal {deal.id} answered {read.status} with id {got_id!r}",
               about={"field": "id"})
    _, others = list_items(run, op_of(run, "deals", "list"), per_page=50)
    current = record or deal.record
    sent = update_body(current, deal, name=f"{current.get('name')} (renamed)",
                       stage_id=_other([d.get("stage_id") for d in others], current.get("stage_id")),
                       amount=2345.5, expected_close_date="2027-03-04",
                       user_id=_other([d.get("user_id") for d in others], current.get("user_id")))
    _stored(run, update, deal, sent, ("name", "stage_id", "amount", "expected_close_date", "user_id"))
    base = {"name": sent["name"], "stage_id": sent["stage_id"]}
    _stored(run, update, deal, {**base, "status": "won"}, ("status",))
    _stored(run, update, deal, {**base, "status": "open"}, ("status",))
    _stored(run, update, deal, {**base, "status": "lost", "lost_reason": reason}, ("status", "lost_reason"))


@scenario("SEM-212", "semantics", "An update with an empty stage_id or an unknown status is refused", "MUST",
          "003 Update Deal: stage_id Required; status 'Any of [open, won, lost]' (CC2: a field sent empty is "
          "refused under both readings)")
def cc_update_refusals(run: CheckRun) -> None:
    """field: stage_id (sent null, then empty), status (outside open, won, lost)."""
    update, deal, path = deal_at(run, "update")
    for value in (None, ""):
        expect_refused(run, update, path, update_body(None, deal, stage_id=value), "stage_id",
                       f"an update with stage_id {value!r}", {"field": "stage_id"})
    expect_refused(run, update, path, update_body(None, deal, status=NOT_A_CHOICE), "status",
                   f"an update with status {NOT_A_CHOICE!r}", {"field": "status"})


# SEM-216, SEM-218: requests and answers -------------------------------------------------------------
@response("SEM-216", "semantics", "The documented request form is accepted: the bearer token, JSON bodies", "MUST",
          "003 headers: 'Authorization (Required) string Bearer {token}', 'Content-Type (Required) string "
          "application/json': a request that sends them is never refused for them (401, 415)")
def cc_request_form(run: CheckRun, exchange: Exchange) -> None:
    """header: Authorization (a valid token is not answered 401), Content-Type (a JSON body sent as
    application/json is not answered 415); one pass per operation and header."""
    op = in_scope(run, exchange)
    if op is None or not exchange.valid_credential or exchange.status is None:
        return
    judged = [("Authorization", exchange.status != 401, "the valid bearer token was refused with 401")]
    if isinstance(exchange.request_body, dict | list):
        judged.append(("Content-Type", exchange.status != 415, "a JSON body sent as application/json was refused "
                                                                "with 415"))
    for header, ok, message in judged:
        if not ok:
            run.fail(exchange, message, about={"header": header})
        elif (str(op), header) not in run.noted:
            run.noted.add((str(op), header))
            run.observe(exchange, {"header": header})


RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining")


@response("SEM-218", "semantics", "The rate-limit headers, when sent, are integers", "SHOULD",
          "Concord API pages (dialects.md 1C [D]): X-RateLimit-Limit, X-RateLimit-Remaining; CC14 lenient on "
          "their absence")
def cc_rate_limit_headers(run: CheckRun, exchange: Exchange) -> None:
    """header: X-RateLimit-Limit / X-RateLimit-Remaining; one pass per operation and header."""
    op = in_scope(run, exchange)
    if op is None:
        return
    headers = {k.lower(): v for k, v in exchange.response_headers.items()}
    for header in RATE_HEADERS:
        value = headers.get(header.lower())
        if value is None:
            continue  # CC14: a proxy may strip them
        if not value.strip().isdigit():
            run.fail(exchange, f"{header} is {value!r}, not an integer", about={"header": header})
        elif (str(op), header) not in run.noted:
            run.noted.add((str(op), header))
            run.observe(exchange, {"header": header})
