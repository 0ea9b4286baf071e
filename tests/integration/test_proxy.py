"""`crm-conformance proxy` in front of changed mocks: each defect the zoo's response-family mutants put in a
single answer is flagged on the exchange that shows it; --errors turns it into a 502; the reports validate
and hold no credential; a request outside the document is forwarded and named; a 20 MB body streams
through in bounded memory."""

from __future__ import annotations

import json
import math
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import psutil
import pytest
import requests

from crmspec.loader import DOCUMENTS
from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from tests.conftest import SECRET, auth_headers, load_api
from tests.mutants.run import build, unmodified
from tests.mutants.zoo import BY_NAME
from tests.proxying import APP_HEADER, Board, proxy_serve, start_board
from tests.servers import serving

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "conformance" / "reports" / "report.schema.json")
                    .read_text(encoding="utf-8"))
REPORTS = ("report.json", "junit.xml", "report.html", "summary.md")


@dataclass(frozen=True)
class Shows:
    """The one request whose answer shows a mutant's defect, and the check the defect breaks (read from the
    mutant's rule, not from the proxy)."""

    method: str
    path: str                   # under the API's base path
    check: str
    body: Any = None
    raw: bytes | None = None    # a body sent as it is (malformed JSON)


# the zoo's mutants whose defect is in one answer (tests/mutants/api_*.py, generic.py)
RESPONSE_FAMILY = {
    "ro_list_without_total": Shows("GET", "/deals", "ENV-002"),
    "ro_stages_without_success": Shows("GET", "/deals/stages", "ENV-001"),
    "ro_filtered_list_counts_everything": Shows("GET", "/deals?stage_id=1&per_page=5", "PAG-015"),
    "oc_missing_contact_410": Shows("GET", "/contacts/contact_999999", "STA-002"),
    "cc_deal_id_as_string": Shows("GET", "/deals/1", "SCH-003"),
    "cc_field_errors_as_strings": Shows("POST", "/deals", "ENV-006", body={"stage_id": 1}),
    "cc_last_page_rounded_down": Shows("GET", "/deals?per_page=7", "PAG-015"),
    "ys_json_as_text_html": Shows("GET", "/deals", "STA-003"),
    "ys_deal_amount_as_text": Shows("GET", "/deals", "SCH-001"),
    "ys_read_without_success": Shows("GET", "/deals/1", "ENV-001"),
    "ys_create_201_without_deal_id": Shows("POST", "/deals", "ENV-001",
                                           body={"deal_name": "Proxy deal", "pipeline_id": 1, "cstid": "$business"}),
    "ys_malformed_json_500": Shows("POST", "/deals", "STA-001", raw=b'{"deal_name": '),
    "ys_not_found_without_success_false": Shows("GET", "/deals/999999", "ENV-005"),
}


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Board]]:
    """One proxy per API in front of a switchboard: each mutant is one app behind it."""
    started = {api: start_board(api, tmp_path_factory.mktemp(f"proxy-{api}")) for api in DOCUMENTS}
    try:
        yield started
    finally:
        for board in started.values():
            board.stack.close()


def send(board: Board, app: str, api: str, credential: str, shows: Shows) -> requests.Response:
    headers = {**auth_headers(load_api(api), credential), APP_HEADER: app, "Accept": "application/json"}
    base = board.proxied.url + load_api(api).dialect.base_path
    body = dict(shows.body) if isinstance(shows.body, dict) else shows.body
    if isinstance(body, dict) and body.get("cstid") == "$business":  # YS11: a deal's customer is a Business
        contacts = requests.get(base + "/contacts?pageSize=100", headers=headers, timeout=30).json()["data"]["data"]
        body["cstid"] = next(c["cstid"] for c in contacts if c.get("contact_type") == 2)
    data = shows.raw if shows.raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(shows.method, base + shows.path, headers=headers, data=data, timeout=60)


def flagged(response: requests.Response) -> list[dict[str, Any]]:
    value = response.headers.get("X-Crm-Violations")
    return json.loads(value) if value else []


@pytest.mark.parametrize("name", sorted(RESPONSE_FAMILY))
def test_the_mutants_defect_is_flagged_on_the_answer_that_shows_it(name: str, boards: dict[str, Board],
                                                                   tmp_path: Path) -> None:
    mutant, shows = BY_NAME[name], RESPONSE_FAMILY[name]
    app, _, credentials = build(mutant, tmp_path)
    board = boards[mutant.dialect]
    plain_app, _, _ = build(unmodified(mutant.dialect), tmp_path)
    changed = send(board, board.switchboard.add(app), mutant.dialect, credentials.issue(), shows)
    assert shows.check in [v["check"] for v in flagged(changed)], (changed.status_code, flagged(changed),
                                                                   changed.text[:300])
    assert changed.headers["X-Crm-Violations"].isascii()
    # the same request to the unchanged mock: nothing flagged, so the flag is the mutant's defect
    unchanged = send(board, board.switchboard.add(plain_app), mutant.dialect, credentials.issue(), shows)
    assert flagged(unchanged) == [], flagged(unchanged)


def test_errors_turns_a_non_conformant_answer_into_a_502(tmp_path: Path) -> None:
    mutant = BY_NAME["ys_read_without_success"]
    app, api, credentials = build(mutant, tmp_path)
    with serving(app) as url, proxy_serve("ysuite", url + "/v1", tmp_path / "reports", "--errors") as proxied:
        headers = auth_headers(api, credentials.issue())
        answer = requests.get(proxied.url + "/v1/deals/1", headers=headers, timeout=30)
        conformant = requests.get(proxied.url + "/v1/deals", headers=headers, timeout=30)
        assert proxied.stop() == 1   # the server broke a rule in the traffic
    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["status"], problem["upstream_status"]) == (502, 200)
    assert "ENV-001" in [v["check"] for v in problem["violations"]]
    assert conformant.status_code == 200 and "X-Crm-Violations" not in conformant.headers
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert report["proxy"]["replaced"] == 1 and report["verdict"] == "non-conformant"


