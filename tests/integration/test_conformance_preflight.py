"""Before judging, the run proves each credential does what its flag says (issue 13). A refused --token,
nothing at the base URL, an unreachable host, a TLS or DNS failure: exit 2, one line on stderr, nothing on
stdout, the reports still written. An --expired-token or --limited-token that is not what its flag says is
not used: the checks that need it are skipped with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from tests.conftest import Mock
from tests.servers import free_port, serving


def run(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, dict]:
    code = main([*argv, "--report-dir", str(tmp_path), "--max-examples", "1"])
    captured = capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "junit.xml", "report.html", "summary.md"}
    return code, captured.out, captured.err, report


def assert_one_line_exit_2(code: int, out: str, err: str, expected: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("crm-conformance: ") and len(err.strip().splitlines()) == 1, err
    assert expected in err and "Traceback" not in err


def test_a_refused_token_is_exit_2_not_a_verdict_on_the_server(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("revorbit", records=5)
    with serving(mock.app) as url:
        code, out, err, report = run(["run", "--dialect", "revorbit", "--base-url", url + "/api",
                                      "--token", "wrong"], tmp_path, capsys)
    assert_one_line_exit_2(code, out, err, "the --token credential was refused: 401 on GET /deals")
    assert report["verdict"] == "error" and report["requests_sent"] < 10  # nothing was judged


def test_a_wrong_base_url_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("concord", records=5)
    with serving(mock.app) as url:
        code, out, err, _ = run(["run", "--dialect", "concord", "--base-url", url + "/nothing-here",
                                 "--token", mock.credentials.issue()], tmp_path, capsys)
    assert_one_line_exit_2(code, out, err, "nothing answers at the base URL: 404 on GET /deals")


@pytest.mark.parametrize("base_url, reason", [
    (f"http://127.0.0.1:{free_port()}/api", "connection refused"),
    ("http://no-such-host.invalid/api", "the host name does not resolve"),
], ids=["nothing-listens", "no-such-host"])  # stable ids: the free port differs between pytest-xdist workers
def test_an_unreachable_target_is_one_line_on_stderr(base_url: str, reason: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err, report = run(["run", "--dialect", "revorbit", "--base-url", base_url, "--token", "t"],
                                 tmp_path, capsys)
    assert_one_line_exit_2(code, out, err, reason)
    assert report["verdict"] == "error" and reason in report["error"]


def test_tls_to_a_plain_http_server_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("ysuite", records=5)
    with serving(mock.app) as url:
        code, out, err, _ = run(["run", "--dialect", "ysuite", "--base-url", url.replace("http:", "https:") + "/v1",
                                 "--token", mock.credentials.issue()], tmp_path, capsys)
    assert_one_line_exit_2(code, out, err, "the TLS handshake failed")


def test_credentials_that_are_not_what_their_flag_says_are_not_used(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("olympus", records=5)
    admin = mock.credentials.issue()
    with serving(mock.app) as url:
        code, _, _, report = run(["run", "--dialect", "olympus", "--base-url", url + "/api/v1/crm", "--token", admin,
                                  "--expired-token", admin, "--limited-token", admin, "--only", "auth"],
                                 tmp_path, capsys)
    checks = {c["id"]: c for c in report["checks"]}
    assert code == 0
    assert checks["AUT-005"]["status"] == "skipped" and "expiry checks are skipped" in checks["AUT-005"]["reason"]
    assert checks["AUT-006"]["status"] == "skipped" and "403 checks are skipped" in checks["AUT-006"]["reason"]
    assert report["preflight"]["credential"] == "accepted: 200 on GET /contacts"
    # that it wrote nothing with them is tests/integration/test_conformance_does_no_harm.py


def test_credentials_proven_by_a_refusal_are_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("olympus", records=5)
    with serving(mock.app) as url:
        code, _, _, report = run(["run", "--dialect", "olympus", "--base-url", url + "/api/v1/crm",
                                  "--token", mock.credentials.issue(),
                                  "--expired-token", mock.credentials.issue(expired=True),
                                  "--limited-token", mock.credentials.issue("staff"), "--only", "auth"],
                                 tmp_path, capsys)
    checks = {c["id"]: c for c in report["checks"]}
    assert code == 0 and checks["AUT-005"]["status"] == checks["AUT-006"]["status"] == "passed"
    assert report["preflight"]["expired_credential"] == "refused: 401 on GET /contacts"
    assert report["preflight"]["limited_credential"] == "refused: 403 on GET /contacts"
