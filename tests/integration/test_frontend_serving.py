"""Serving conveniences: several APIs at once, hot reload of the document, the structured access log."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

import crmspec
from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from mock_server.cli import main
from mock_server.multi import mounted
from tests.conftest import SECRET, Mock, auth_headers, load_api
from tests.servers import crm_mock_serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dialect_all_mounts_each_api_under_its_name() -> None:
    apis = {d: load_api(d) for d in ("revorbit", "ysuite")}
    app = Client(mounted(apis, {d: MockConfig(records=4, secret=SECRET) for d in apis}))
    headers = {d: auth_headers(api, Credentials(api.dialect.auth, SECRET).issue()) for d, api in apis.items()}

    revorbit = app.get("/revorbit/api/deals", headers=headers["revorbit"])
    assert revorbit.status_code == 200 and revorbit.get_json()["total"] == 4
    ysuite = app.get("/ysuite/v1/deals", headers=headers["ysuite"])
    assert ysuite.status_code == 200 and ysuite.get_json()["data"]["total_records"] == 4
    # each has its own state, document, docs and admin endpoints
    app.post("/revorbit/api/deals", json={"name": "Only here", "stage_id": 1}, headers=headers["revorbit"])
    assert app.get("/revorbit/api/deals", headers=headers["revorbit"]).get_json()["total"] == 5
    assert app.get("/ysuite/v1/deals", headers=headers["ysuite"]).get_json()["data"]["total_records"] == 4
    document = app.get("/ysuite/openapi.json").get_json()
    assert document["servers"][0]["url"] == "http://localhost/ysuite/v1"
    assert app.get("/revorbit/docs").status_code == 200
    with app.get("/revorbit/docs/assets/swagger-ui-bundle.js") as bundle:  # closed: it holds the file open
        assert bundle.status_code == 200
    assert app.get("/ysuite/__mock/config").get_json()["dialect"] == "ysuite"
    # a credential of one API is no credential of the other
    assert app.get("/ysuite/v1/deals", headers=headers["revorbit"]).status_code == 401
    index = app.get("/").get_json()
    assert [a["base_path"] for a in index["apis"]] == ["/revorbit/api", "/ysuite/v1"]
    assert app.get("/nowhere").status_code == 404


def test_watch_reloads_a_changed_document_and_keeps_the_records(tmp_path: Path) -> None:
    copy = tmp_path / "revorbit.yaml"
    shutil.copy(crmspec.loader.document_path("revorbit"), copy)
    api = crmspec.load(copy)
    app = create_app(api, MockConfig(records=3, secret=SECRET, watch=True))
    client = app.test_client()
    headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
    created = client.post("/api/deals", json={"name": "Made before", "stage_id": 1}, headers=headers)
    assert created.status_code == 201
    made = created.get_json()["data"]["id"]

    text = copy.read_text()
    required = "    DealInput:\n      type: object\n"
    assert required in text and "      required: [name, stage_id]\n" in text
    edited = text.replace("title: Revenue Orbit CRM API\n", "title: Revenue Orbit CRM API (edited)\n", 1)
    start = edited.index(required)
    tail = edited[start:].replace("required: [name, stage_id]", "required: [name, stage_id, value]", 1)
    edited = edited[:start] + tail
    time.sleep(0.01)
    copy.write_text(edited)
    stamp = time.time() + 1
    os.utime(copy, (stamp, stamp))  # a different modification time even on a coarse clock

    assert client.get("/openapi.json").get_json()["info"]["title"] == "Revenue Orbit CRM API (edited)"
    refused = client.post("/api/deals", json={"name": "Made after", "stage_id": 1}, headers=headers)
    assert refused.status_code == 422 and "value" in refused.get_json()["errors"]
    kept = client.get(f"/api/deals/{made}", headers=headers)
    assert kept.status_code == 200 and kept.get_json()["data"]["name"] == "Made before"
    assert client.get("/api/deals", headers=headers).get_json()["total"] == 4

    copy.write_text("openapi: [broken")  # a broken save keeps the last good document serving
    stamp += 1
    os.utime(copy, (stamp, stamp))
    assert client.get(f"/api/deals/{made}", headers=headers).status_code == 200


def test_the_json_access_log_line_parses(make_mock: Callable[..., Mock], capsys: pytest.CaptureFixture[str]) -> None:
    mock = make_mock("concord", access_log="json")
    capsys.readouterr()
    mock.get("/deals", headers={**mock.headers, "X-Mock-Session": "frank"}, query_string={"per_page": 2})
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert {k: entry[k] for k in ("method", "path", "query", "status", "session")} == {
        "method": "GET", "path": "/api/deals", "query": "per_page=2", "status": 200, "session": "frank"}
    assert isinstance(entry["ms"], float) and entry["ms"] >= 0

    text = make_mock("concord", access_log="text")
    capsys.readouterr()
    text.get("/deals")
    line = capsys.readouterr().err.strip()
    assert " GET /api/deals 200 " in line and line.endswith("session=default")


def _call(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.slow
def test_crm_mock_serve_dialect_all_as_users_run_it(tmp_path: Path) -> None:
    with (tmp_path / "stderr.log").open("w") as err, crm_mock_serve(
            "--dialect", "all", "--records", "3", "--secret", SECRET, "--log-format", "json",
            "--rate-limit", "100/min", ready="/", stdout=subprocess.PIPE, stderr=err) as served:
        base = served.url
        for dialect, path in (("concord", "/api/deals"), ("olympus", "/api/v1/crm/contacts")):
            api = load_api(dialect)
            headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
            status, _ = _call(f"{base}/{dialect}{path}", headers)
            assert status == 200
    printed = served.output
    assert printed.count("crm-mock: serving") == 4
    assert f"{base}/ysuite/v1" in printed
    assert "credential (key pair, valid for 1h; --token-ttl 8h for a longer one): ysk_" in printed
    logged = [json.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines() if line.startswith("{")]
    assert [(e["method"], e["path"], e["status"]) for e in logged if e["path"] != "/"] == [
        ("GET", "/concord/api/deals", 200), ("GET", "/olympus/api/v1/crm/contacts", 200)]


@pytest.mark.parametrize("argv", [
    ["serve", "--delay", "fast"], ["serve", "--delay", "400-100"], ["serve", "--error-rate", "2"],
    ["serve", "--rate-limit", "60"], ["token", "--dialect", "all"],
])
def test_bad_frontend_options_exit_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("crm-mock: ") and "\n" not in printed


@pytest.mark.parametrize(("database", "reason"), [
    ("postgresql://crm@127.0.0.1:{port}/crm", "Connection refused"),  # nothing listens on a free port
    ("postgresql://crm@127.0.0.1:{port}/crm?namespace=1bad", "namespace '1bad'"),
])
def test_an_unusable_database_exits_3_with_one_line_and_serves_nothing(database: str, reason: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", str(free_port()), "--state", database.format(port=free_port())]) == 3
    printed = capsys.readouterr()
    assert printed.out == ""  # no "serving at" banner for a server that never starts
    line = printed.err.strip()
    assert line.startswith("crm-mock: cannot use the database of --state: ") and "\n" not in line, line
    assert reason in line
