"""The conformance suite certifies the mock for all four APIs, at the strict level, and reports it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from tests.conftest import DIALECTS, Mock
from tests.servers import serving


def credentials_args(mock: Mock) -> list[str]:
    auth = mock.api.dialect.auth
    args = ["--token", mock.credentials.issue(), "--expired-token", mock.credentials.issue(expired=True)]
    if auth.limited_role:
        args += ["--limited-token", mock.credentials.issue(auth.limited_role)]
    return args


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_mock_is_conformant_at_the_strict_level(dialect: str, tmp_path: Path) -> None:
    mock = Mock(dialect, records=15, seed=5)
    with serving(mock.app) as url:
        code = main(["run", "--dialect", dialect, "--base-url", url + mock.api.dialect.base_path,
                     *credentials_args(mock), "--level", "strict", "--seed", "1", "--max-examples", "5",
                     "--report-dir", str(tmp_path), "--quiet"])
    report = json.loads((tmp_path / "report.json").read_text())
    failed = [(c["id"], c["failures"][:2]) for c in report["checks"] if c["status"] == "failed"]
    assert code == 0, failed
    assert report["verdict"] == "conformant" and report["level"] == "strict"
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "junit.xml", "report.html", "summary.md"}
    passed = {c["family"] for c in report["checks"] if c["status"] == "passed"}
    assert passed == {"status", "envelope", "schema", "pagination", "auth", "validation", "lifecycle", "semantics"}


def test_the_same_seed_sends_the_same_requests(tmp_path: Path) -> None:
    sent: list[list[str]] = []
    for attempt in range(2):
        mock = Mock("ysuite", records=10, seed=5)
        log: list[str] = []
        app = mock.app
        inner = app.wsgi_app

        def recording(environ: dict[str, object], start_response: object, log: list[str] = log,
                      inner: object = inner) -> object:
            log.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}")
            return inner(environ, start_response)  # type: ignore[operator]

        app.wsgi_app = recording  # type: ignore[method-assign, assignment]
        with serving(app) as url:
            main(["run", "--dialect", "ysuite", "--base-url", url + "/v1", *credentials_args(mock), "--seed", "9",
                  "--max-examples", "3", "--report-dir", str(tmp_path / str(attempt)), "--quiet"])
        sent.append(log)
    assert len(sent[0]) > 100  # the whole run went through the recorder
    assert sent[0] == sent[1]


def test_unreachable_target_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--dialect", "revorbit", "--base-url", "http://127.0.0.1:9/api", "--token", "x",
                 "--report-dir", str(tmp_path), "--quiet"])
    assert code == 2
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == "error" and "does not answer" in report["error"]


@pytest.mark.parametrize("argv", [
    ["run", "--dialect", "nope", "--base-url", "http://x", "--token", "t"],
    ["run", "--dialect", "revorbit", "--base-url", "http://x", "--token", "t", "--only", "colour"],
    ["run", "--dialect", "ysuite", "--base-url", "http://x", "--token", "no-colon"],
    ["run", "--dialect", "revorbit"],
])
def test_bad_arguments_are_exit_2_without_a_traceback(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and err.startswith("crm-conformance:") and len(err.strip().splitlines()) == 1


def test_pytest_plugin_runs_the_checks_as_tests(tmp_path: Path) -> None:
    mock = Mock("ysuite", records=10, seed=5)
    with serving(mock.app) as url:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
             "--crm-dialect", "ysuite", "--crm-base-url", url + "/v1", "--crm-token", mock.credentials.issue(),
             "--crm-max-examples", "3", str(tmp_path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout.splitlines()[-1]


def test_stateful_lifecycle_catches_a_delete_that_does_not_delete(tmp_path: Path) -> None:
    mock = Mock("concord", records=10, seed=5)
    inner = mock.app.wsgi_app

    def ignore_deletes(environ: dict[str, object], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] == "DELETE":
            start_response("204 No Content", [])  # 003/CC1: the success status, but nothing was deleted
            return [b""]
        return inner(environ, start_response)

    mock.app.wsgi_app = ignore_deletes  # type: ignore[method-assign]
    with serving(mock.app) as url:
        code = main(["run", "--dialect", "concord", "--base-url", url + "/api", *credentials_args(mock),
                     "--only", "lifecycle", "--max-examples", "5", "--report-dir", str(tmp_path), "--quiet"])
    report = json.loads((tmp_path / "report.json").read_text())
    failed = {c["id"] for c in report["checks"] if c["status"] == "failed"}
    assert code == 1 and {"LIF-001", "LIF-003"} <= failed, failed
