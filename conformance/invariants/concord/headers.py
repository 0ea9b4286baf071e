"""Requests and answers (SEM-216, SEM-218): the documented request form is accepted; rate-limit headers are
integers."""

from __future__ import annotations

from conformance.checks._common import in_scope
from conformance.context import CheckRun
from conformance.registry import response
from conformance.target import Exchange


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
