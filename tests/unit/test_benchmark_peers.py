"""json-server and Mockoon in `make bench`: they get the mock's deals in their own record shape, they are checked to
serve them, the mock is judged against json-server at 1.5x, and a peer not installed is skipped, never failed."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from benchmarks import peers
from benchmarks.load import Load
from benchmarks.peers import JSON_SERVER, MOCKOON, json_server_db, mockoon_environment, same_deals
from benchmarks.results import Results, ServerResult
from benchmarks.scenarios import LIST_SCENARIO, SCENARIOS, path_of
from benchmarks.servers import BenchError, Server
from benchmarks.settings import FULL, SMOKE
from benchmarks.verdicts import targets

DEALS: list[dict[str, Any]] = [{"id": n, "name": f"Deal {n}", "value": 1000 * n, "stage_id": 1 + n % 3, "notes": None}
                               for n in range(1, 41)]


def test_json_server_gets_one_collection_of_the_deals_as_they_are() -> None:
    db = json.loads(json.dumps(json_server_db(DEALS)))
    assert list(db) == ["deals"]
    assert db["deals"] == DEALS


def test_mockoon_gets_the_deals_in_a_bucket_behind_a_crud_route_on_their_id() -> None:
    environment = json.loads(json.dumps(mockoon_environment(DEALS, 18123)))
    (bucket,) = environment["data"]
    (route,) = environment["routes"]
    (response,) = route["responses"]
    assert json.loads(bucket["value"]) == DEALS
    assert (route["type"], route["endpoint"], environment["endpointPrefix"]) == ("crud", "deals", "")
    assert (response["bodyType"], response["databucketID"], response["crudKey"]) == ("DATABUCKET", bucket["id"], "id")
    assert environment["rootChildren"] == [{"type": "route", "uuid": route["uuid"]}]
    assert environment["port"] == 18123


def test_a_deal_that_mockoon_would_read_as_a_template_stops_the_run() -> None:
    with pytest.raises(BenchError, match="template"):
        mockoon_environment([{"id": 1, "name": "{{faker 'person.firstName'}}"}], 18123)


def test_each_peer_is_driven_on_its_own_page_parameters_and_the_others_on_the_mocks() -> None:
    server = Server("x", ["true"], 18100, Path("/tmp"))
    json_server = ServerResult("json-server", "json-server", "", paths={LIST_SCENARIO: "/deals?_page=1&_limit=25"})
    mock = ServerResult("mock", "mock", "")
    assert [path_of((server, json_server, ""), s) for s in SCENARIOS] == ["/deals/1", "/deals?_page=1&_limit=25",
                                                                           "/deals"]
    assert [path_of((server, mock, "/api"), s) for s in SCENARIOS] == ["/api/deals/1", "/api/deals?per_page=25",
                                                                       "/api/deals"]


@contextmanager
def _serving(answers: dict[str, Any]) -> Iterator[int]:
    """A loopback HTTP server answering each path of `answers` with its JSON, any other with 404."""
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(answers[self.path]).encode() if self.path in answers else b"{}"
            self.send_response(200 if self.path in answers else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_peer_serving_the_mocks_deals_passes_the_check() -> None:
    with _serving({"/deals/1": DEALS[0], "/deals?_page=1&_limit=25": DEALS[:25]}) as port:
        assert same_deals(JSON_SERVER, port, DEALS).startswith("json-server 0.17.4: the mock's deals")


CHANGED: dict[str, Any] = {**DEALS[0], "value": 1}


@pytest.mark.parametrize("answers", [
    {"/deals/1": CHANGED, "/deals?page=1&limit=25": DEALS[:25]},  # another value
    {"/deals/1": DEALS[0], "/deals?page=1&limit=25": DEALS[:10]},  # a page of its own length
    {"/deals/1": DEALS[0], "/deals?page=1&limit=25": DEALS[1:25] + [{"id": 99, "name": "x"}]},  # a deal of its own
    {"/deals/1": DEALS[0]},  # no page at all
], ids=["changed-deal", "short-page", "foreign-deal", "no-page"])
def test_a_peer_serving_other_deals_stops_the_run(answers: dict[str, Any]) -> None:
    with _serving(answers) as port, pytest.raises(BenchError, match="does not serve the mock's deals"):
        same_deals(MOCKOON, port, DEALS)


def _load(rps: float) -> Load:
    return Load("wrk", rps, 1.0, 2.0, int(rps * 10), 0)


def _judged(json_server_rps: float | None, smoke: bool = False) -> dict[str, tuple[str, bool | None]]:
    one, page = "GET one deal", LIST_SCENARIO
    results = Results(SMOKE if smoke else FULL)
    mock = ServerResult("mock", "mock", "")
    mock.loads = {one: _load(3000), page: _load(1500)}
    results.servers = [mock]
    if json_server_rps is not None:
        peer = ServerResult("json-server", "json-server", "")
        peer.loads = {one: _load(json_server_rps), page: "not supported (HTTP 404)"}
        results.servers.append(peer)
    return {t.name: (t.measured, t.passed) for t in targets(results) if "json-server" in t.name}


def test_the_mock_is_judged_against_json_server_at_one_and_a_half_times() -> None:
    one = "Throughput, GET one deal: mock >= 1.5x json-server 0.17.4"
    page = f"Throughput, {LIST_SCENARIO}: mock >= 1.5x json-server 0.17.4"
    assert _judged(1900)[one] == ("1.58x (3000 vs 1900 req/s)", True)
    assert _judged(2100)[one] == ("1.43x (3000 vs 2100 req/s)", False)
    assert _judged(1900)[page] == ("not measured (not supported (HTTP 404))", None)
    assert _judged(None) == {one: ("not measured (not run)", None), page: ("not measured (not run)", None)}
    assert _judged(1900, smoke=True)[one] == ("1.58x (3000 vs 1900 req/s)", None)


def test_only_the_pinned_version_counts_as_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "ROOT", tmp_path)
    modules = tmp_path / ".cache" / "json-server" / "node_modules"
    (modules / ".bin").mkdir(parents=True)
    (modules / ".bin" / "json-server").write_text("#!/usr/bin/env node\n")
    (modules / "json-server").mkdir()
    for version, found in (("1.0.0-beta.3", None), ("0.17.4", modules / ".bin" / "json-server")):
        (modules / "json-server" / "package.json").write_text(json.dumps({"version": version}))
        assert JSON_SERVER.installed() == found
    assert MOCKOON.installed() is None  # nothing there at all


class _Said:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.results = Results(SMOKE)

    def say(self, text: str) -> None:
        self.lines.append(text)


def test_a_peer_not_installed_is_skipped_with_one_line_and_its_install_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "ROOT", tmp_path)
    bench = _Said()
    assert peers.contenders(bench, None, DEALS) == []  # type: ignore[arg-type]  # nothing of Bench is started
    assert bench.lines == [
        "json-server 0.17.4 not found, measured without it. To include it: "
        "npm install --prefix .cache/json-server json-server@0.17.4",
        "mockoon 9.9.0 not found, measured without it. To include it: "
        "npm install --prefix .cache/mockoon @mockoon/cli@9.9.0"]


def test_installing_without_npm_skips_the_peers_and_does_not_fail(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "ROOT", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    said: list[str] = []
    assert peers.install(said.append) == 0
    assert said == ["npm not found: json-server 0.17.4, mockoon 9.9.0 will be skipped"]
