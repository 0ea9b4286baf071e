"""The deals search (SEM-203, SEM-214, SEM-215): a bare array of the matches, in the order asked for, without
deleted deals."""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.invariants._common import list_items, op_of, succeeded, unique_word
from conformance.invariants.concord.own_deals import own_deal
from conformance.ordering import misplaced
from conformance.registry import scenario
from crmspec.model import Operation


def search_op(run: CheckRun) -> Operation:
    found = next((op for op in run.api.operations if op.resource == "deals" and op.action == "collection"), None)
    if found is None:
        run.skip("the document has no deals search operation")
    assert found is not None
    return found


def ids_in(run: CheckRun, op: Operation, items: list[dict[str, Any]]) -> list[str]:
    field = run.dialect.resources[op.resource].id_field
    return [str(i.get(field)) for i in items]


@scenario("SEM-203", "semantics", "Search answers a bare array of the matches, limited by take, empty for an empty q",
          "MUST", "003 Search Deals 'without pagination and use the take parameter'; URL /deals/search?q={query} "
                  "(CC5 strict: bare array, take=1 -> at most 1, empty q -> []); CC6 q matching strict")
def cc_search(run: CheckRun) -> None:
    """case: array (the body is a bare JSON array); parameter q with case: match (the deals holding q, and
    only those), empty (an empty q gives []), absent (no q: [] or a 4xx); parameter: take."""
    search = search_op(run)
    word = unique_word(run, "s")
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
    word = unique_word(run, "d")
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
