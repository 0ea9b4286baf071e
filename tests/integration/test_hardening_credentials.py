"""Forged and edited credentials of every kind, against every API that has that kind: 401 or 403 in the
API's envelope, never a 2xx, never a 500, and nothing secret echoed back.

test_mock_auth.py already covers alg none, a wrong secret, nbf, no exp, no role and a raised role in the
payload (JWT), and a tampered last character (all kinds); this file adds what it does not: algorithm
confusion, other algorithms, missing sub, wrong issuer or audience, tokens of another API, edited Concord
tokens and YSUITE key pairs, non-ASCII credentials (they used to be a 500: hmac.compare_digest refuses
non-ASCII str), the constant-time comparison of both YSUITE keys, and the served log of a hostile run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest

from mock_server.auth import Credentials
from tests.conftest import SECRET, Mock, auth_headers
from tests.integration.helpers import assert_error_envelope
from tests.servers import free_port

# an operation each API gates by role where it has roles, else its main list
GATED = {"revorbit": "/products", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}
# a public key, in the form an algorithm-confusion attack feeds to an HS256 verifier as the HMAC secret
PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u
+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh
kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ
0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg
cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc
mwIDAQAB
-----END PUBLIC KEY-----"""


def _b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signed(claims: dict[str, Any], key: bytes, alg: str = "HS256", **header: Any) -> str:
    """A JWT signed by hand (pyjwt refuses PEM keys and empty secrets as HMAC keys, as an attacker would not)."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signing_input = _b64({"alg": alg, "typ": "JWT", **header}) + "." + _b64(claims)
    return signing_input + "." + _b64(hmac.new(key, signing_input.encode(), digest).digest())


def _unb64(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _claims(mock: Mock, **changes: Any) -> dict[str, Any]:
    auth = mock.api.dialect.auth
    role = [auth.default_role] if auth.role_claim == "roles" else auth.default_role
    claims: dict[str, Any] = {"sub": "1", auth.role_claim: role, "iat": int(time.time()), "exp": int(time.time()) + 600}
    if auth.issuer:
        claims["iss"] = auth.issuer
    if auth.audience:
        claims["aud"] = auth.audience
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def forged_jwts(mock: Mock) -> dict[str, str]:
    genuine = jwt.encode(_claims(mock), SECRET, algorithm="HS256")
    head, body, signature = genuine.split(".")
    other = Mock("olympus" if mock.dialect == "revorbit" else "revorbit")
    return {
        "alg None (capitalised), no signature": _b64({"alg": "None", "typ": "JWT"}) + f".{body}.",
        "alg NONE, no signature": _b64({"alg": "NONE", "typ": "JWT"}) + f".{body}.",
        "alg none, the genuine signature kept": _b64({"alg": "none", "typ": "JWT"}) + f".{body}.{signature}",
        "HS256 signed with a public key as the secret (algorithm confusion)":
            _signed(_claims(mock), PUBLIC_KEY.encode()),
        "HS256 signed with the public key's base64 body": _signed(_claims(mock), "".join(PUBLIC_KEY.splitlines()[1:-1])
                                                                  .encode()),
        "an RS256 token": _b64({"alg": "RS256", "typ": "JWT"}) + f".{body}." + _b64(os.urandom(256)),
        "an ES256 token": _b64({"alg": "ES256", "typ": "JWT"}) + f".{body}." + _b64(os.urandom(64)),
        "RS256 header on the genuine HS256 signature": _b64({"alg": "RS256", "typ": "JWT"}) + f".{body}.{signature}",
        "HS512 with the right secret (only HS256 is accepted)": jwt.encode(_claims(mock), SECRET, algorithm="HS512"),
        "HS384 with the right secret": jwt.encode(_claims(mock), SECRET, algorithm="HS384"),
        "an empty secret": _signed(_claims(mock), b""),
        "a jku header pointing at an attacker's keys": jwt.encode(
            _claims(mock), "an-attackers-own-secret-0123456789", algorithm="HS256", headers={"jku": "http://127.0.0.1:1/keys.json"}),
        "a kid header with a path traversal, signed with /dev/null's contents": _signed(
            _claims(mock), b"", kid="../../../../dev/null"),
        "expired an hour ago": jwt.encode(_claims(mock, exp=int(time.time()) - 3600), SECRET, algorithm="HS256"),
        "not valid for an hour (nbf)": jwt.encode(_claims(mock, nbf=int(time.time()) + 3600), SECRET,
                                                  algorithm="HS256"),
        "issued in the future (iat)": jwt.encode(_claims(mock, iat=int(time.time()) + 3600), SECRET,
                                                 algorithm="HS256"),
        "no sub": jwt.encode(_claims(mock, sub=None), SECRET, algorithm="HS256"),
        "no exp": jwt.encode(_claims(mock, exp=None), SECRET, algorithm="HS256"),
        "no role claim": jwt.encode(_claims(mock, **{mock.api.dialect.auth.role_claim: None}), SECRET,
                                    algorithm="HS256"),
        "a payload edited to raise the role": f"{head}.{_b64(_claims(mock, sub='2'))}.{signature}",
        "a header edited, signature kept": _b64({**_unb64(head), "typ": "JOSE"}) + f".{body}.{signature}",
        "the signature dropped": f"{head}.{body}.",
        "the signature of another token": f"{head}.{body}." + jwt.encode({"x": 1}, SECRET).split(".")[2],
        "two segments": f"{head}.{body}",
        "four segments": f"{genuine}.{signature}",
        "non-ASCII": "é.é.é",
        "a token of another API": other.credentials.issue(),
    } | ({"a wrong issuer": jwt.encode(_claims(mock, iss="someone-else"), SECRET, algorithm="HS256"),
          "a wrong audience": jwt.encode(_claims(mock, aud="someone-else"), SECRET, algorithm="HS256")}
         if mock.api.dialect.auth.issuer else {})


def forged_tokens(mock: Mock) -> dict[str, str]:
    """Concord's personal access tokens: `<id>|<hex expiry><40-hex MAC>`, the id naming the role."""
    genuine = mock.credentials.issue()
    index, _, plain = genuine.partition("|")
    expiry, mac = plain[:-40], plain[-40:]
    later = format(int(expiry, 16) + 10**6, "x")
    return {
        "the id edited to another role": f"{int(index) % 2 + 1}|{plain}",
        "the id 0": f"0|{plain}",
        "a negative id": f"-1|{plain}",
        "a 5,000-digit id": "9" * 5000 + f"|{plain}",
        "the expiry pushed later, MAC kept": f"{index}|{later}{mac}",
        "expired": mock.credentials.issue(expired=True),
        "the MAC upper-cased": f"{index}|{expiry}{mac.upper()}",
        "the MAC of another token": f"{index}|{expiry}{'0' * 40}",
        "no pipe": plain,
        "nothing after the pipe": f"{index}|",
        "a short plain part": f"{index}|{mac[:20]}",
        "non-ASCII": f"{index}|" + "é" * 41,
        "a JWT": Mock("revorbit").credentials.issue(),
        "whitespace inside": f"{index}| {plain}",
        "a token signed with another secret": Credentials(mock.api.dialect.auth, "other-secret").issue(),
    }


