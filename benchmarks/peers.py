"""The stateful mocks frontend developers use today, beside the mock in the throughput part: json-server and the
Mockoon CLI, each installed pinned by npm into .cache/<name> (`make bench` does; `python -m benchmarks.peers
install` is that step) and serving the very deals the throughput mock serves, in its own record shape: a bare
deal for GET one, a bare array for a page (no envelope, no credential checked).

json-server 0.17.4 reads a db.json ({"deals": [...]}) and pages with `_page`/`_limit`; every write rewrites
the file, as it does for its users. Mockoon serves a data bucket holding the deals through a CRUD route, which
pages with `page`/`limit` and keeps writes in memory. A peer that is not installed is skipped with one line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import servers
from benchmarks.harness import Bench
from benchmarks.load import Load, request
from benchmarks.results import ServerResult, Target
from benchmarks.scenarios import LIST_SCENARIO, PAGE_SIZE, Contender
from benchmarks.settings import ROOT

THROUGHPUT_VS_JSON_SERVER = 1.5  # issue 18: GET one deal and the list page
DEALS_BUCKET_ID = "deals"
# the environment format of @mockoon/cli 9.9.0 (its HighestMigrationId): a later format would be migrated
MOCKOON_MIGRATION = 33


@dataclass(frozen=True)
class Peer:
    key: str  # the ServerResult key: what the ratios and targets look up
    package: str
    version: str
    binary: str  # below node_modules/.bin
    list_query: str  # the page of PAGE_SIZE deals, in the peer's own parameters
    launch: Callable[[Path, int, Path, list[dict[str, Any]]], list[str]]  # (binary, port, work, deals) -> argv

    @property
    def prefix(self) -> Path:
        return ROOT / ".cache" / self.key

    @property
    def install(self) -> str:
        return f"npm install --prefix .cache/{self.key} {self.package}@{self.version}"

    @property
    def title(self) -> str:
        return f"{self.key} {self.version}"

    def installed(self) -> Path | None:
        """The peer's binary when the pinned version is installed (another version counts as missing)."""
        binary = self.prefix / "node_modules" / ".bin" / self.binary
        manifest = self.prefix / "node_modules" / self.package / "package.json"
        try:
            version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            return None
        return binary if version == self.version and binary.exists() else None


def _json_server(binary: Path, port: int, work: Path, deals: list[dict[str, Any]]) -> list[str]:
    """As its users run it: its request log on (the mock prints a line per request too), gzip on (wrk asks for
    none), the file written again on every change."""
    db = work / "db.json"
    db.write_text(json.dumps(json_server_db(deals)), encoding="utf-8")
    return [str(binary), "--host", servers.HOST, "--port", str(port), str(db)]


def _mockoon(binary: Path, port: int, work: Path, deals: list[dict[str, Any]]) -> list[str]:
    """Its log on stdout only: not into a file of the user's home."""
    environment = work / "mockoon.json"
    environment.write_text(json.dumps(mockoon_environment(deals, port)), encoding="utf-8")
    return [str(binary), "start", "--data", str(environment), "--port", str(port), "--hostname", servers.HOST,
            "--disable-log-to-file"]


JSON_SERVER = Peer("json-server", "json-server", "0.17.4", "json-server", f"_page=1&_limit={PAGE_SIZE}",
                   _json_server)
MOCKOON = Peer("mockoon", "@mockoon/cli", "9.9.0", "mockoon-cli", f"page=1&limit={PAGE_SIZE}", _mockoon)
PEERS = (JSON_SERVER, MOCKOON)


def json_server_db(deals: list[dict[str, Any]]) -> dict[str, Any]:
    """json-server's database: one collection per resource, each record a plain object keyed by `id`."""
    return {"deals": deals}


def mockoon_environment(deals: list[dict[str, Any]], port: int) -> dict[str, Any]:
    """A Mockoon environment: the deals in a data bucket, and a CRUD route `deals` on it (GET /deals with
    page/limit, GET /deals/:id, POST /deals ...). The bucket is a template: templating is off for the route,
    and its JSON holds no `{{`, so the deals come out as they went in."""
    bucket = json.dumps(deals)
    if "{{" in bucket:
        raise servers.BenchError("a deal holds `{{`: Mockoon would read it as a template")
    route_uuid = "3f1c5a2e-0b7d-4c55-9a61-8d2e4b6f7a10"
    return {
        "uuid": "9b2f4c1d-6e3a-4f8b-a5c7-1d0e2f3a4b5c", "lastMigration": MOCKOON_MIGRATION,
        "name": "crm-bench deals", "endpointPrefix": "", "latency": 0, "port": port, "hostname": servers.HOST,
        "folders": [], "rootChildren": [{"type": "route", "uuid": route_uuid}],
        "proxyMode": False, "proxyHost": "", "proxyRemovePrefix": False,
        "tlsOptions": {"enabled": False, "type": "CERT", "pfxPath": "", "certPath": "", "keyPath": "", "caPath": "",
                       "passphrase": ""},
        "cors": True, "headers": [], "proxyReqHeaders": [], "proxyResHeaders": [], "callbacks": [],
        "data": [{"uuid": "5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a", "id": DEALS_BUCKET_ID, "name": "deals",
                  "documentation": "", "value": bucket}],
        "routes": [{
            "uuid": route_uuid, "type": "crud", "documentation": "", "method": "", "endpoint": "deals",
            "responseMode": None, "streamingMode": None, "streamingInterval": 0,
            "responses": [{
                "uuid": "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d", "body": "{}", "latency": 0, "statusCode": 200,
                "label": "", "headers": [], "bodyType": "DATABUCKET", "filePath": "", "databucketID": DEALS_BUCKET_ID,
                "sendFileAsBody": False, "rules": [], "rulesOperator": "OR", "disableTemplating": True,
                "fallbackTo404": False, "default": True, "crudKey": "id", "callbacks": []}],
        }],
    }


