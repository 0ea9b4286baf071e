"""Auth is real: every failure is 401 in the API's envelope, a role outside the gate is 403."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import jwt
import pytest

from tests.conftest import SECRET, Mock
from tests.integration.helpers import assert_error_envelope

MAIN = {"revorbit": "/deals", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}
JWT_DIALECTS = ("revorbit", "olympus")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_missing_credential(mock: Mock) -> None:
    assert_error_envelope(mock, mock.get(MAIN[mock.dialect], headers={}), 401)


def test_malformed_credential(mock: Mock) -> None:
    if mock.dialect == "ysuite":
        bad = {"x-ysuite-access-key": "nope", "x-ysuite-secret-key": "nope"}
    else:
        bad = {"Authorization": "Bearer not-a-token"}
    assert_error_envelope(mock, mock.get(MAIN[mock.dialect], headers=bad), 401)
    if mock.dialect != "ysuite":
        basic = {"Authorization": "Basic " + base64.b64encode(b"a:b").decode()}
        assert_error_envelope(mock, mock.get(MAIN[mock.dialect], headers=basic), 401)


def test_tampered_credential(mock: Mock) -> None:
    headers = dict(mock.headers)
    key = "x-ysuite-secret-key" if mock.dialect == "ysuite" else "Authorization"
    value = headers[key]
    headers[key] = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert_error_envelope(mock, mock.get(MAIN[mock.dialect], headers=headers), 401)


def test_expired_credential(mock: Mock) -> None:
    response = mock.get(MAIN[mock.dialect], headers=mock.headers_for(expired=True))
    assert_error_envelope(mock, response, 401)


def test_wrong_secret(make_mock: Callable[..., Mock], dialect: str) -> None:
    signer = make_mock(dialect, secret="another-secret-entirely-0123456789")
    verifier = make_mock(dialect)
    assert_error_envelope(verifier, verifier.get(MAIN[dialect], headers=signer.headers), 401)


@pytest.mark.parametrize("dialect", JWT_DIALECTS)
def test_forged_jwts(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect)
    auth = mock.api.dialect.auth
    now = int(time.time())
    admin = [auth.default_role] if auth.role_claim == "roles" else auth.default_role
    claims = {"sub": "1", auth.role_claim: admin, "exp": now + 600}
    if auth.issuer:
        claims["iss"] = auth.issuer
    if auth.audience:
        claims["aud"] = auth.audience
    forged = {
        "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + ".",
        "wrong secret": jwt.encode(claims, "a-guessed-secret-0123456789abcdef", algorithm="HS256"),
        "not yet valid": jwt.encode({**claims, "nbf": now + 3600}, SECRET, algorithm="HS256"),
        "no exp": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, SECRET, algorithm="HS256"),
        "no role": jwt.encode({k: v for k, v in claims.items() if k != auth.role_claim}, SECRET, algorithm="HS256"),
    }
    limited = mock.credentials.issue(auth.limited_role)
    head, payload, signature = limited.split(".")
    raised = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raised[auth.role_claim] = admin
    forged["role raised in the payload"] = f"{head}.{_b64(raised)}.{signature}"
    for name, token in forged.items():
        response = mock.get(MAIN[dialect], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
    genuine = jwt.encode(claims, SECRET, algorithm="HS256")
    assert mock.get(MAIN[dialect], headers={"Authorization": f"Bearer {genuine}"}).status_code == 200


def test_revorbit_admin_only_operation_refuses_a_user(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")  # products page: GET /products is "Admin Required"
    assert_error_envelope(mock, mock.get("/products", headers=mock.headers_for("user")), 403)
    assert mock.get("/products", headers=mock.headers_for("admin")).status_code == 200
    assert mock.get("/products/list", headers=mock.headers_for("user")).status_code == 200  # JWT Required
    assert mock.get("/deals", headers=mock.headers_for("user")).status_code == 200


def test_olympus_roles_outside_the_crm_list_are_forbidden(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("olympus")  # 002: Required Roles lists eight; OC15
    for role in ("marketing", "sales", "manager", "restaurant_manager", "tenant_admin", "platform_admin",
                 "system_admin", "super_admin"):
        assert mock.get("/contacts", headers=mock.headers_for(role)).status_code == 200, role
    assert_error_envelope(mock, mock.get("/contacts", headers=mock.headers_for("staff")), 403)


def test_every_secured_operation_refuses_an_anonymous_call(mock: Mock) -> None:
    for op in mock.api.operations:
        if not op.secured:
            continue
        path = op.full_path
        for param in op.path_params:
            path = path.replace("{" + param + "}", "1")
        response = mock.client.open(path, method=op.method.upper())
        assert response.status_code == 401, f"{op} answered {response.status_code}"
        assert response.mimetype == "application/json"


@pytest.mark.parametrize("dialect", JWT_DIALECTS)
def test_login_issues_a_token_the_api_accepts(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect)
    path = "/auth/login" if dialect == "revorbit" else "/v1/auth/login"
    bad = mock.client.post(mock.url(path), json={"email": "admin@example.com", "password": "wrong"})
    assert bad.status_code == 401
    good = mock.client.post(mock.url(path), json={"email": "admin@example.com", "password": "mock-password"})
    assert good.status_code == 200, good.get_data(as_text=True)
    body = good.get_json()
    # 000/authentication: {success, token, user}; Olympus guide: {status:{type:"success", access_token}}
    token = body["token"] if dialect == "revorbit" else body["status"]["access_token"]
    assert mock.get(MAIN[dialect], headers={"Authorization": f"Bearer {token}"}).status_code == 200
