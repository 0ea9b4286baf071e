"""`crm-mock serve --workers 2 --state FILE` under concurrent client processes, and under `kill -9`.

- 4 client processes x 250 creates: exactly 1,000 new records, 1,000 distinct ids, each readable by any
  worker;
- concurrent updates (and deletes) of one record: never a 5xx, and the record ends in exactly one of the
  states a client wrote (no field from one write mixed with another's), or deleted;
- every write acknowledged before the whole process group is killed with SIGKILL is there after a restart
  on the same state file, and the file passes SQLite's integrity check.

Why the last one holds: store.py opens the state with journal_mode=WAL and synchronous=NORMAL. A commit
appends to the -wal file with write(2) before the response is sent; the kernel keeps those pages when the
process dies, and the next open replays the WAL. synchronous=NORMAL skips the fsync at each commit, so
an OS crash or power loss may lose the last transactions; a process kill cannot.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pytest

from mock_server.auth import Credentials
from mock_server.config import DEFAULT_SECRET
from tests.conftest import load_api
from tests.postgres import on_postgres
from tests.servers import call, crm_mock_serve

# SQLite's own file state by design (--state FILE, its integrity check); tests/integration/test_replicas_on_postgres.py
# is the PostgreSQL counterpart, so the PostgreSQL pass of the mock suite (CRM_MOCK_BACKEND=postgres) skips these
pytestmark = pytest.mark.skipif(on_postgres(), reason="SQLite state files; PostgreSQL: test_replicas_on_postgres.py")
CLIENTS = 4
FORK = multiprocessing.get_context("fork")
# per API: the collection, a create body for client c's n-th record, and where a record sits in an answer
SPECS: dict[str, dict[str, Any]] = {
    "revorbit": {"path": "/deals", "id": "id", "record": ("data",), "total": ("total",), "size": "per_page",
                 "body": lambda c, n: {"name": f"c{c}-{n}", "stage_id": 1, "value": c * 100_000 + n}},
    "olympus": {"path": "/contacts", "id": "id", "record": (), "total": ("pagination", "total"), "size": "limit",
                "body": lambda c, n: {"name": f"c{c}-{n}", "email": f"c{c}.n{n}@example.org"}},
}


@contextmanager
def served(dialect: str, state: Path, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The API's root URL on a `crm-mock serve --workers N --state FILE`, and its process."""
    with crm_mock_serve("--dialect", dialect, "--workers", str(workers), "--state", str(state), "--records", "5",
                        "--no-access-log") as server:
        yield server.url + load_api(dialect).dialect.base_path, server.process


def token(dialect: str) -> str:
    return Credentials(load_api(dialect).dialect.auth, DEFAULT_SECRET).issue()




