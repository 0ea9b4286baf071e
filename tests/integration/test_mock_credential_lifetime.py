"""`crm-mock token --ttl` and `crm-mock serve --token-ttl`: credentials that outlive a frontend session, while
the default stays the document's short lifetime (Olympus: "The access token lives 1 h", 002) and is printed."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import jwt
import pytest

from mock_server.cli import main
from tests.conftest import DIALECTS, SECRET, Mock, auth_headers
from tests.servers import call, crm_mock_serve

LIST_PATHS = {"revorbit": "/deals", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}


def token(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """`crm-mock token ARGS` with the tests' secret: (the credential, what it said on stderr)."""
    assert main(["token", "--secret", SECRET, *args]) == 0
    printed = capsys.readouterr()
    assert printed.out.count("\n") == 1  # stdout stays the one line `--token "$(crm-mock token)"` takes
    return printed.out.strip(), printed.err.strip()


def claims(credential: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(credential, SECRET, algorithms=["HS256"], options={"verify_aud": False})
    return decoded


def expiry(dialect: str, credential: str) -> int:
    """When a credential expires, read from it as the vendor's format carries it."""
    if dialect in ("revorbit", "olympus"):
        return int(claims(credential)["exp"])
    if dialect == "concord":  # Sanctum's "<id>|<plaintext>": the mock's plaintext is <hex expiry><40-char MAC>
        return int(credential.partition("|")[2][:-40], 16)
    return int(credential.split(":")[0].split("_")[1], 16)  # YSUITE access key ysk_<hex expiry>_<mac>


@pytest.mark.parametrize(("ttl", "seconds", "printed"), [
    ("30s", 30, "30s"), ("15m", 15 * 60, "15m"), ("8h", 8 * 3600, "8h"), ("2d", 2 * 86400, "2d"), ("7200", 7200, "2h"),
])
@pytest.mark.parametrize("dialect", ["revorbit", "olympus"])
def test_a_jwt_lives_exactly_the_ttl(dialect: str, ttl: str, seconds: int, printed: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    credential, said = token(capsys, "--dialect", dialect, "--ttl", ttl)
    issued = claims(credential)
    assert issued["exp"] - issued["iat"] == seconds
    assert said == f"crm-mock: valid for {printed}"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_kind_of_credential_expires_after_the_ttl_and_is_accepted(
        dialect: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = int(time.time())
    credential, _ = token(capsys, "--dialect", dialect, "--ttl", "8h")
    after = int(time.time())
    assert before + 8 * 3600 <= expiry(dialect, credential) <= after + 8 * 3600
    mock = Mock(dialect, records=2)
    assert mock.get(LIST_PATHS[dialect], headers=auth_headers(mock.api, credential)).status_code == 200


def test_the_default_stays_the_documents_hour_and_says_how_to_get_longer(capsys: pytest.CaptureFixture[str]) -> None:
    credential, said = token(capsys, "--dialect", "olympus")
    issued = claims(credential)
    assert issued["exp"] - issued["iat"] == 3600  # 002: "The access token lives 1 h"
    assert said == "crm-mock: valid for 1h; --ttl 8h for a longer one"


def test_an_expired_credential_says_nothing_of_a_lifetime(capsys: pytest.CaptureFixture[str]) -> None:
    credential, said = token(capsys, "--dialect", "revorbit", "--expired", "--ttl", "8h")
    assert said == ""
    with pytest.raises(jwt.ExpiredSignatureError):
        claims(credential)


@pytest.mark.parametrize("argv", [
    ["token", "--ttl", "8x"], ["token", "--ttl", "0"], ["token", "--ttl", "-5"], ["token", "--ttl", "367d"],
    ["serve", "--token-ttl", "soon"], ["serve", "--dialect", "all", "--token-ttl", "1.5h"],
])
def test_a_bad_ttl_exits_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith("crm-mock: --") and "ttl" in printed.err and printed.err.count("\n") == 1


@pytest.mark.slow
def test_serve_prints_a_credential_of_the_token_ttl_that_it_accepts() -> None:
    with crm_mock_serve("--dialect", "revorbit", "--records", "3", "--secret", SECRET, "--token-ttl", "8h",
                        "--no-access-log", stdout=subprocess.PIPE) as served:
        assert served.process.stdout is not None
        lines = [served.process.stdout.readline() for _ in range(3)]
        label, _, credential = lines[1].strip().rpartition(": ")
        assert label == "crm-mock: credential (admin, valid for 8h)"
        issued = claims(credential)
        assert issued["exp"] - issued["iat"] == 8 * 3600
        assert call("GET", f"{served.url}/api/deals", credential)[0] == 200
