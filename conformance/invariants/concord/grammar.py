"""SEM-213: the list and search query grammar (search_fields, search_match, select, unknown parameters)."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import list_items, op_of, succeeded, unique_word
from conformance.invariants.concord.own_deals import own_deal
from conformance.invariants.concord.search import ids_in, search_op
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation


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
    word = unique_word(run, "m")
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
