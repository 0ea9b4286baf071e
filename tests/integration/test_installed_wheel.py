"""The README's promise for a `pip install` (not editable): the wheel holds every document, template and
module, and its crm-mock and crm-conformance work from any directory, as the CI recipe runs them."""

from __future__ import annotations

import hashlib
import json
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import DIALECTS, auth_headers, load_api
from tests.servers import crm_mock_serve
from tests.wheel import ROOT, InstalledWheel

pytestmark = pytest.mark.slow
PACKAGES = ("crmspec", "mock_server", "conformance")
SECRET = "installed-wheel-secret-0123456789abcdef"


def shipped_documents() -> dict[str, Path]:
    """Every *.yaml and *.json of openapi/ (not the dotfiles), by the name it has in the wheel."""
    return {f"crmspec/documents/{p.name}": p for p in sorted((ROOT / "openapi").iterdir())
            if p.suffix in (".yaml", ".json") and not p.name.startswith(".")}


def test_the_wheel_holds_every_document_template_and_module(installed_wheel: InstalledWheel) -> None:
    with zipfile.ZipFile(installed_wheel.wheel) as wheel:
        names = set(wheel.namelist())
        documents = shipped_documents()
        assert {"crmspec/documents/revorbit.yaml", "crmspec/documents/olympus.yaml", "crmspec/documents/concord.yaml",
                "crmspec/documents/ysuite.yaml"} <= set(documents)
        for name, source in documents.items():
            assert name in names and wheel.read(name) == source.read_bytes(), name
    templates = {f"conformance/templates/{p.name}" for p in (ROOT / "conformance" / "templates").iterdir()}
    modules = {p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    assert templates and modules <= names and templates <= names


def test_the_wheel_builds_without_a_warning(installed_wheel: InstalledWheel) -> None:
    # pip relays each warning of the build backend (setuptools) as a BuildBackendWarning
    assert "Warning" not in installed_wheel.build_output, installed_wheel.build_output


def test_the_tools_run_the_installed_code_outside_the_source_tree(installed_wheel: InstalledWheel) -> None:
    assert ROOT not in installed_wheel.workdir.parents
    assert not any(str(ROOT) in value for value in installed_wheel.env.values())
    done = installed_wheel.run("python", "-c", "import crmspec, mock_server, conformance as c; "
                                               "print(crmspec.__file__, mock_server.__file__, c.__file__)")
    for module in done.stdout.split():
        assert Path(module).is_relative_to(installed_wheel.bin.parent), done.stdout


@pytest.mark.parametrize("tool", ["crm-mock", "crm-conformance"])
def test_version_names_the_release_and_every_packaged_document(installed_wheel: InstalledWheel, tool: str) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = installed_wheel.run(tool, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{tool} {version}"] + [
        f"{p.name} sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in shipped_documents().values()]


def test_the_pytest_plugin_registers(installed_wheel: InstalledWheel) -> None:
    done = installed_wheel.run("pytest", "--help")
    assert done.returncode == 0, done.stderr
    assert "--crm-dialect" in done.stdout and "--crm-base-url" in done.stdout


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_installed_mock_serves_and_the_installed_suite_certifies_it(
        installed_wheel: InstalledWheel, dialect: str) -> None:
    api = load_api(dialect)  # the checkout's reading, only to pick a list to ask for and the headers to send
    listing = next(op for op in api.operations if op.action == "list" and "{" not in op.path)
    token = installed_wheel.run("crm-mock", "token", "--dialect", dialect, "--secret", SECRET)
    assert token.returncode == 0, token.stderr
    credential = token.stdout.strip()
    with crm_mock_serve("--dialect", dialect, "--records", "12", "--secret", SECRET, "--no-access-log",
                        program=[str(installed_wheel.bin / "crm-mock")], cwd=installed_wheel.workdir,
                        base_env=installed_wheel.env) as served:
        request = urllib.request.Request(served.url + listing.mount + listing.path,
                                         headers=auth_headers(api, credential))
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())  # a body, in the API's envelope (the other tests judge it)
        reports = installed_wheel.workdir / f"reports-{dialect}"
        run = installed_wheel.run("crm-conformance", "run", "--dialect", dialect,
                                  "--base-url", served.url + api.dialect.base_path, "--token", credential,
                                  "--seed", "1", "--max-examples", "2", "--report-dir", str(reports), "--quiet")
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    failed = {check["id"] for check in report["checks"] if check["status"] == "failed"}
    assert failed == set() and run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("conformant: ")
    assert "<html" in (reports / "report.html").read_text(encoding="utf-8")  # the packaged template rendered
