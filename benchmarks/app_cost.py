"""The app's own cost (make bench, part `app_cost`): CPU per request of the mock's Flask app against bare Flask
(benchmarks/bare_flask.py) serving the same deals, in this process, through Flask's test client: no HTTP server,
no socket, so that the app and the server it runs under are judged apart.

Each app answers GET one deal and the list page of 25 (the throughput part's paths), `requests` times per round
on one thread, in interleaved rounds; the CPU time of this process per request of the best round is kept. A third
app, Flask answering a constant `{}`, is the floor: what the test client, Werkzeug and Flask cost whatever the app
does (it is in both figures of the ratio, so the ratio without it is shown beside).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response
from flask.testing import FlaskClient

import crmspec
from benchmarks import bare_flask
from benchmarks.harness import Bench
from benchmarks.results import Target
from benchmarks.scenarios import SCENARIOS
from benchmarks.servers import BenchError
from mock_server.app import create_app
from mock_server.config import MockConfig

APP_COST_MAX = 2.0  # issue 18: the mock's in-process cost per request <= 2x bare Flask's
SCENARIOS_MEASURED = SCENARIOS[:2]  # GET one deal, the list page of 25
APPS = ("mock", "bare Flask", "floor")


@dataclass(frozen=True)
class AppCost:
    scenario: str
    path: str
    us: dict[str, float]  # app -> CPU microseconds per request, the best round
    rounds: dict[str, list[float]]  # app -> every round's

    def ratio(self) -> float:
        return self.us["mock"] / self.us["bare Flask"]

    def ratio_above_floor(self) -> float:
        """NaN where bare Flask measured at or below the floor (too few requests to tell them apart)."""
        floor = self.us["floor"]
        above = self.us["bare Flask"] - floor
        return (self.us["mock"] - floor) / above if above > 0 else math.nan

    @property
    def above_floor_shown(self) -> str:
        ratio = self.ratio_above_floor()
        return "-" if math.isnan(ratio) else f"{ratio:.2f}x"


def target(cost: AppCost, judged: bool, rounds: int, requests: int) -> Target:
    ratio = cost.ratio()
    return Target(f"In-process app CPU, {cost.scenario}: mock <= {APP_COST_MAX:g}x bare Flask",
                  f"{ratio:.2f}x ({cost.us['mock']:.0f} vs {cost.us['bare Flask']:.0f} us/request; "
                  f"above the floor {cost.above_floor_shown})", f"<= {APP_COST_MAX:g}x",
                  ratio <= APP_COST_MAX if judged else None,
                  f"Flask test client, no server, best of {rounds} rounds of {requests}")


def cpu_us_per_request(call: Callable[[], int], requests: int) -> float:
    """CPU microseconds of this process per call of `call` (which answers a status), over `requests` calls."""
    started = time.process_time()
    for _ in range(requests):
        status = call()
        if status != 200:
            raise BenchError(f"an app answered {status} while its CPU cost was measured")
    return (time.process_time() - started) * 1e6 / requests


def measure(b: Bench) -> None:
    b.say(f"app cost: the mock's app in this process (--records {b.s.deals})")
    mock = create_app(crmspec.load("revorbit"), MockConfig(seed=42, records=b.s.deals)).test_client()
    clients = {"mock": mock, "bare Flask": bare_flask.build_app(_deals(mock, b.auth)).test_client(),
               "floor": _floor().test_client()}
    costs = []
    for scenario in SCENARIOS_MEASURED:
        path = "/api" + scenario.path
        calls = {app: _getter(client, path, b.auth) for app, client in clients.items()}
        for call in calls.values():  # warm-up: first-request setup, caches
            cpu_us_per_request(call, max(10, b.s.app_requests // 10))
        rounds: dict[str, list[float]] = {app: [] for app in APPS}
        for round_ in range(b.s.app_rounds):
            shift = round_ % len(APPS)
            for app in APPS[shift:] + APPS[:shift]:
                rounds[app].append(cpu_us_per_request(calls[app], b.s.app_requests))
        cost = AppCost(scenario.label, path, {app: min(us) for app, us in rounds.items()}, rounds)
        b.say(f"  {scenario.label}: mock {cost.us['mock']:.0f} us, bare Flask {cost.us['bare Flask']:.0f} us, "
              f"floor {cost.us['floor']:.0f} us CPU per request ({cost.ratio():.2f}x)")
        costs.append(cost)
        b.results.more_targets.append(target(cost, not b.s.smoke, b.s.app_rounds, b.s.app_requests))
    b.results.sections.append(section(costs, b.s.deals, b.s.app_rounds, b.s.app_requests))


def section(costs: list[AppCost], deals: int, rounds: int, requests: int) -> list[str]:
    lines = ["", "## The app alone: CPU per request in process", "",
             f"Flask's test client calls each app in this process (no HTTP server, no socket, one thread): the mock "
             f"(`create_app`, {deals:,} records per resource, access log off as in `MockConfig()`), bare Flask "
             "(benchmarks/bare_flask.py) on the same deals, and the floor (Flask answering a constant `{}`: the "
             f"test client's, Werkzeug's and Flask's own share). {requests:,} requests per round, {rounds} "
             "interleaved rounds, CPU time of this process (`time.process_time`) per request in the best round.",
             "", "| scenario | path | mock us | bare Flask us | floor us | mock / bare Flask "
             "| the same above the floor | mock us, every round |", "|---|---|---|---|---|---|---|---|"]
    for c in costs:
        every = " / ".join(f"{us:.0f}" for us in c.rounds["mock"])
        lines.append(f"| {c.scenario} | `{c.path}` | {c.us['mock']:.0f} | {c.us['bare Flask']:.0f} "
                     f"| {c.us['floor']:.0f} | {c.ratio():.2f}x | {c.above_floor_shown} | {every} |")
    return lines


def _getter(client: FlaskClient, path: str, headers: dict[str, str]) -> Callable[[], int]:
    def call() -> int:
        return client.get(path, headers=headers).status_code
    return call


def _deals(mock: FlaskClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every deal as the mock shows it, `risk` included: the bare app serves the same JSON."""
    deals: list[dict[str, Any]] = []
    page, last = 1, 1
    while page <= last:
        answer = mock.get(f"/api/deals?per_page=100&page={page}&sort_by=created_at", headers=headers)
        if answer.status_code != 200:
            raise BenchError(f"the mock's app answered its deal list with {answer.status_code}")
        body = json.loads(answer.data)
        deals.extend(body["data"])
        last, page = int(body["last_page"]), page + 1
    return sorted(deals, key=lambda d: d["id"])


def _floor() -> Flask:
    app = Flask("floor")

    @app.get("/api/deals/<int:deal_id>")
    def one(deal_id: int) -> Response:
        return Response("{}", mimetype="application/json")

    @app.get("/api/deals")
    def many() -> Response:
        return Response("{}", mimetype="application/json")

    return app
