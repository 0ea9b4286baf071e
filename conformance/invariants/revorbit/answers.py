"""The rules every answer is judged by (SEM-015, SEM-016, SEM-017), and SEM-022: a token without the Bearer
scheme is refused."""

from __future__ import annotations

from conformance import normalise
from conformance.checks._common import in_scope
from conformance.context import CheckRun
from conformance.fixtures import path_value
from conformance.invariants._common import record_of, succeeded
from conformance.invariants.revorbit.catalogue import judged
from conformance.invariants.revorbit.credentials import role_of
from conformance.registry import response, scenario
from conformance.target import Exchange


@response("SEM-015", "status", "Successful reads, lists and updates answer 200", "MUST",
          "000 status table '200 Success' (201 is 'Created'); RO5 'Update: 200 with success:true'")
def ro_success_is_200(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: nothing more than the operation (only those the catalogue names for it are judged)."""
    op = in_scope(run, exchange)
    if op is None or op.method not in ("get", "put") or not succeeded(exchange) or not judged(run, op):
        return
    run.expect(exchange.status == 200, exchange, f"{op} succeeded with {exchange.status}, expected 200")


@response("SEM-016", "auth", "A valid credential is never refused: no 401, and no 403 where its role is allowed",
          "MUST", "000 'Include your token in the Authorization header of each request' (401 is 'Invalid or missing "
          "token'); RO13 'Run with an admin token': an admin token is accepted everywhere")
def ro_valid_credential_accepted(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: status 401 or 403."""
    op = in_scope(run, exchange)
    if op is None or not op.secured or not exchange.valid_credential or not judged(run, op):
        return
    run.expect(exchange.status != 401, exchange, f"a valid {exchange.credential} credential got 401 from {op}",
               about={"status": "401"})
    role = role_of(run, exchange.credential)
    if role is not None and (not op.roles or role in op.roles):
        run.expect(exchange.status != 403, exchange, f"a credential of role {role!r}, which {op} allows, got 403",
                   about={"status": "403"})


@response("SEM-017", "envelope", "A record read by id is that record", "MUST",
          "001 GET /deals/{id} 'Retrieve a single deal': data.id is the path id")
def ro_read_is_that_record(run: CheckRun, exchange: Exchange) -> None:
    """Reports about: nothing more than the operation (only those the catalogue names for it are judged)."""
    op = in_scope(run, exchange)
    if op is None or op.action != "read" or exchange.status != 200 or not judged(run, op):
        return
    own = op.record_param()
    asked = path_value(op, exchange.url, own) if own is not None else None
    record = record_of(run, op, exchange)
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