def dig(body: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        body = body[part]
    return body


def total(dialect: str, base: str, bearer: str) -> int:
    spec = SPECS[dialect]
    status, body = call("GET", f"{base}{spec['path']}?{spec['size']}=1", bearer)
    assert status == 200, body
    return int(dig(body, spec["total"]))


# client processes (module level: forked workers run them) ------------------------------------------
def create_many(dialect: str, base: str, bearer: str, client: int, count: int) -> list[tuple[int, Any]]:
    spec = SPECS[dialect]
    out = []
    for n in range(count):
        try:
            status, body = call("POST", base + spec["path"], bearer, spec["body"](client, n))
        except (OSError, http.client.HTTPException):  # the server was killed under us: not acknowledged
            break
        record_id = dig(body, spec["record"])[spec["id"]] if status < 300 else None
        out.append((status, record_id))
    return out


def read_all(dialect: str, base: str, bearer: str, ids: list[Any]) -> list[tuple[Any, int, Any]]:
    spec = SPECS[dialect]
    out = []
    for record_id in ids:
        status, body = call("GET", f"{base}{spec['path']}/{record_id}", bearer)
        out.append((record_id, status, dig(body, spec["record"]).get("name") if status == 200 else None))
    return out


def write_one(base: str, bearer: str, record_id: Any, client: int, count: int, delete_at: int | None) -> list[int]:
    statuses = []
    for n in range(count):
        if n == delete_at:
            statuses.append(call("DELETE", f"{base}/deals/{record_id}", bearer)[0])
        body = {"name": f"w{client}-{n}", "value": client * 1000 + n, "stage_id": 1}
        statuses.append(call("PUT", f"{base}/deals/{record_id}", bearer, body)[0])
    return statuses


def in_processes(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
    """Each call in its own client process, all at once; their results in order."""
    with ProcessPoolExecutor(len(calls), mp_context=FORK) as pool:
        futures = [pool.submit(function, *args) for args in calls]
        return [future.result(timeout=300) for future in futures]


# the tests -------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("dialect", list(SPECS))
def test_four_processes_create_a_thousand_records(tmp_path: Path, dialect: str) -> None:
    bearer = token(dialect)
    with served(dialect, tmp_path / "state.sqlite3") as (base, _):
        before = total(dialect, base, bearer)
        results = in_processes(create_many, [(dialect, base, bearer, c, 250) for c in range(CLIENTS)])
        statuses = {status for result in results for status, _ in result}
        ids = [record_id for result in results for _, record_id in result]
        assert statuses == {201}, statuses
        assert len(ids) == 1000 and len(set(ids)) == 1000
        assert total(dialect, base, bearer) == before + 1000
        # every record is readable, each client reading another client's records (so another worker, often)
        shares = [ids[(c + 1) * 250 % 1000:][:250] for c in range(CLIENTS)]
        reads = [r for part in in_processes(read_all, [(dialect, base, bearer, s) for s in shares]) for r in part]
        assert len(reads) == 1000 and {status for _, status, _ in reads} == {200}
        created = {record_id: f"c{c}-{n}"
                   for c, result in enumerate(results) for n, (_, record_id) in enumerate(result)}
        assert all(created[record_id] == name for record_id, _, name in reads)


@pytest.mark.slow
def test_concurrent_updates_and_deletes_of_one_record(tmp_path: Path) -> None:
    bearer = token("revorbit")
    with served("revorbit", tmp_path / "state.sqlite3") as (base, _):
        _, body = call("POST", f"{base}/deals", bearer, {"name": "contested", "stage_id": 1})
        record_id = body["data"]["id"]
        calls = [(base, bearer, record_id, c, 40, None) for c in range(CLIENTS)]
        statuses = [s for part in in_processes(write_one, calls) for s in part]
        assert set(statuses) == {200}, statuses
        status, body = call("GET", f"{base}/deals/{record_id}", bearer)
        assert status == 200
        record = body["data"]
        client, n = (int(x) for x in record["name"][1:].split("-"))  # one write, whole: name and value agree
        assert record["value"] == client * 1000 + n and 0 <= client < CLIENTS and 0 <= n < 40

        calls = [(base, bearer, record_id, c, 30, 10 + 3 * c) for c in range(CLIENTS)]  # each deletes once
        statuses = [s for part in in_processes(write_one, calls) for s in part]
        assert set(statuses) <= {200, 404} and 404 in statuses, sorted(set(statuses))  # never a 5xx
        assert call("GET", f"{base}/deals/{record_id}", bearer)[0] == 404  # deleted stays deleted


@pytest.mark.slow
@pytest.mark.parametrize("dialect", list(SPECS))
def test_acknowledged_writes_survive_kill_9(tmp_path: Path, dialect: str) -> None:
    spec, bearer, state = SPECS[dialect], token(dialect), tmp_path / "state.sqlite3"
    with served(dialect, state) as (base, process):
        # phase 1: creates, updates and deletes, every one acknowledged before the next
        made = [dig(call("POST", base + spec["path"], bearer, spec["body"](9, n))[1], spec["record"])[spec["id"]]
                for n in range(30)]
        for record_id in made[:10]:
            status, _ = call("PUT", f"{base}{spec['path']}/{record_id}", bearer,
                             {**spec["body"](9, 999), "name": f"updated-{record_id}", "email": f"u{record_id}@x.org"})
            assert status == 200
        for record_id in made[10:15]:
            assert call("DELETE", f"{base}{spec['path']}/{record_id}", bearer)[0] < 300
        # phase 2: four clients writing as fast as they can when the whole process group gets SIGKILL
        with ProcessPoolExecutor(CLIENTS, mp_context=FORK) as pool:
            futures = [pool.submit(create_many, dialect, base, bearer, c, 10_000) for c in range(CLIENTS)]
            time.sleep(1.5)
            os.killpg(process.pid, signal.SIGKILL)
            results = [f.result(timeout=60) for f in futures]
        process.wait(timeout=20)
    acknowledged = [record_id for result in results for status, record_id in result if status == 201]
    assert len(acknowledged) > 20, "the clients barely wrote before the kill"
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with served(dialect, state, workers=1) as (base, _):
        for record_id in made[:10]:
            status, body = call("GET", f"{base}{spec['path']}/{record_id}", bearer)
            assert status == 200 and dig(body, spec["record"])["name"] == f"updated-{record_id}"
        for record_id in made[15:]:
            assert call("GET", f"{base}{spec['path']}/{record_id}", bearer)[0] == 200
        for record_id in made[10:15]:
            assert call("GET", f"{base}{spec['path']}/{record_id}", bearer)[0] == 404
        missing = [r for r, status, _ in read_all(dialect, base, bearer, acknowledged) if status != 200]
        assert not missing, f"{len(missing)} acknowledged creates lost: {missing[:5]}"


@pytest.mark.slow
def test_the_master_lets_go_of_the_state_file_before_the_workers_fork(tmp_path: Path) -> None:
    """gunicorn's master seeds the state file, then closes its connections: one the garbage collector closed
    later, after the fork, would make SQLite in the master checkpoint and delete the -wal file the workers
    append to, and every commit since would be lost on a crash (the kill -9 test above caught it once)."""
    state = tmp_path / "state.sqlite3"
    with served("revorbit", state) as (base, process):
        assert call("GET", base + "/deals", token("revorbit"))[0] == 200
        held = {Path(f.path).name for f in psutil.Process(process.pid).open_files()}
    assert not held & {state.name, f"{state.name}-wal", f"{state.name}-shm"}, held
