"""Two `crm-mock serve` replicas on one PostgreSQL database answer as one API.

Each replica is a process tree of its own (gunicorn, 2 workers) on a port of its own, so as far as the mock can
tell they are two hosts; they share nothing but the `--state postgresql://...` URL (a namespace per test).
Clients send their requests to one replica and the next in turn, as a load balancer would.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main as conformance
from mock_server.auth import Credentials
from mock_server.config import DEFAULT_SECRET
from tests.conftest import DIALECTS, load_api
from tests.integration.test_hardening_concurrency import FORK, SPECS, dig, total
from tests.postgres import require, state_url
from tests.roundrobin import round_robin
from tests.servers import Served, call, crm_mock_serve

pytestmark = pytest.mark.slow
CLIENTS = 4


@pytest.fixture
def database() -> str:
    return state_url(require())


@contextmanager
def replicas(dialect: str, database: str, *extra: str, count: int = 2) -> Iterator[list[Served]]:
    """`count` replicas of one API on one database, started one after the other (the first seeds it)."""
    with ExitStack() as stack:
        yield [stack.enter_context(crm_mock_serve("--dialect", dialect, "--state", database, "--workers", "2",
                                                  "--records", "5", "--no-access-log", *extra))
               for _ in range(count)]


def bases(dialect: str, servers: list[Served]) -> list[str]:
    return [s.url + load_api(dialect).dialect.base_path for s in servers]


def token(dialect: str) -> str:
    return Credentials(load_api(dialect).dialect.auth, DEFAULT_SECRET).issue()


# client processes (module level: forked workers run them) ------------------------------------------
def create_in_turn(dialect: str, urls: list[str], bearer: str, client: int, count: int) -> list[tuple[int, Any]]:
    """`count` creates, the n-th through replica (client + n) % 2; (status, id) of each one answered."""
    spec, out = SPECS[dialect], []
    for n in range(count):
        try:
            status, body = call("POST", urls[(client + n) % len(urls)] + spec["path"], bearer, spec["body"](client, n))
        except (OSError, http.client.HTTPException):  # that replica was killed under us (before or while it
            continue  # answered: granian keeps connections alive, so an answer can be cut off): not acknowledged
        out.append((status, dig(body, spec["record"])[spec["id"]] if status < 300 else None))
    return out


def write_in_turn(urls: list[str], bearer: str, record_id: Any, client: int, count: int,
                  delete_at: int | None) -> list[int]:
    statuses = []
    for n in range(count):
        base = urls[(client + n) % len(urls)]
        if n == delete_at:
            statuses.append(call("DELETE", f"{base}/deals/{record_id}", bearer)[0])
        body = {"name": f"w{client}-{n}", "value": client * 1000 + n, "stage_id": 1}
        statuses.append(call("PUT", f"{base}/deals/{record_id}", bearer, body)[0])
    return statuses


def in_processes(function: Any, calls: list[tuple[Any, ...]]) -> list[Any]:
    with ProcessPoolExecutor(len(calls), mp_context=FORK) as pool:
        return [f.result(timeout=300) for f in [pool.submit(function, *args) for args in calls]]


# the tests -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dialect", list(SPECS))
def test_four_clients_create_a_thousand_records_through_both_replicas(database: str, dialect: str) -> None:
    bearer, spec = token(dialect), SPECS[dialect]
    with replicas(dialect, database) as servers:
        urls = bases(dialect, servers)
        before = total(dialect, urls[0], bearer)
        results = in_processes(create_in_turn, [(dialect, urls, bearer, c, 250) for c in range(CLIENTS)])
        assert {status for result in results for status, _ in result} == {201}
        ids = [record_id for result in results for _, record_id in result]
        assert len(ids) == 1000 and len(set(ids)) == 1000
        assert [total(dialect, url, bearer) for url in urls] == [before + 1000] * 2
        names = {record_id: f"c{c}-{n}" for c, result in enumerate(results) for n, (_, record_id) in enumerate(result)}
        for index, url in enumerate(urls):  # every record from either replica, whichever created it
            for record_id in ids[index::2]:
                status, body = call("GET", f"{url}{spec['path']}/{record_id}", bearer)
                assert status == 200 and dig(body, spec["record"])["name"] == names[record_id]


def test_concurrent_updates_and_deletes_through_both_replicas_end_in_one_written_state(database: str) -> None:
    bearer = token("revorbit")
    with replicas("revorbit", database) as servers:
        urls = bases("revorbit", servers)
        _, body = call("POST", f"{urls[0]}/deals", bearer, {"name": "contested", "stage_id": 1})
        record_id = body["data"]["id"]
        statuses = [s for part in in_processes(write_in_turn, [(urls, bearer, record_id, c, 40, None)
                                                               for c in range(CLIENTS)]) for s in part]
        assert set(statuses) == {200}, sorted(set(statuses))
        seen = [call("GET", f"{url}/deals/{record_id}", bearer)[1]["data"] for url in urls]
        assert seen[0] == seen[1]  # both replicas read the one stored state
        client, n = (int(x) for x in seen[0]["name"][1:].split("-"))  # one write, whole: name and value agree
        assert seen[0]["value"] == client * 1000 + n and 0 <= client < CLIENTS and 0 <= n < 40

        calls = [(urls, bearer, record_id, c, 30, 10 + 3 * c) for c in range(CLIENTS)]  # each deletes once
        statuses = [s for part in in_processes(write_in_turn, calls) for s in part]
        assert set(statuses) <= {200, 404} and 404 in statuses, sorted(set(statuses))  # never a 5xx
        assert [call("GET", f"{url}/deals/{record_id}", bearer)[0] for url in urls] == [404, 404]


@pytest.mark.parametrize(("dialect", "path"), [("concord", "/contacts"), ("olympus", "/contacts")])
def test_one_email_created_through_both_replicas_at_once_is_created_once(database: str, dialect: str,
                                                                         path: str) -> None:
    bearer = token(dialect)
    with replicas(dialect, database) as servers:
        urls = bases(dialect, servers)
        for attempt in range(12):
            email = f"twice.{attempt}@example.org"
            body = ({"first_name": "Twice", "last_name": str(attempt), "email": email} if dialect == "concord"
                    else {"name": f"Twice {attempt}", "email": email})
            start = threading.Barrier(2)

            def create(url: str, sent: dict[str, Any] = body, start: threading.Barrier = start) -> int:
                start.wait()
                return call("POST", url + path, bearer, sent)[0]

            with ThreadPoolExecutor(2) as pool:
                statuses = sorted(pool.map(create, urls))
            # exactly one 2xx; the other is the API's refusal of a taken email (Concord 422, Olympus 400)
            assert statuses[0] in (200, 201) and statuses[1] in (400, 422), (attempt, statuses)


def test_a_rate_limit_holds_across_both_replicas(database: str) -> None:
    limit, bearer = 12, token("revorbit")
    seconds_left = 60 - time.time() % 60
    if seconds_left < 15:  # one fixed window for the whole test: start it at the next minute
        time.sleep(seconds_left + 0.5)
    with replicas("revorbit", database, "--rate-limit", f"{limit}/min") as servers:
        urls = bases("revorbit", servers)
        statuses = [call("GET", f"{urls[n % 2]}/deals?per_page=1", bearer)[0] for n in range(2 * limit)]
    assert statuses.count(200) == limit and statuses.count(429) == limit, statuses
    assert statuses[:limit] == [200] * limit  # the first N pass, whichever replica answered them


def test_a_snapshot_taken_through_one_replica_is_restored_through_the_other(database: str) -> None:
    bearer = token("revorbit")
    with replicas("revorbit", database) as servers:
        one, other = bases("revorbit", servers)
        admin_one, admin_other = (s.url + "/__mock" for s in servers)
        kept = call("POST", f"{one}/deals", bearer, {"name": "kept", "stage_id": 1})[1]["data"]["id"]
        before = call("GET", f"{one}/deals?per_page=100", bearer)[1]
        assert call("POST", f"{admin_one}/snapshots", bearer, {"name": "before"})[0] == 201
        assert [s["name"] for s in call("GET", f"{admin_other}/snapshots", bearer)[1]["snapshots"]] == ["before"]
        assert call("DELETE", f"{other}/deals/{kept}", bearer)[0] < 300
        added = call("POST", f"{other}/deals", bearer, {"name": "added later", "stage_id": 1})[1]["data"]["id"]
        assert call("POST", f"{admin_other}/snapshots/before/restore", bearer)[0] == 200
        for url in (one, other):
            assert call("GET", f"{url}/deals/{kept}", bearer)[0] == 200
            assert call("GET", f"{url}/deals/{added}", bearer)[0] == 404
            assert call("GET", f"{url}/deals?per_page=100", bearer)[1] == before


def test_killing_one_replica_mid_load_loses_no_acknowledged_write(database: str) -> None:
    dialect, bearer = "revorbit", token("revorbit")
    spec = SPECS[dialect]
    with replicas(dialect, database) as servers:
        urls = bases(dialect, servers)
        with ProcessPoolExecutor(CLIENTS, mp_context=FORK) as pool:
            futures = [pool.submit(create_in_turn, dialect, urls, bearer, c, 600) for c in range(CLIENTS)]
            time.sleep(2.0)
            os.killpg(servers[0].process.pid, signal.SIGKILL)
            results = [f.result(timeout=300) for f in futures]
        acknowledged = [record_id for result in results for status, record_id in result if status == 201]
        assert len(acknowledged) > 2 * CLIENTS, "the clients barely wrote before the kill"
        missing = [r for r in acknowledged if call("GET", f"{urls[1]}{spec['path']}/{r}", bearer)[0] != 200]
        assert not missing, f"{len(missing)} acknowledged creates lost: {missing[:5]}"
    with replicas(dialect, database, count=1) as (restarted,):  # the killed replica comes back to the same state
        url = bases(dialect, [restarted])[0]
        assert all(call("GET", f"{url}{spec['path']}/{r}", bearer)[0] == 200 for r in acknowledged[:50])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_conformance_suite_certifies_both_replicas_behind_a_round_robin(database: str, dialect: str,
                                                                            tmp_path: Path) -> None:
    api = load_api(dialect)
    credentials = Credentials(api.dialect.auth, DEFAULT_SECRET)
    args = ["--token", credentials.issue(), "--expired-token", credentials.issue(expired=True)]
    if api.dialect.auth.limited_role:
        args += ["--limited-token", credentials.issue(api.dialect.auth.limited_role)]
    with replicas(dialect, database, "--records", "15") as servers, round_robin([s.url for s in servers]) as url:
        code = conformance(["run", "--dialect", dialect, "--base-url", url + api.dialect.base_path, *args,
                            "--seed", "1", "--max-examples", "5", "--report-dir", str(tmp_path), "--quiet"])
    report = json.loads((tmp_path / "report.json").read_text())
    failed = [(c["id"], c["failures"][:2]) for c in report["checks"] if c["status"] == "failed"]
    assert code == 0 and report["verdict"] == "conformant", failed
