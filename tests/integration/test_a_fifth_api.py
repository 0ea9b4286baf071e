"""A fifth API needs a document, not code (DESIGN: "a fifth dialect needs one new document"): a copy of
YSUITE's document (and of its requirements catalogue) under another id, base path, page-field names and
credential header names is served by the mock as it is, and the suite runs on it exactly the checks it
runs on YSUITE, except YSUITE's own invariants (conformance/invariants/ysuite.py), which its document does
not name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import crmspec
from conformance.cli import main
from crmspec.loader import document_path
from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from tests.conftest import SECRET, auth_headers
from tests.servers import serving

RENAMES = {  # YSUITE's names -> the fifth API's, in every schema, example and the x-crm-dialect block
    "total_records": "record_count", "total_pages": "page_count", "current_page": "page_number",
    "x-ysuite-access-key": "x-fifth-key-id", "x-ysuite-secret-key": "x-fifth-key-secret",
}


def renamed(text: str) -> str:
    for old, new in RENAMES.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return text


def fifth_document(tmp_path: Path) -> Path:
    source = document_path("ysuite")
    text = renamed(source.read_text(encoding="utf-8"))
    # the block names its page fields by fixed keys: put the key back
    text = text.replace("        page_count: data.page_count\n", "        total_pages: data.page_count\n")
    text = text.replace("  id: ysuite\n", "  id: fifth\n  behaviours: ysuite\n", 1)
    text = text.replace("  title: YSUITE\n", "  title: Fifth CRM\n", 1)
    text = text.replace("  base_path: /v1\n", "  base_path: /fifth/v9\n", 1)
    text = text.replace("  requirements: ysuite.requirements.yaml", "  requirements: fifth.requirements.yaml", 1)
    text = re.sub(r"\n  invariants: [^\n]*", "", text, count=1)
    catalogue = renamed(source.with_name("ysuite.requirements.yaml").read_text(encoding="utf-8"))
    (tmp_path / "fifth.requirements.yaml").write_text(catalogue.replace("api: ysuite", "api: fifth", 1),
                                                       encoding="utf-8")
    path = tmp_path / "fifth.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_on(api: crmspec.Api, document: str, tmp_path: Path) -> dict[str, Any]:
    app = create_app(api, MockConfig(seed=5, records=15, secret=SECRET))
    credentials = Credentials(api.dialect.auth, SECRET)
    with serving(app) as url:
        main(["run", "--dialect", document, "--base-url", url + api.dialect.base_path,
              "--token", credentials.issue(), "--expired-token", credentials.issue(expired=True),
              "--seed", "1", "--max-examples", "3", "--report-dir", str(tmp_path), "--quiet"])
    return dict(json.loads((tmp_path / "report.json").read_text()))


def test_the_mock_serves_a_new_document_as_it_is(tmp_path: Path) -> None:
    api = crmspec.load(fifth_document(tmp_path))
    assert (api.dialect.id, api.dialect.base_path, api.dialect.auth.access_header) == ("fifth", "/fifth/v9",
                                                                                         "x-fifth-key-id")
    client = create_app(api, MockConfig(seed=5, records=15, secret=SECRET)).test_client()
    headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
    answer = client.get("/fifth/v9/deals?pageIndex=1&pageSize=4", headers=headers)
    page = answer.get_json()["data"]
    assert answer.status_code == 200 and len(page["data"]) == 4
    assert page["page_number"] == 2 and page["page_count"] == -(-page["record_count"] // 4)
    assert "total_records" not in page
    assert client.get("/fifth/v9/deals", headers={"x-ysuite-access-key": "x"}).status_code == 401
    assert client.get("/v1/deals", headers=headers).status_code == 404  # YSUITE's base path is not served


@pytest.mark.slow
def test_the_suite_runs_the_same_checks_on_it(tmp_path: Path) -> None:
    fifth = fifth_document(tmp_path)
    source = run_on(crmspec.load("ysuite"), "ysuite", tmp_path / "ysuite")
    copy = run_on(crmspec.load(fifth), str(fifth), tmp_path / "fifth")
    own = {c.id for c in __import__("conformance.suite", fromlist=["all_checks"]).all_checks()
           if c.invariants == "ysuite"}
    ran = {name: {c["id"] for c in report["checks"] if c["status"] != "skipped"} - own
           for name, report in (("ysuite", source), ("fifth", copy))}
    assert own and not own & {c["id"] for c in copy["checks"]}   # YSUITE's invariants are not the fifth's
    assert ran["fifth"] == ran["ysuite"], (sorted(ran["ysuite"] - ran["fifth"]), sorted(ran["fifth"] - ran["ysuite"]))
    assert copy["verdict"] == "conformant", [c["id"] for c in copy["checks"] if c["outcome"] == "failed"]
