"""SEM-118: a token holding a CRM role is admitted to every CRM read."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.preflight import jwt_claims
from conformance.registry import scenario
from crmspec.model import Auth


def _roles(auth: Auth, credential: str) -> list[str]:
    """The roles a JWT's payload names (read, not verified: the server verifies it)."""
    value = (jwt_claims(auth, credential) or {}).get(auth.role_claim)
    return [str(r) for r in (value if isinstance(value, list) else [value] if value else [])]


@scenario("SEM-118", "auth", "A token holding a CRM role is admitted to every CRM read", "MUST",
          "002 Required Roles: marketing, sales, manager, restaurant_manager, tenant_admin, platform_admin, "
          "system_admin, super_admin (OC15); judged for the roles of the tokens the suite is given")
def oc_roles_admitted(run: CheckRun) -> None:
    auth = run.dialect.auth
    if auth.scheme != "jwt":
        run.skip("the API's credential is not a JWT")
    for name in ("default", "admin"):
        credential = run.target.credentials.get(name)
        roles = _roles(auth, str(credential or ""))
        for op in run.api.operations:
            allowed = [r for r in roles if r in (op.roles or ())]
            if not op.secured or op.method != "get" or op.path_params or not allowed:
                continue
            exchange = run.call(op, credential=name)
            run.expect(exchange.status not in (401, 403, None), exchange, f"a token with the CRM role "
                       f"{allowed[0]} got {exchange.status} from {op}", about={"role": allowed[0]})
