"""Same seed, same requests: the order of operations and the generated data depend on the seed only,
not on the process (hash randomisation, dict order), the working directory or the install layout; and a
run leaves no Hypothesis folder behind in the working directory (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests.conftest import Mock
from tests.servers import serving
from tests.wheel import InstalledWheel

Environ = dict[str, Any]


def recorded(app: Any, log: list[str]) -> Callable[[Environ, Callable[..., Any]], Iterable[bytes]]:
    inner = app.wsgi_app

    def record(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = __import__("io").BytesIO(body)
        log.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')} "
                   f"{body.decode('utf-8', 'replace')}")
        return inner(environ, start_response)  # type: ignore[no-any-return]

    return record


def request_log(command: list[str], cwd: Path, hash_seed: str, dialect: str = "revorbit",
                env: dict[str, str] | None = None) -> list[str]:
    """The requests one run of the suite (in a process of its own) sends to a fresh mock of seed 5."""
    mock = Mock(dialect, records=10, seed=5)
    log: list[str] = []
    mock.app.wsgi_app = recorded(mock.app, log)  # type: ignore[method-assign]
    with serving(mock.app) as url:
        done = subprocess.run(
            [*command, "run", "--dialect", dialect, "--base-url", url + mock.api.dialect.base_path,
             "--token", mock.credentials.issue(), "--expired-token", mock.credentials.issue(expired=True),
             "--limited-token", mock.credentials.issue(mock.api.dialect.auth.limited_role),
             "--seed", "7", "--max-examples", "3", "--report-dir", str(cwd / "reports"), "--quiet"],
            cwd=cwd, env={**(env or os.environ), "PYTHONHASHSEED": hash_seed}, capture_output=True, text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    return log


def test_the_same_seed_sends_the_same_requests_from_any_process_and_folder(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "elsewhere" / "deeper"
    here.mkdir()
    there.mkdir(parents=True)
    command = [sys.executable, "-m", "conformance.cli"]
    first = request_log(command, here, hash_seed="1")
    second = request_log(command, there, hash_seed="4242")
    assert len(first) > 500  # the whole run went through the recorder
    assert first == second, next((a, b) for a, b in zip(first, second, strict=False) if a != b)
    for folder in (here, there):
        assert not (folder / ".hypothesis").exists()


def test_an_editable_and_a_wheel_install_send_the_same_requests(installed_wheel: InstalledWheel,
                                                               tmp_path: Path) -> None:
    """Hypothesis mixes literals from the caller's own modules into what it draws; an editable install's
    modules are the caller's own, a wheel's are not: the suite draws from the seed alone (issue 13)."""
    editable = request_log([sys.executable, "-m", "conformance.cli"], tmp_path, hash_seed="0")
    wheel = request_log([str(installed_wheel.bin / "crm-conformance")], installed_wheel.workdir, hash_seed="0",
                        env=installed_wheel.env)
    assert len(editable) > 500
    assert editable == wheel, next((a, b) for a, b in zip(editable, wheel, strict=False) if a != b)
    assert not (installed_wheel.workdir / ".hypothesis").exists()