def forged_key_pairs(mock: Mock) -> dict[str, dict[str, str]]:
    """YSUITE's two headers: an access key `ysk_<hex expiry>_<mac>` and its 40-hex secret key."""
    auth = mock.api.dialect.auth
    access_name, secret_name = str(auth.access_header), str(auth.secret_header)
    access, _, secret = mock.credentials.issue().partition(":")
    other_access, _, other_secret = Credentials(auth, "other-secret").issue().partition(":")
    _, expiry, mac = access.split("_")
    later = format(int(expiry, 16) + 10**6, "x")
    expired_access, _, expired_secret = mock.credentials.issue(expired=True).partition(":")

    def pair(a: str, s: str) -> dict[str, str]:
        return {access_name: a, secret_name: s}

    return {
        "the secret key of another pair": pair(access, other_secret),
        "the access key of another pair": pair(other_access, secret),
        "a pair made with another server secret": pair(other_access, other_secret),
        "the expiry pushed later, MAC kept": pair(f"ysk_{later}_{mac}", secret),
        "the access MAC edited": pair(f"ysk_{expiry}_{'0' * 16}", secret),
        "expired": pair(expired_access, expired_secret),
        "the keys swapped between the headers": pair(secret, access),
        "the secret key upper-cased": pair(access, secret.upper()),
        "the expiry in upper-case hex": pair(f"ysk_{expiry.upper()}_{mac}", secret),
        "an extra segment": pair(f"{access}_x", secret),
        "a 5,000-digit expiry": pair(f"ysk_{'f' * 5000}_{mac}", secret),
        "non-ASCII secret key": pair(access, "é" * 40),
        "non-ASCII access key": pair("ysk_é_é", secret),
        "only the access key": {access_name: access},
        "only the secret key": {secret_name: secret},
        "a bearer token instead": {"Authorization": "Bearer " + Mock("revorbit").credentials.issue()},
    }


def forged(mock: Mock) -> dict[str, dict[str, str]]:
    scheme = mock.api.dialect.auth.scheme
    if scheme == "jwt":
        return {name: {"Authorization": f"Bearer {token}"} for name, token in forged_jwts(mock).items()}
    if scheme == "token":
        return {name: {"Authorization": f"Bearer {token}"} for name, token in forged_tokens(mock).items()}
    return forged_key_pairs(mock)


def assert_refused_quietly(mock: Mock, name: str, response: Any, genuine: dict[str, str]) -> None:
    assert response.status_code in (401, 403), (name, response.status_code, response.get_data(as_text=True)[:300])
    assert_error_envelope(mock, response, response.status_code)
    text = response.get_data(as_text=True) + json.dumps(dict(response.headers))
    assert SECRET not in text and "Traceback" not in text, name
    for value in genuine.values():  # the genuine credential is not echoed either
        assert value.split()[-1] not in text, name


