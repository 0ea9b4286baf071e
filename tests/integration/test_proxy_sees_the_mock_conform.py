"""The proxy in front of the mock sees no violation while the mock's own integration tests for one API
(CRUD and lists, Revenue Orbit) run through it: tests/conftest.py's Mock sends every request over HTTP
through `crm-conformance proxy` when CRM_TEST_THROUGH_PROXY names a report directory (tests/proxying.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ["tests/integration/test_mock_crud.py", "tests/integration/test_mock_lists.py"]


@pytest.mark.slow
def test_the_mocks_own_tests_through_the_proxy_show_no_violation(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", *TESTS, "-k", "revorbit"],
                          cwd=ROOT, env={**os.environ, "CRM_TEST_THROUGH_PROXY": str(tmp_path)},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / "revorbit" / "report.json").read_text(encoding="utf-8"))
    traffic = report["proxy"]
    # the tests' requests did go through it: every CRUD operation of deals, judged
    assert traffic["judged"] >= 40, traffic
    seen = {o["operation"] for o in traffic["operations"]}
    assert {"POST /deals", "GET /deals/{id}", "PUT /deals/{id}", "DELETE /deals/{id}", "GET /deals"} <= seen
    assert traffic["flagged"] == 0
    assert report["verdict"] == "conformant", [c["failures"][:1] for c in report["checks"] if c["failures"]]
    # the tests' deliberately wrong requests are the client's mistakes, reported apart
    assert any(v["id"] == "CLI-002" and v["party"] == "client" for v in traffic["client_violations"])
