"""Before judging, prove that each credential does what its flag says.

A refused --token (or --admin-token) stops the run: nothing can be judged with it (exit 2). An
--expired-token or --limited-token is used only once it is proven to be what its flag says: refused on a
safe read (401 for an expired one; 401 or 403 for a limited one on a read its role may not make), or,
for a JWT, shown by its own claims (`exp` in the past; no role the read allows, and not expired). A
credential proven neither way is not used at all: the checks that need it are skipped with the reason.
So a valid admin token passed by mistake as either is never sent, and the suite's auth probes only ever
write to its own records (conformance/checks/auth.py).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from conformance.context import RunContext
from conformance.model import Preflight
from conformance.target import Exchange
from crmspec.model import Auth, Operation


class CannotJudge(Exception):
    """The run cannot judge the target at all (a refused credential, nothing at the base URL)."""


def safe_reads(ctx: RunContext) -> list[Operation]:
    """Secured GETs of the API itself that name no record, the pages' own first, in document order."""
    reads = [op for op in ctx.api.operations
             if op.method == "get" and op.secured and not op.path_params and op.mount == ctx.dialect.base_path]
    return sorted(reads, key=lambda op: op.source == "inferred")


def gated_reads(ctx: RunContext, role: str) -> list[Operation]:
    """Safe reads whose documented roles leave `role` out, where the pages badge the gate."""
    return [op for op in safe_reads(ctx) if op.roles and role not in op.roles
            and op.raw.get("x-crm-role-gate") != "mock"]


def jwt_claims(auth: Auth, credential: str) -> dict[str, Any] | None:
    """The payload of a JWT credential, unverified (the suite cannot verify it): None if it is not one."""
    if auth.scheme != "jwt":
        return None
    parts = credential.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _expires(claims: dict[str, Any] | None) -> float | None:
    exp = (claims or {}).get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _roles(auth: Auth, claims: dict[str, Any] | None) -> set[str] | None:
    held = (claims or {}).get(auth.role_claim)
    if isinstance(held, str):
        return {held}
    if isinstance(held, list) and all(isinstance(r, str) for r in held):
        return set(held)
    return None


def _read(ctx: RunContext, op: Operation, credential: str) -> Exchange:
    return ctx.target.send("GET", op.path, operation=str(op), credential=credential, source="preflight")


def run_preflight(ctx: RunContext) -> Preflight:
    report = Preflight()
    reads = safe_reads(ctx)
    if not reads:
        report.credential = "not tried: the document has no secured read without a path parameter"
    else:
        for name in ("default", "admin"):
            if name in ctx.target.credentials:
                report.credential = _prove_accepted(ctx, reads, name)
    credentials = ctx.target.credentials
    if "expired" in credentials:
        report.expired_refused, report.expired = _prove_expired(ctx, reads)
    if "limited" in credentials:
        report.limited_refused, report.limited = _prove_limited(ctx)
    return report


def _flag(name: str) -> str:
    return "--token" if name == "default" else f"--{name}-token"


def _prove_accepted(ctx: RunContext, reads: list[Operation], name: str) -> str:
    answers: list[tuple[Operation, Exchange]] = []
    for op in reads[:5]:
        exchange = _read(ctx, op, name)
        if exchange.status is None:
            raise CannotJudge(f"{ctx.target.base_url} does not answer: {exchange.error}")
        answers.append((op, exchange))
        if exchange.status not in (401, 403, 404):
            return f"accepted: {exchange.status} on {op}"
        if exchange.status == 401:
            break  # refused outright: no other read will think otherwise
    if {exchange.status for _, exchange in answers} == {404}:
        raise CannotJudge(f"nothing answers at the base URL: 404 on {answers[0][0]} "
                          f"(is {ctx.target.base_url} the API root?)")
    op, refusal = next((o, e) for o, e in answers if e.status in (401, 403))
    raise CannotJudge(f"the {_flag(name)} credential was refused: {refusal.status} on {op}")


def _prove_expired(ctx: RunContext, reads: list[Operation]) -> tuple[bool, str]:
    if not reads:
        return False, "not proven: no safe read to try it on; the expiry checks are skipped"
    op = reads[0]
    exchange = _read(ctx, op, "expired")
    if exchange.status == 401:
        return True, f"refused: 401 on {op}"
    expires = _expires(jwt_claims(ctx.dialect.auth, ctx.target.credentials["expired"]))
    if expires is not None and expires < time.time():
        return True, (f"expired by its own exp claim ({int(time.time() - expires)} s ago), yet answered "
                      f"{exchange.status} on {op}")
    return False, (f"not refused ({exchange.status} on {op}) and not shown expired by its own claims, so it is "
                   "not known to be an expired credential: the expiry checks are skipped")


def _prove_limited(ctx: RunContext) -> tuple[bool, str]:
    auth = ctx.dialect.auth
    role = auth.limited_role
    if not role:
        return False, "not used: the API documents no role gate; the 403 checks are skipped"
    gated = gated_reads(ctx, role)
    if not gated:
        return False, f"not proven: no safe read leaves the {role} role out; the 403 checks are skipped"
    claims = jwt_claims(auth, ctx.target.credentials["limited"])
    held, expires = _roles(auth, claims), _expires(claims)
    seen: list[str] = []
    for op in gated:
        exchange = _read(ctx, op, "limited")
        shown_limited = held is not None and not held & set(op.roles or ()) and \
            (expires is None or expires > time.time())
        if exchange.status == 403:
            return True, f"refused: 403 on {op}"
        if exchange.status == 401 and shown_limited:
            return True, f"refused (401) on {op}, though its claims show an unexpired {sorted(held or ())} role"
        if exchange.status is not None and 200 <= exchange.status < 300 and shown_limited:
            return True, (f"its claims show the role {sorted(held or ())}, which {op} does not allow, yet it "
                          f"answered {exchange.status}")
        seen.append(f"{exchange.status} on {op}")
    return False, (f"not refused on any read its role may not make ({', '.join(seen[:3])}), and not shown "
                   "limited by its own claims: the 403 checks are skipped")