def test_every_forged_credential_is_refused(mock: Mock) -> None:
    genuine = dict(mock.headers)
    variants = forged(mock)
    assert len(variants) >= 15
    for name, headers in variants.items():
        response = mock.get(GATED[mock.dialect], headers=headers)
        assert_refused_quietly(mock, name, response, genuine)
    assert mock.get(GATED[mock.dialect]).status_code == 200  # the genuine credential still works


@pytest.mark.parametrize("dialect", ["revorbit", "olympus"])
def test_a_genuine_limited_role_is_403_and_its_edited_copy_401(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect)
    auth = mock.api.dialect.auth
    limited = mock.credentials.issue(auth.limited_role)
    assert_error_envelope(mock, mock.get(GATED[dialect], headers={"Authorization": f"Bearer {limited}"}), 403)
    head, payload, signature = limited.split(".")
    raised = {**_unb64(payload), auth.role_claim: [auth.default_role] if auth.role_claim == "roles"
              else auth.default_role}
    edited = f"{head}.{_b64(raised)}.{signature}"
    assert_error_envelope(mock, mock.get(GATED[dialect], headers={"Authorization": f"Bearer {edited}"}), 401)


def test_both_ysuite_keys_are_compared_in_constant_time(make_mock: Callable[..., Mock],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """hmac.compare_digest runs on the access key AND the secret key for every request, whichever is wrong,
    so the time taken does not tell an attacker which key (or which part of it) was wrong."""
    mock = make_mock("ysuite")
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    auth = mock.api.dialect.auth
    genuine = dict(mock.headers)
    access, secret = genuine[str(auth.access_header)], genuine[str(auth.secret_header)]
    cases = {
        "genuine": (genuine, 200),
        "wrong secret key": ({**genuine, str(auth.secret_header): "0" * 40}, 401),
        "wrong access key": ({**genuine, str(auth.access_header): access[:-1] + ("1" if access[-1] == "0" else "0")},
                             401),
        "malformed access key": ({**genuine, str(auth.access_header): "nonsense"}, 401),
        "both wrong": ({str(auth.access_header): "ysk_1_0", str(auth.secret_header): "x"}, 401),
    }
    for name, (headers, status) in cases.items():
        calls.clear()
        assert mock.get("/deals", headers=headers).status_code == status, name
        compared = [given for given, _ in calls]
        assert len(calls) == 2, (name, calls)
        assert isinstance(compared[0], bytes) and isinstance(compared[1], bytes)  # bytes: no TypeError on 'é'
        assert secret.encode() in compared or name != "genuine"
    assert access  # used above


@pytest.mark.parametrize("dialect", ["revorbit", "olympus", "concord", "ysuite"])
def test_a_served_hostile_run_leaves_no_secret_token_or_traceback_in_the_log(tmp_path: Path, dialect: str) -> None:
    """`crm-mock serve` answers forged credentials and hostile bodies; its whole output (banner, access log,
    errors) is then searched for the server secret, the credentials the clients sent and 'Traceback'."""
    secret = "served-secret-" + os.urandom(16).hex()
    mock = Mock(dialect, secret=secret)  # issues credentials with the served secret
    genuine = auth_headers(mock.api, mock.credentials.issue(subject="hostile-run"))
    port = free_port()
    log = tmp_path / "served.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server.cli", "serve", "--dialect", dialect, "--port", str(port),
             "--records", "5", "--secret", secret, "--workers", "2"],
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}{mock.api.dialect.base_path}"
            _wait(f"http://127.0.0.1:{port}/openapi.json")
            sent = [genuine]
            for headers in forged(mock).values():
                sent.append(headers)
                assert _call(base + GATED[dialect], headers=headers)[0] in (401, 403)
            for body in (b'{"broken', b"[" * 10_000, b"\xff\xfe", b'{"x": 1e400}', b"x" * (2 * 1024 * 1024)):
                status, _ = _call(base + GATED[dialect], "POST", body, {**genuine, "Content-Type": "application/json"})
                assert 400 <= status < 500, status
            assert _call(base + GATED[dialect] + "/" + "9" * 3000, headers=genuine)[0] in (400, 404)
            assert _call(base + GATED[dialect], headers=genuine)[0] == 200
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
    text = log.read_text(errors="replace")
    assert "GET" in text, text[-2000:]  # the access log is on: there was something to search
    assert secret not in text
    assert "Traceback" not in text, text[-3000:]
    # The start-up banner prints one ready credential by design (README: `crm-mock serve` prints a token to
    # paste); a Concord token or YSUITE pair issued in the same second is the same string. What is searched
    # for the clients' credentials is everything the server wrote about requests.
    text = "\n".join(line for line in text.splitlines() if not line.startswith("crm-mock: credential ("))
    for headers in sent:
        for value in headers.values():
            credential = value.split()[-1]
            assert len(credential) < 12 or credential not in text, credential[:40]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # the answer closed, and its socket with it
                return
        except urllib.error.HTTPError as error:
            error.close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("crm-mock did not start")


def _call(url: str, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    for name, value in (headers or {}).items():
        request.add_header(name, value.encode("utf-8").decode("latin-1"))
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
