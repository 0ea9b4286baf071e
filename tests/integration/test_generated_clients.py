"""Typed clients from the four documents, as a frontend or integration developer generates them.

openapi-python-client (pinned in the test extras) and openapi-typescript (pinned, `make typescript-tools`) must
print nothing but their progress lines: any warning, skipped schema or omitted response fails. The TypeScript
types then compile under `tsc --strict`, and the Python client makes typed calls against `crm-mock serve`.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crmspec.loader import document_path
from mock_server.auth import Credentials
from tests.conftest import DIALECTS, SECRET, load_api
from tests.servers import crm_mock_serve
from tests.tools import OPENAPI_TYPESCRIPT_BIN, ROOT, in_directory, python_tool

pytestmark = pytest.mark.slow

PYTHON_CLIENT_CONFIG = ROOT / "docs" / "openapi-python-client.yaml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TYPESCRIPT_TOOLS = "make typescript-tools"


def run(*command: str) -> tuple[int, str]:
    """The command's exit code and everything it printed (stdout and stderr), colours removed."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    return done.returncode, ANSI.sub("", done.stdout + done.stderr)


@pytest.fixture(scope="module")
def python_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, tuple[int, str]]]]:
    """One generated package per document, `<dialect>_client` in one directory, and what generating each printed.
    The generator's post-hooks (ruff check --fix, ruff format) find the project's ruff on PATH."""
    generator = python_tool("openapi-python-client")
    where = tmp_path_factory.mktemp("python-clients")
    printed = {
        dialect: run(generator, "generate", "--path", str(document_path(dialect)), "--meta", "none",
                     "--config", str(PYTHON_CLIENT_CONFIG), "--output-path", str(where / f"{dialect}_client"))
        for dialect in DIALECTS
    }
    yield where, printed


@pytest.mark.parametrize("dialect", DIALECTS)
def test_openapi_python_client_generates_without_a_warning(
    python_clients: tuple[Path, dict[str, tuple[int, str]]], dialect: str
) -> None:
    where, printed = python_clients
    code, output = printed[dialect]
    # the generator's only line when all went well; a warning adds "Warning(s) encountered ..." and its details
    assert (code, output.strip()) == (0, f"Generating {where / f'{dialect}_client'}"), output
    assert (where / f"{dialect}_client" / "api").is_dir()


def test_openapi_typescript_generates_types_that_compile(tmp_path: Path) -> None:
    generator = in_directory(OPENAPI_TYPESCRIPT_BIN, "openapi-typescript", TYPESCRIPT_TOOLS)
    compiler = in_directory(OPENAPI_TYPESCRIPT_BIN, "tsc", TYPESCRIPT_TOOLS)
    for dialect in DIALECTS:
        target = tmp_path / f"{dialect}.d.ts"
        code, output = run(generator, str(document_path(dialect)), "--output", str(target))
        # a clean run prints its version banner and one line per document; warnings come with ⚠ or ✘
        lines = [line for line in output.splitlines() if line.strip()]
        assert code == 0 and len(lines) == 2, output
        assert lines[0].startswith("✨ openapi-typescript") and lines[1].startswith("🚀"), output
        assert "interface paths" in target.read_text()
    code, output = run(compiler, "--noEmit", "--strict", *sorted(str(p) for p in tmp_path.glob("*.d.ts")))
    assert (code, output) == (0, ""), output


@contextmanager
def imported(where: Path, package: str) -> Iterator[ModuleType]:
    """The generated `package` under `where`, forgotten again on the way out."""
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def raw_get(url: str, token: str) -> Any:
    """The same request without the client: what the typed result must carry."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_python_client_makes_typed_calls_against_the_mock(
    python_clients: tuple[Path, dict[str, tuple[int, str]]],
) -> None:
    """Concord's GET /deals: a DealPage of Deal objects, and its 422 a ValidationError object (the response the
    generator used to leave out)."""
    where, _ = python_clients
    api = load_api("concord")
    token = Credentials(api.dialect.auth, SECRET).issue()
    with crm_mock_serve("--dialect", "concord", "--records", "7", "--secret", SECRET, "--no-access-log") as served:
        base = served.url + api.dialect.base_path
        expected = raw_get(base + "/deals?per_page=5&page=2", token)
        with imported(where, "concord_client") as client_package:
            list_deals = importlib.import_module("concord_client.api.deals.list_deals")
            models = importlib.import_module("concord_client.models")
            # closed on the way out: an httpx client left open keeps its kept-alive socket until the garbage
            # collector finds it, in whichever later test that is (a ResourceWarning there)
            with client_package.AuthenticatedClient(base_url=base, token=token) as client:
                page = list_deals.sync_detailed(client=client, per_page=5, page=2)
                assert page.status_code == 200
                assert isinstance(page.parsed, models.DealPage)
                assert all(isinstance(deal, models.Deal) for deal in page.parsed.data)
                listed = [(d["id"], d["name"]) for d in expected["data"]]
                assert [(d.id, d.name) for d in page.parsed.data] == listed
                assert (page.parsed.meta.current_page, page.parsed.meta.total) == (2, 7)

                refused = list_deals.sync_detailed(client=client, per_page=101)
                assert refused.status_code == 422
                assert isinstance(refused.parsed, models.ValidationError)
                assert "per_page" in refused.parsed.errors.to_dict()
