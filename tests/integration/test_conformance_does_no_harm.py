"""The suite changes or deletes only records it created in the same run, whatever credentials it is given
(X11; issue 13: a valid admin token passed as --limited-token or --expired-token once deleted deals/1,
contacts/1 and companies/1). Every record the mock held before a run, as stored and as the API presents
it (derived values included), is still there and unchanged after it. The mutant zoo does the same check
against servers that wrongly accept what they should refuse (tests/mutants/test_mutants.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from tests.conftest import DIALECTS, Mock
from tests.harm import Snapshot
from tests.servers import serving


def run_suite(mock: Mock, tmp_path: Path, *credentials: str) -> tuple[int, dict[str, object]]:
    with serving(mock.app) as url:
        code = main(["run", "--dialect", mock.dialect, "--base-url", url + mock.api.dialect.base_path,
                     *credentials, "--seed", "3", "--max-examples", "2", "--report-dir", str(tmp_path), "--quiet"])
    return code, json.loads((tmp_path / "report.json").read_text())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_admin_token_passed_as_every_credential_harms_nothing(dialect: str, tmp_path: Path) -> None:
    mock = Mock(dialect, records=12, seed=8)
    admin = mock.credentials.issue()
    before = Snapshot.of(mock.app, admin)
    code, report = run_suite(mock, tmp_path, "--token", admin, "--limited-token", admin, "--expired-token", admin)
    assert Snapshot.of(mock.app, admin).changed_since(before) == []
    assert code == 0, [c["id"] for c in report["checks"] if c["outcome"] == "failed"]  # type: ignore[union-attr]
    preflight = report["preflight"]
    assert "skipped" in preflight["expired_credential"]  # type: ignore[index]
    if mock.api.dialect.auth.limited_role:
        assert "skipped" in preflight["limited_credential"]  # type: ignore[index]


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if Mock(d).api.dialect.auth.roles])
def test_a_token_of_another_role_harms_nothing(dialect: str, tmp_path: Path) -> None:
    mock = Mock(dialect, records=12, seed=8)
    auth = mock.api.dialect.auth
    other = next(r for r in auth.roles if r != auth.default_role)
    admin = mock.credentials.issue()
    before = Snapshot.of(mock.app, admin)
    run_suite(mock, tmp_path, "--token", mock.credentials.issue(other), "--limited-token", admin)
    assert Snapshot.of(mock.app, admin).changed_since(before) == []


def test_the_snapshot_sees_a_foreign_record_change(tmp_path: Path) -> None:
    """The comparison itself can fail: a deal the suite did not create, changed behind its back."""
    mock = Mock("revorbit", records=12, seed=8)
    admin = mock.credentials.issue()
    before = Snapshot.of(mock.app, admin)
    mock.put("/deals/1", json={"name": "Changed by someone else", "stage_id": 1})
    mock.delete("/contacts/2")
    changed = Snapshot.of(mock.app, admin).changed_since(before)
    assert any(line.startswith("row ('deals', '1') changed") for line in changed), changed  # the stored row
    assert any(line.startswith("record ('deals', '1') changed") for line in changed), changed  # as a read shows it
    assert any(line.startswith("row ('contacts', '2') is gone") for line in changed), changed
