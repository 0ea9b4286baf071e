"""Auth: every secured operation refuses missing, malformed, forged and expired credentials with 401;
a credential whose role may not call an operation gets 403.

The suite does no harm (X11), whatever credentials it is given: a request that can change state goes
only to records the suite created in this run (or to an id the target proved it does not have), with an
empty body that names no other record, and only with credentials the preflight proved are refused (or
that the suite forged to be invalid). A server that wrongly accepts one can change nothing but the
suite's own records.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from conformance import normalise
from conformance.checks._common import body, in_scope
from conformance.context import CheckRun
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Operation

PLACEHOLDER_ID = "1"
SAFE_METHODS = ("get", "head", "options")


def _other_value(op: Operation, name: str) -> Any:
    """A value for a path parameter that names no record (003's {status}): its first enum value."""
    for parameter in op.raw.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("name") == name and parameter.get("in") == "path":
            schema = parameter.get("schema") or {}
            if schema.get("enum"):
                return schema["enum"][0]
            if "example" in parameter:
                return parameter["example"]
    return PLACEHOLDER_ID


def path_values(run: CheckRun, op: Operation) -> dict[str, Any] | None:
    """Path values for an auth probe: any id for a read; for anything that can change state, a record the
    suite owns (or an id the target proved absent). None: the suite has no such record to aim at."""
    if not op.path_params:
        return {}
    if op.method in SAFE_METHODS:
        placeholder = "contact_001" if run.dialect.id_type == "string" else PLACEHOLDER_ID
        return {p: placeholder for p in op.path_params}
    resource = run.dialect.resources.get(op.resource)
    parent = resource.parent.param if resource is not None and resource.parent is not None else None
    own = op.record_param(parent)
    values: dict[str, Any] = {}
    if own is not None:
        record = run.fixtures.auth_target(op.resource)
        record_id = record.id if record is not None else run.fixtures.absent_id(op.resource)
        if record_id is None:
            return None
        values[own] = record_id
        if parent is not None:
            values[parent] = record.parent_id if record is not None else run.fixtures.parent_of(op.resource)
    elif parent is not None:
        values[parent] = run.fixtures.parent_of(op.resource)
    for name in op.path_params:
        values.setdefault(name, _other_value(op, name))
    return None if any(v is None for v in values.values()) else values


def secured_operations(run: CheckRun) -> Iterator[tuple[Operation, dict[str, Any]]]:
    """Every secured operation of the API once, with path values that put no foreign record at risk."""
    for op in run.api.operations:
        if not op.secured or op.mount != run.dialect.base_path:
            continue
        values = path_values(run, op)
        if values is None:
            continue  # nothing of the suite's own to aim a write at: not exercised rather than risk harm
        yield op, values


def _json_body(op: Operation) -> Any:
    content = (op.raw.get("requestBody") or {}).get("content") or {}
    return {} if "application/json" in content else None


def probe(run: CheckRun, op: Operation, path: dict[str, Any], credential: str | None,
          headers: dict[str, str] | None) -> Exchange:
    """A request to a secured operation with a credential (or headers) it should refuse; what a server that
    wrongly accepted it deleted is forgotten, and what it made is the suite's to delete."""
    exchange = run.call(op, path, credential=credential, headers=headers, json_body=_json_body(op))
    if op.method == "delete" and exchange.status is not None and 200 <= exchange.status < 300:
        run.fixtures.forget(op.resource, path.get(op.record_param() or "", None))  # wrongly accepted: it is gone
    elif op.action == "create":
        run.fixtures.adopt(op, exchange)  # wrongly accepted: the suite owns what was made and deletes it
    return exchange


def _expect_401(run: CheckRun, exchange: Exchange, what: str) -> None:
    if exchange.status is None:
        return
    if exchange.status != 401:
        run.fail(exchange, f"{what}: answered {exchange.status}, expected 401"
                 + (" (a secured operation answered without a valid credential)" if exchange.status < 300 else ""))
        return
    message = normalise.error(run.dialect, body(exchange)).message
    run.expect(isinstance(message, str) and bool(message), exchange, f"{what}: the 401 has no error message")


def _each(run: CheckRun, headers: dict[str, str] | None, credential: str | None, what: str) -> None:
    for op, path in secured_operations(run):
        _expect_401(run, probe(run, op, path, credential, headers), what)


def _tampered(credential: str) -> str:
    flip = "A" if credential[-1] != "A" else "B"
    return credential[:-1] + flip


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@scenario("AUT-001", "auth", "Without a credential every secured operation answers 401", "MUST",
          "X8: 401 for missing credentials in every API (000 '401 Unauthorized - Invalid or missing token'; "
          "002 'All endpoints require a valid Bearer token'; 003 [D] 401; 004 errors page 401)")
def missing(run: CheckRun) -> None:
    _each(run, None, None, "no credential")


@scenario("AUT-002", "auth", "A malformed credential answers 401", "MUST",
          "X8; 000 'Invalid or missing token'; 004 'Invalid API credentials.'")
def malformed(run: CheckRun) -> None:
    auth = run.dialect.auth
    if auth.scheme == "key_pair":
        headers = {str(auth.access_header): "not-a-key", str(auth.secret_header): "not-a-secret"}
    else:
        headers = {"Authorization": "Bearer not.a.token"}
    _each(run, headers, None, "malformed credential")
    if auth.scheme != "key_pair":
        _each(run, {"Authorization": "Basic Y3JtOmNvbmZvcm1hbmNl"}, None, "a Basic credential")


@scenario("AUT-003", "auth", "A credential with a tampered signature or secret answers 401", "MUST",
          "X8: an invalid token is refused (000 'Invalid or missing token'; 004 'Invalid API credentials.')")
def tampered(run: CheckRun) -> None:
    credential = run.target.credentials.get("default")
    if not credential:
        run.skip("no --token given")
    headers = run.target.auth_headers(_tampered(str(credential)))
    _each(run, headers, None, "tampered credential")


@scenario("AUT-004", "auth", "An unsigned JWT (alg: none) answers 401", "MUST",
          "wherever the credential is a JWT (000 'JWT authentication'; 002 'valid JWT Bearer token'): an unsigned "
          "token is not a valid one")
def alg_none(run: CheckRun) -> None:
    if run.dialect.auth.scheme != "jwt":
        run.skip("the API's credential is not a JWT")
    credential = str(run.target.credentials.get("default") or "")
    parts = credential.split(".")
    if len(parts) != 3:
        run.skip("the --token is not a JWT")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        run.skip("the --token's payload is not JSON")
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{parts[1]}."
    if not isinstance(claims, dict):
        run.skip("the --token's payload is not a JSON object")
    _each(run, {"Authorization": f"Bearer {forged}"}, None, "alg none")


@scenario("AUT-005", "auth", "An expired credential answers 401", "MUST",
          "000 authentication page: tokens expire and are refreshed; 002 'expires_in: 3600' (TOKEN_EXPIRED); X8")
def expired(run: CheckRun) -> None:
    if not run.target.credentials.get("expired"):
        run.skip("no --expired-token given")
    if not run.ctx.preflight.expired_refused:
        run.skip(f"the --expired-token was {run.ctx.preflight.expired}")
    _each(run, None, "expired", "expired credential")


@scenario("AUT-006", "auth", "A credential whose role may not call an operation answers 403", "MUST",
          "products page: GET/POST /products 'Admin Required' (RO13 strict there only); 002 Required Roles (OC15)")
def forbidden(run: CheckRun) -> None:
    limited_role = run.dialect.auth.limited_role
    if not run.target.credentials.get("limited"):
        run.skip("no --limited-token given")
    if not limited_role:
        run.skip("the API documents no role gate")
    if not run.ctx.preflight.limited_refused:
        run.skip(f"the --limited-token was {run.ctx.preflight.limited}")
    for op, path in secured_operations(run):
        roles = op.roles or ()
        if not roles or limited_role in roles or not _strict_gate(op):
            continue
        exchange = probe(run, op, path, "limited", None)
        run.expect(exchange.status == 403, exchange,
                   f"the {limited_role} credential got {exchange.status}, expected 403 from {op}",
                   about={"role": limited_role})


def _strict_gate(op: Operation) -> bool:
    """RO13: a gate the pages badge is strict; one the mock chose (x-crm-role-gate: mock) is not judged."""
    return op.raw.get("x-crm-role-gate") != "mock"


@scenario("AUT-007", "auth", "A credential with an allowed role is accepted", "MUST",
          "002 Required Roles; 000 'JWT Required' endpoints accept any valid token")
def allowed(run: CheckRun) -> None:
    if not run.target.credentials.get("limited") or not run.dialect.auth.limited_role:
        run.skip("no --limited-token given")
    if not run.ctx.preflight.limited_refused:
        run.skip(f"the --limited-token was {run.ctx.preflight.limited}")
    for op in run.api.operations:
        if op.secured and op.method == "get" and not op.path_params and op.mount == run.dialect.base_path:
            roles = op.roles or ()
            if roles and run.dialect.auth.limited_role not in roles:
                continue
            exchange = run.call(op, credential="limited")
            run.expect(exchange.status is not None and exchange.status not in (401, 403), exchange,
                       f"the limited credential may call {op} but got {exchange.status}",
                       about={"role": run.dialect.auth.limited_role})


@response("AUT-008", "auth", "A 401 or 403 carries a machine code the API declares for it", "SHOULD",
          "where the error block declares codes (Olympus 1B: '401 UNAUTHORIZED / INVALID_TOKEN / TOKEN_EXPIRED; "
          "403 FORBIDDEN'; OC4: the code is read from code, error.code or error)")
def auth_error_code(run: CheckRun, exchange: Exchange) -> None:
    if exchange.status not in (401, 403) or run.dialect.errors.code is None or in_scope(run, exchange) is None:
        return
    allowed = run.dialect.errors.codes_for(exchange.status)
    if not allowed:
        return
    code = normalise.error(run.dialect, body(exchange)).code
    run.expect(isinstance(code, str) and code in allowed, exchange,
               f"the {exchange.status} carries the code {code!r}, expected {' or '.join(sorted(allowed))}",
               about={"status": str(exchange.status)})
