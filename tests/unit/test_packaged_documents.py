"""The documents are package data: found through importlib.resources (the same files in an editable install
as in a wheel, see tests/integration/test_installed_wheel.py), and named with their sha256 by `--version`."""

from __future__ import annotations

import hashlib
import importlib.resources
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import crmspec
from conformance.cli import main as crm_conformance
from crmspec.loader import DOCUMENTS, document_path, packaged_documents
from mock_server.cli import main as crm_mock

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def shipped_files() -> list[Path]:
    """What pyproject.toml ships of openapi/: every *.yaml and *.json, not the dotfiles."""
    return sorted((p for p in (ROOT / "openapi").iterdir()
                   if p.suffix in (".yaml", ".json") and not p.name.startswith(".")), key=lambda p: p.name)


def test_each_dialect_is_read_from_the_package_crmspec_documents() -> None:
    package = importlib.resources.files("crmspec.documents")
    for dialect, name in DOCUMENTS.items():
        resource = package / name
        assert isinstance(resource, Path) and resource.samefile(ROOT / "openapi" / name)
        assert document_path(dialect) == resource


def test_the_packaged_documents_are_every_yaml_and_json_of_the_openapi_folder() -> None:
    assert [p.name for p in packaged_documents()] == [p.name for p in shipped_files()]
    assert set(DOCUMENTS.values()) <= {p.name for p in packaged_documents()}


def test_a_path_given_by_the_user_is_loaded_from_that_path(tmp_path: Path) -> None:
    copy = tmp_path / "my-olympus.yaml"
    copy.write_bytes((ROOT / "openapi" / "olympus.yaml").read_bytes())
    api = crmspec.load(str(copy))
    assert api.path == str(copy) and api.dialect.id == "olympus"


@pytest.mark.parametrize(("program", "main"), [("crm-mock", crm_mock), ("crm-conformance", crm_conformance)])
def test_version_names_the_release_and_the_sha256_of_every_packaged_document(
        program: str, main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    expected = [f"{program} {VERSION}"] + [
        f"{p.name} sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in shipped_files()]
    assert capsys.readouterr().out.splitlines() == expected
