"""Throughput (make bench, parts 1 and 2): the mock, bare Flask serving the very same deals (each under the mock's
default HTTP server and under the other one: granian and gunicorn), Prism when installed (as shipped, and on a
copy whose page holds 25 deals), and json-server and Mockoon when installed (benchmarks/peers.py: the same deals),
driven on every scenario in the same interleaved rounds."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks import peers, servers
from benchmarks.harness import Bench
from benchmarks.load import request
from benchmarks.results import ServerResult
from benchmarks.scenarios import LIST_SCENARIO, PAGE_SIZE, Contender, drive
from benchmarks.servers import OTHER_SERVER, PRISM_INSTALL, PRISM_VERSION, BenchError, running
from benchmarks.settings import ROOT
from mock_server.config import DEFAULT_SERVER


def measure(b: Bench) -> None:
    with ExitStack() as stack:
        mock, mock_result = _mock(b, stack, "mock", DEFAULT_SERVER)
        deals = pull_deals(b, mock.port)
        body = post_body(deals)
        (b.work / "deals.json").write_text(json.dumps(deals))
        bare, bare_result = _bare(b, stack, "bare", DEFAULT_SERVER)
        compare_shapes(b, mock.port, bare.port)
        # the same mock and the same bare app under the other server: what the server alone is worth
        other_mock, other_mock_result = _mock(b, stack, f"mock-{OTHER_SERVER}", OTHER_SERVER)
        other_bare, other_bare_result = _bare(b, stack, f"bare-{OTHER_SERVER}", OTHER_SERVER)
        contenders: list[Contender] = [(mock, mock_result, "/api"), (bare, bare_result, "/api"),
                                       (other_mock, other_mock_result, "/api"), (other_bare, other_bare_result, "/api")]
        contenders += _prisms(b, stack)
        contenders += peers.contenders(b, stack, deals)
        drive(b, contenders, body)
        for server, result, _ in contenders:
            result.rss_mib = server.rss()
        b.results.servers += [result for _, result, _ in contenders]


def _mock(b: Bench, stack: ExitStack, key: str, server: str) -> tuple[servers.Server, ServerResult]:
    """The mock on a state of its own (the same seed and size: the same deals), 2 workers under `server`."""
    s, port = b.s, b.ports.take()
    args = ("--dialect", "revorbit", "--records", str(s.deals), "--workers", "2", "--server", server)
    mock = stack.enter_context(running(servers.crm_mock(
        "mock" if key == "mock" else f"mock ({server})", port, b.work, *args,
        "--state", str(b.work / f"throughput-{server}.sqlite3"))))
    b.say(f"throughput: the mock (--records {s.deals} --workers 2 --server {server}) on :{port}")
    result = ServerResult(key, f"mock (crm-mock, {server}, 2 workers)", "crm-mock serve " + " ".join(args))
    result.startup_s = mock.wait_ready("/api/deals/1", b.auth)
    result.rss_idle_mib = mock.rss()
    return mock, result


def _bare(b: Bench, stack: ExitStack, key: str, server: str) -> tuple[servers.Server, ServerResult]:
    """Bare Flask serving the mock's deals (deals.json) under `server`."""
    port = b.ports.take()
    b.say(f"throughput: bare Flask (the mock's deals from a list, {server}) on :{port}")
    bare = stack.enter_context(running(servers.bare_flask(port, b.work, b.work / "deals.json", server)))
    result = ServerResult(key, f"bare Flask (a list, {server}, 2 workers)", f"{server} -w 2 benchmarks.bare_flask:app")
    result.startup_s = bare.wait_ready("/api/deals/1", b.auth)
    result.rss_idle_mib = bare.rss()
    return bare, result


def _prisms(b: Bench, stack: ExitStack) -> list[Contender]:
    """Prism on the document as shipped and on the copy with a pinned page; none (and a note) without Prism."""
    if b.prism is None:
        b.results.notes.append(f"Prism is not installed: `{PRISM_INSTALL}`." if b.s.prism
                               else "Prism is not started in smoke mode.")
        return []
    pinned = servers.pinned_page_document(ROOT / "openapi" / "revorbit.yaml", b.work, PAGE_SIZE)
    return [
        _start_prism(b, stack, Path("openapi/revorbit.yaml"), ServerResult(
            "prism", f"Prism {PRISM_VERSION} dynamic (-d --seed 42 -m)",
            "prism mock -d --seed 42 -m -h 127.0.0.1 openapi/revorbit.yaml")),
        _start_prism(b, stack, pinned, ServerResult(
            "prism-page25", f"Prism {PRISM_VERSION} dynamic, page pinned to {PAGE_SIZE} deals",
            f"prism mock -d --seed 42 -m -h 127.0.0.1 {pinned.name}", scenarios=(LIST_SCENARIO,))),
    ]


def _start_prism(b: Bench, stack: ExitStack, document: Path, result: ServerResult) -> Contender:
    assert b.prism is not None
    port = b.ports.take()
    b.say(f"throughput: {result.name} on :{port}")
    prism = stack.enter_context(running(servers.prism(b.prism, port, b.work, document)))
    result.startup_s = prism.wait_ready("/deals/1", b.auth)
    result.rss_idle_mib = prism.rss()
    return prism, result, ""


def pull_deals(b: Bench, port: int) -> list[dict[str, Any]]:
    """Every deal as the mock shows it, so the bare app serves the very same JSON."""
    deals: list[dict[str, Any]] = []
    page = 1
    while True:
        status, raw = request(port, "GET", f"/api/deals?per_page=100&page={page}&sort_by=created_at", b.auth)
        if status != 200:
            raise BenchError(f"the mock answered its deal list with {status}")
        batch = json.loads(raw)
        deals.extend(batch["data"])
        if page >= batch["last_page"] or not batch["data"]:
            break
        page += 1
    deals.sort(key=lambda d: d["id"])
    return deals


def post_body(deals: list[dict[str, Any]]) -> bytes:
    """A valid DealInput whose references exist (taken from a stored deal)."""
    model = next((d for d in deals if d.get("contact_id") and d.get("company_id")), deals[0])
    body = {"name": "Benchmark renewal", "value": 125000, "stage_id": model["stage_id"], "probability": 40,
            "expected_close_date": "2027-03-31", "notes": "created by the benchmark", "tags": "bench"}
    for key in ("contact_id", "company_id", "assigned_to"):
        if model.get(key) is not None:
            body[key] = model[key]
    return json.dumps(body).encode()


def compare_shapes(b: Bench, mock_port: int, flask_port: int) -> None:
    for path in ("/api/deals/1", "/api/deals?per_page=25"):
        bodies = []
        for port in (mock_port, flask_port):
            _, raw = request(port, "GET", path, b.auth)
            bodies.append((json.loads(raw), len(raw)))
        (mock_body, mock_len), (bare_body, bare_len) = bodies
        same = _shape(mock_body) == _shape(bare_body)
        b.results.shape.append(f"`GET {path}`: {'same' if same else 'DIFFERENT'} keys and types; "
                               f"{mock_len:,} bytes (mock) vs {bare_len:,} bytes (bare Flask)")
        if not same:
            raise BenchError(f"the bare Flask app does not serve the mock's shape on {path}")


def _shape(value: Any, depth: int = 0) -> Any:
    """Keys and JSON types, recursively; list items by their first element."""
    if isinstance(value, dict):
        return {k: _shape(v, depth + 1) for k, v in value.items()} if depth < 3 else "object"
    if isinstance(value, list):
        return [_shape(value[0], depth + 1)] if value else []
    if value is None:
        return "any"  # null: a nullable field may be null in one record and not in another
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__