def _html_everywhere(app: Any) -> Any:
    """Every answer labelled text/html: STA-003 fails on each, so every exchange is kept as evidence."""
    inner = app.wsgi_app

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        def relabel(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", "text/html")]
            return start_response(status, kept, exc_info)
        return inner(environ, relabel)

    app.wsgi_app = middleware
    return app


def test_the_reports_validate_and_hold_no_credential(tmp_path: Path) -> None:
    api = load_api("revorbit")
    app = _html_everywhere(create_app(api, MockConfig(seed=3, records=10, secret=SECRET)))
    token = Credentials(api.dialect.auth, SECRET).issue()
    reports = tmp_path / "reports"
    with serving(app) as url, proxy_serve("revorbit", url + "/api", reports) as proxied:
        base = proxied.url + "/api"
        bearer = {"Authorization": f"Bearer {token}"}
        login = requests.post(base + "/auth/login", json={"email": "admin@example.com", "password": "mock-password"},
                              timeout=30)
        issued = json.loads(login.text)["token"]
        requests.get(base + "/deals?per_page=abc", headers=bearer, timeout=30)   # the client's mistake
        requests.get(base + "/deals/1", headers={"Authorization": f"Bearer {issued}",
                                                 "Cookie": "session=cookie-secret-value"}, timeout=30)
        requests.get(base + f"/deals?api_key={token[:40]}", headers=bearer, timeout=30)
        live = requests.get(proxied.url + "/__proxy/report", timeout=30).text + \
            requests.get(proxied.url + "/__proxy/", timeout=30).text
        assert proxied.stop() == 1
    texts = {name: (reports / name).read_text(encoding="utf-8") for name in REPORTS}
    report = json.loads(texts["report.json"])
    jsonschema.validate(report, SCHEMA)
    assert report["mode"] == "proxy" and report["schema_version"] == "2.1"
    assert "STA-003" in [c["id"] for c in report["checks"] if c["status"] == "failed"]
    assert report["proxy"]["client_violations"][0]["party"] == "client"
    assert ET.fromstring(texts["junit.xml"]).find(".//testcase") is not None
    texts["live"] = live
    for secret in (token, token[:40], issued, "mock-password", "cookie-secret-value"):
        leaks = [name for name, text in texts.items() if secret in text]
        assert leaks == [], f"{secret[:12]}... appears in {leaks}"
    assert "REDACTED" in texts["report.json"]


def test_a_request_outside_the_document_is_forwarded_and_named(tmp_path: Path) -> None:
    api = load_api("concord")
    app = create_app(api, MockConfig(seed=3, records=5, secret=SECRET))
    headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
    with serving(app) as url, proxy_serve("concord", url + "/api", tmp_path) as proxied:
        unknown = requests.get(proxied.url + "/api/no-such-thing", headers=headers, timeout=30)
        wrong_method = requests.patch(proxied.url + "/api/deals", headers=headers, timeout=30)
        fine = requests.get(proxied.url + "/api/deals", headers=headers, timeout=30)
        named = {n["request"] for n in proxied.report()["proxy"]["not_in_document"]}
        assert proxied.stop() == 0
    assert (unknown.status_code, wrong_method.status_code, fine.status_code) == (404, 405, 200)
    assert named == {"GET /api/no-such-thing", "PATCH /api/deals"}


BIG = 20 * 1024 * 1024
PIECE = b"x" * 65536


def _big_upstream(environ: dict[str, Any], start_response: Any) -> Any:
    """Reads a large upload as it arrives and answers 20 MB, piece by piece: never holds either."""
    if environ["REQUEST_METHOD"] != "POST":  # the proxy's first look at its upstream
        start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]
    stream, received = environ["wsgi.input"], 0
    while chunk := stream.read(65536):
        received += len(chunk)
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(BIG)),
                              ("X-Received", str(received))])
    return (PIECE for _ in range(BIG // len(PIECE)))


def _peak_rss_during(pids: list[int], work: Any) -> tuple[int, int, Any]:
    """(resident bytes before, the most seen while `work` ran, what it returned), sampled every 2 ms."""
    processes = [psutil.Process(pid) for pid in pids]

    def rss() -> int:
        return sum(p.memory_info().rss for p in processes)

    before, peak, done = rss(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return before, peak[0], result


def test_a_20_mb_body_streams_through_in_bounded_memory(tmp_path: Path) -> None:
    with serving(_big_upstream) as url, proxy_serve("revorbit", url + "/api", tmp_path) as proxied:
        master = psutil.Process(proxied.process.pid)
        pids = [master.pid, *(child.pid for child in master.children(recursive=True))]

        def round_trip() -> tuple[int, int]:
            upload = (PIECE for _ in range(BIG // len(PIECE)))
            answer = requests.post(proxied.url + "/api/files", data=upload, stream=True, timeout=120,
                                   headers={"Content-Type": "application/octet-stream"})
            got = sum(len(chunk) for chunk in answer.iter_content(65536))
            return int(answer.headers["X-Received"]), got

        before, peak, (received, got) = _peak_rss_during(pids, round_trip)
        assert proxied.stop() == 0
    assert (received, got) == (BIG, BIG)
    # both 20 MB bodies passed; the proxy's processes grew by far less than one of them
    assert peak - before < BIG // 2, f"resident set grew by {math.ceil((peak - before) / 2**20)} MiB"
