"""Which credential a request of the suite goes out with: the --token, unless its JWT role is one the
operation leaves out (RO13), then the --admin-token."""

from __future__ import annotations

from typing import Any

from conformance.context import CheckRun
from conformance.preflight import jwt_claims
from conformance.target import Exchange
from crmspec.model import Operation


def claims_of(run: CheckRun, credential: str | None) -> dict[str, Any]:
    """The claims of a named credential that is a JWT (000 'JWT authentication'), read without verifying it:
    the suite only learns from them who it is; empty when the credential is not a JWT."""
    return jwt_claims(run.dialect.auth, str(run.target.credentials.get(credential or "") or "")) or {}


def role_of(run: CheckRun, credential: str | None) -> Any:
    return claims_of(run, credential).get(run.dialect.auth.role_claim)


def credential_for(run: CheckRun, op: Operation) -> str | None:
    """The credential a write or read of `op` goes out with: the --token, unless its JWT role is one the
    operation's security leaves out (RO13: stage mutations, import and export may refuse a non-admin token),
    then the --admin-token; None when the suite holds no credential the operation allows (not exercised)."""
    role = role_of(run, "default")
    if not op.roles or role is None or role in op.roles:
        return "default"
    return "admin" if run.target.credentials.get("admin") else None


def call(run: CheckRun, op: Operation, path_values: dict[str, Any] | None = None, **kwargs: Any) -> Exchange:
    return run.call(op, path_values, credential=credential_for(run, op) or "default", **kwargs)