def contenders(b: Bench, stack: ExitStack, deals: list[dict[str, Any]]) -> list[Contender]:
    """Every installed peer started on the deals and checked to serve them; one line for each one missing."""
    started: list[Contender] = []
    for peer in PEERS:
        binary = peer.installed()
        if binary is None:
            b.say(f"{peer.title} not found, measured without it. To include it: {peer.install}")
            b.results.notes.append(f"{peer.title} is not installed: `{peer.install}` (`make bench` does).")
            continue
        started.append(_start(b, stack, peer, binary, deals))
    return started


def _start(b: Bench, stack: ExitStack, peer: Peer, binary: Path, deals: list[dict[str, Any]]) -> Contender:
    port = b.ports.take()
    argv = peer.launch(binary, port, b.work, deals)
    b.say(f"throughput: {peer.title} (the mock's deals) on :{port}")
    server = stack.enter_context(servers.running(servers.Server(peer.title, argv, port, b.work)))
    shown = " ".join([peer.binary, *("PORT" if a == str(port) else Path(a).name if "/" in a else a
                                     for a in argv[1:])])
    result = ServerResult(peer.key, f"{peer.title} (node, one process)", shown,
                          paths={LIST_SCENARIO: f"/deals?{peer.list_query}"})
    result.startup_s = server.wait_ready("/deals/1", {})
    result.rss_idle_mib = server.rss()
    b.results.shape.append(same_deals(peer, server.port, deals))
    return server, result, ""


def same_deals(peer: Peer, port: int, deals: list[dict[str, Any]]) -> str:
    """What the peer answers on GET one and on the page, checked against the mock's deals; a BenchError if
    it serves others."""
    by_id = {deal["id"]: deal for deal in deals}
    sizes = []
    for path, count in (("/deals/1", 1), (f"/deals?{peer.list_query}", min(PAGE_SIZE, len(deals)))):
        status, raw = request(port, "GET", path)
        answer = json.loads(raw) if status == 200 else None
        served = answer if isinstance(answer, list) else [answer]
        if len(served) != count or any(not isinstance(deal, dict) or by_id.get(deal.get("id")) != deal
                                       for deal in served):
            raise servers.BenchError(f"{peer.title} does not serve the mock's deals on GET {path} (HTTP {status})")
        sizes.append(len(raw))
    return (f"{peer.title}: the mock's deals in its own shape (a bare deal; a bare array of {PAGE_SIZE} on "
            f"`?{peer.list_query}`, the first in its stored order, where the mock's page is sorted by name), "
            f"{sizes[0]:,} and {sizes[1]:,} bytes")


def target(by_key: dict[str, ServerResult], label: str, mock: Load, judged: bool) -> Target:
    """The mock against json-server on one scenario: >= 1.5x its req/s; n/a when json-server was not run."""
    name = f"Throughput, {label}: mock >= {THROUGHPUT_VS_JSON_SERVER:g}x {JSON_SERVER.title}"
    limit = f">= {THROUGHPUT_VS_JSON_SERVER:g}x"
    server = by_key.get(JSON_SERVER.key)
    peer = server.loads.get(label) if server else None
    if not isinstance(peer, Load):
        return Target(name, f"not measured ({peer or 'not run'})", limit, None)
    ratio = mock.rps / peer.rps
    note = "json-server's page: the first 25 in its file's order, the mock's: sorted" if label == LIST_SCENARIO else ""
    return Target(name, f"{ratio:.2f}x ({mock.rps:.0f} vs {peer.rps:.0f} req/s)", limit,
                  ratio >= THROUGHPUT_VS_JSON_SERVER if judged else None, note)


def install(say: Callable[[str], None] = print) -> int:
    """npm install of every peer whose pinned version is missing; never a failure (the run skips a missing
    peer), so `make bench` runs offline or without npm too."""
    missing = [peer for peer in PEERS if peer.installed() is None]
    if not missing:
        return 0
    npm = shutil.which("npm")
    if npm is None:
        say(f"npm not found: {', '.join(peer.title for peer in missing)} will be skipped")
        return 0
    for peer in missing:
        say(f"installing {peer.title}: {peer.install}")
        argv = [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(peer.prefix),
                f"{peer.package}@{peer.version}"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            say(f"npm took over 10 minutes, {peer.title} will be skipped")
            continue
        if done.returncode != 0:
            say(f"npm failed ({done.returncode}), {peer.title} will be skipped: {done.stderr.strip()[-300:]}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m benchmarks.peers install")
    sys.exit(install())
