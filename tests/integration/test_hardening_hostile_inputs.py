"""Hostile input, table-driven: every row is refused with a 4xx in the API's own error envelope and
leaves the state exactly as it was (every record of every resource, compared before and after).

Two kinds of row answer 2xx, and say so in the table: an unknown query parameter (dialects.md X10:
ignored) and search text full of LIKE and SQL metacharacters, which must match literally: the rows
returned are exactly the records whose searched fields contain the text, no more, no fewer.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mock_server.app import mock_of
from mock_server.responses import DEFAULT_STATUSES
from tests.conftest import DIALECTS, Mock
from tests.integration.pages import PAGES, dig

MB = 1024 * 1024


@dataclass(frozen=True)
class Target:
    """Where each API is attacked: a collection it creates into and lists with a search."""

    collection: str
    create: dict[str, Any]  # a valid create body
    text: str  # a free-text field of that body, also searched
    integer: str  # an integer field the schema leaves unbounded (64 bits are the mock's limit)
    search: str  # the list's search parameter
    searched: tuple[str, ...]  # the fields that search reads (the document's x-crm-operation search)


TARGETS = {
    "revorbit": Target("/deals", {"name": "Hostile probe", "stage_id": 3}, "name", "stage_id", "search",
                       ("name", "notes", "tags")),
    "olympus": Target("/contacts", {"name": "Hostile probe", "email": "hostile.probe@example.org"}, "name",
                      "custom_fields.n", "search", ("name", "email")),
    "concord": Target("/deals", {"name": "Hostile probe", "stage_id": 1}, "name", "stage_id", "q", ("name",)),
    "ysuite": Target("/contacts", {"cstname": "Hostile probe", "contact_type": 1}, "cstname",
                     "cstmobile_country_id", "search", ("cstname", "cstemail")),
}

# names written into each API before the search rows, so that every needle has hits and near misses
SEARCH_NAMES = ("100% Growth", "100 Growth", "Under_score Ltd", "Underscore Ltd", "O'Brien; DROP TABLE deals; --",
                'Quote "double" Co', "Back\\slash Inc", "Backslash Inc", "Star* Labs", "Sly ' OR '1'='1 Corp")
NEEDLES = ("%", "_", "0% G", "'", "' OR '1'='1", "; DROP TABLE deals; --", '"', "\\", "*", "[a-z]", ".*")


@dataclass(frozen=True)
class Row:
    name: str
    kinds: tuple[str, ...]  # the error kinds (dialect statuses) that may answer; () = a 2xx row
    send: Callable[[Mock, Target, dict[str, str]], Any]
    note: str = ""


def _json(mock: Mock, method: str, path: str, raw: bytes, headers: dict[str, str],
          content_type: str | None = "application/json") -> Any:
    extra = {"Content-Type": content_type} if content_type else {}
    return mock.client.open(mock.url(path), method=method, data=raw, headers={**headers, **extra})


def _with(target: Target, dotted_field: str, value: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(target.create))
    head, _, rest = dotted_field.partition(".")
    body[head] = {rest: value} if rest else value
    return body


def _post(raw: bytes | Callable[[Target], bytes], content_type: str | None = "application/json") -> Any:
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        data = raw(target) if callable(raw) else raw
        return _json(mock, "POST", target.collection, data, headers, content_type)
    return send


def _put(raw: bytes | Callable[[Target], bytes]) -> Any:
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        data = raw(target) if callable(raw) else raw
        return _json(mock, "PUT", f"{target.collection}/{_first_id(mock, target)}", data, headers)
    return send


def _list(query: str) -> Any:
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        page = PAGES[mock.dialect]
        text = query.format(size=page.size_param, page=page.page_param, search=target.search)
        return mock.client.get(mock.url(target.collection) + "?" + text, headers=headers)
    return send


def _get(suffix: str) -> Any:
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        return mock.client.get(mock.url(target.collection) + suffix, headers=headers)
    return send


def _chunked(raw: Callable[[Target], bytes]) -> Any:
    """A body with no Content-Length, as a server hands over a chunked one it decoded (gunicorn does)."""
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        environ = {"wsgi.input": io.BytesIO(raw(target)), "wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
        return mock.client.post(mock.url(target.collection), data=b"", environ_overrides=environ,
                                headers={**headers, "Content-Type": "application/json"})
    return send


def _header(name: str, value: str) -> Any:
    """A header value as a broken proxy or a raw WSGI caller could hand it over (werkzeug's client refuses
    to build one with CR/LF, so it goes straight into the environ)."""
    def send(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
        key = "HTTP_" + name.upper().replace("-", "_")
        kept = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        return mock.client.get(mock.url(target.collection), headers=kept, environ_overrides={key: value})
    return send


def _credential_with_crlf(mock: Mock, target: Target, headers: dict[str, str]) -> Any:
    name = next(iter(headers))  # Authorization, or YSUITE's access key
    return _header(name, headers[name] + "\r\nX-Injected: 1")(mock, target, headers)


def _text(value: str) -> Callable[[Target], bytes]:
    return lambda t: json.dumps(_with(t, t.text, value)).encode()


def _integer(value: int) -> Callable[[Target], bytes]:
    return lambda t: json.dumps(_with(t, t.integer, value)).encode()


def _nested(depth: int) -> Callable[[Target], bytes]:
    """Arrays `depth` deep in the integer field's place (Olympus: inside custom_fields, a free-form object)."""
    deep = "[" * depth + "]" * depth
    return lambda t: json.dumps(_with(t, t.integer, "DEEP")).replace('"DEEP"', deep).encode()


def _raw_number(number: bytes) -> Callable[[Target], bytes]:
    return lambda t: json.dumps(t.create)[:-1].encode() + b', "' + t.integer.split(".")[0].encode() + b'": ' + \
        number + b"}"


BAD, INVALID, MEDIA, LARGE = ("bad_request",), ("validation",), ("unsupported_media_type",), ("payload_too_large",)
MISSING = ("not_found", "route_not_found")

ROWS = [
    # bodies
    Row("malformed JSON", BAD, _post(b'{"name": "x",')),
    Row("JSON with a trailing comma", BAD, _post(b'{"name": "x",}')),
    Row("an array where an object belongs", INVALID, _post(lambda t: json.dumps([t.create]).encode())),
    Row("a number where an object belongs", INVALID, _post(b"42")),
    Row("a string where an object belongs", INVALID, _post(b'"deal"')),
    Row("null where an object belongs", INVALID, _post(b"null")),
    Row("wrong Content-Type (text/plain)", MEDIA, _post(lambda t: json.dumps(t.create).encode(), "text/plain")),
    Row("form Content-Type on a JSON body", MEDIA,
        _post(lambda t: json.dumps(t.create).encode(), "application/x-www-form-urlencoded")),
    Row("missing Content-Type", MEDIA, _post(lambda t: json.dumps(t.create).encode(), None)),
    Row("empty body", INVALID, _post(b"")),
    Row("a 10 MB body (the mock's limit is 1 MB)", LARGE,
        _post(b'{"name": "' + b"x" * (10 * MB) + b'"}')),
    Row("a 10 MB chunked body (no Content-Length)", LARGE,
        _chunked(lambda t: b'{"name": "' + b"x" * (10 * MB) + b'"}')),
    Row("a valid body padded past the limit, chunked (werkzeug cut it to a valid 1 MB)", LARGE,
        _chunked(lambda t: json.dumps(t.create).encode() + b" " * (2 * MB))),
    Row("JSON nested 10,000 levels deep", BAD, _post(_nested(10_000))),
    Row("JSON nested 100 levels (the limit is 64)", BAD, _post(_nested(100))),
    Row("invalid UTF-8", BAD, _post(b'{"name": "\xff\xfe\xfd"}')),
    Row("a UTF-16 body labelled JSON", BAD, _post(lambda t: json.dumps(t.create).encode("utf-16"))),
    Row("a NUL byte in a string", INVALID, _post(_text("Hostile\x00probe"))),
    Row("an integer beyond 64 bits", INVALID, _post(_integer(2**64))),
    Row("a negative integer beyond 64 bits", INVALID, _post(_integer(-(2**63) - 1))),
    Row("a number beyond double range (1e400)", BAD, _post(_raw_number(b"1e400")),
        note="parses to inf, which SQLite's JSON (and any JSON reader) refuses: it used to be a 500"),
    Row("NaN, which JSON does not have", BAD, _post(_raw_number(b"NaN"))),
    Row("update with an empty body", INVALID, _put(b"")),
    Row("update with malformed JSON", BAD, _put(b"{")),
    Row("update with an array", INVALID, _put(b"[]")),
    # page sizes and query parameters
    Row("page size 0", INVALID, _list("{size}=0")),
    Row("page size -1", INVALID, _list("{size}=-1")),
    Row("page size NaN", INVALID, _list("{size}=NaN")),
    Row("page size 10^9", INVALID, _list("{size}=1000000000")),
    Row("page size 1e2 (not an integer literal)", INVALID, _list("{size}=1e2")),
    Row("page size with underscores (1_0)", INVALID, _list("{size}=1_0")),
    Row("page number beyond 64 bits", INVALID, _list("{page}=99999999999999999999999")),
    Row("a repeated page size", INVALID, _list("{size}=5&{size}=7")),
    Row("an unknown query parameter (X10: ignored, 2xx)", (), _list("no_such_parameter=1&{size}=5")),
    Row("a NUL byte in the search text", INVALID, _list("{search}=a%00b")),
    # paths
    Row("path traversal ../", MISSING, _get("/../../../etc/passwd")),
    Row("path traversal, encoded ..%2F", MISSING, _get("/..%2F..%2Fetc%2Fpasswd")),
    Row("path traversal, dots encoded %2e%2e", MISSING, _get("/%2e%2e/%2e%2e/etc/passwd")),
    Row("an id of 10,000 characters", MISSING, _get("/" + "9" * 10_000)),
    Row("SQL in an id", MISSING, _get("/1%20OR%201=1")),
    Row("a NUL byte in an id", MISSING, _get("/1%00")),
    # headers
    Row("CR/LF in a header value", BAD, _header("Accept", "application/json\r\nX-Injected: 1")),
    Row("a bare LF in a header value", BAD, _header("X-Request-Id", "abc\nSet-Cookie: a=b")),
    Row("CR/LF in the credential", ("unauthorized", "bad_request"), _credential_with_crlf),
]


def _first_id(mock: Mock, target: Target) -> Any:
    page = PAGES[mock.dialect]
    body = mock.client.get(mock.url(target.collection), headers=mock.headers).get_json()
    record = dig(body, page.items)[0]
    return next(v for k, v in record.items() if k in ("id", "cstid", "deal_id"))


def state(mock: Mock) -> str:
    """A digest of every record of every resource, straight from the store."""
    store = mock_of(mock.app).store
    digest = hashlib.sha256()
    for name in sorted(mock.api.dialect.resources):
        digest.update(json.dumps([name, store.count(name), store.all(name)], sort_keys=True).encode())
    return digest.hexdigest()


def status_of(mock: Mock, kind: str) -> int:
    return mock.api.dialect.errors.statuses.get(kind) or DEFAULT_STATUSES[kind]


@pytest.fixture(scope="module", params=DIALECTS)
def hostile(request: pytest.FixtureRequest) -> tuple[Mock, Target]:
    mock = Mock(str(request.param), records=12, seed=9)
    target = TARGETS[mock.dialect]
    for number, name in enumerate(SEARCH_NAMES):
        body = _with(target, target.text, name)
        if "email" in body:  # Olympus: one contact per email
            body["email"] = f"probe{number}@example.org"
        response = mock.client.post(mock.url(target.collection), json=body, headers=mock.headers)
        assert response.status_code < 300, response.get_data(as_text=True)
    return mock, target


def assert_envelope(mock: Mock, response: Any, statuses: set[int]) -> None:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], body
    if PAGES[mock.dialect].error_success_false:
        assert body.get("success") is False, body
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and mock.config.secret not in text


def test_the_table_has_at_least_25_rows_per_api() -> None:
    assert len([r for r in ROWS if r.kinds]) >= 25 and len(ROWS) + len(NEEDLES) >= 50


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_hostile_input_is_refused_and_changes_nothing(hostile: tuple[Mock, Target], row: Row) -> None:
    mock, target = hostile
    before = state(mock)
    response = row.send(mock, target, dict(mock.headers))
    if row.kinds:
        assert_envelope(mock, response, {status_of(mock, kind) for kind in row.kinds})
    else:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert state(mock) == before, f"{row.name} changed the state"


@pytest.mark.parametrize("needle", NEEDLES)
def test_search_metacharacters_match_literally(hostile: tuple[Mock, Target], needle: str) -> None:
    """Exactly the records whose searched fields contain the text (case-insensitively): `%` and `_` are
    not LIKE wildcards, quotes and semicolons are not SQL, `[a-z]` and `.*` are not patterns."""
    mock, target = hostile
    page = PAGES[mock.dialect]
    resource = mock.api.dialect.resources[_resource(mock, target)]
    expected = {r[resource.id_field] for r in mock_of(mock.app).store.all(resource.name)
                if any(needle.lower() in str(r.get(f) or "").lower() for f in target.searched)}
    assert expected or needle in ("[a-z]", ".*"), f"{needle!r} should have hits among {SEARCH_NAMES}"
    before = state(mock)
    query = {target.search: needle, page.size_param: page.max_size}
    response = mock.client.get(mock.url(target.collection), query_string=query, headers=mock.headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    items = dig(response.get_json(), page.items)
    assert {i[resource.id_field] for i in items} == expected, needle
    assert dig(response.get_json(), page.total) == len(expected)
    assert state(mock) == before


def _resource(mock: Mock, target: Target) -> str:
    return next(op.resource for op in mock.api.operations
                if op.method == "get" and op.path == target.collection and op.action == "list")


def test_no_nesting_depth_is_a_500(hostile: tuple[Mock, Target]) -> None:
    """json.loads takes ~990 levels; a body a little shallower parsed, was stored (Olympus custom_fields is
    free-form) and then failed to encode again: a 500 in a window whose place depends on the stack depth.
    Every depth around it is now a 400 (the mock's limit is 64 levels)."""
    mock, target = hostile
    before = state(mock)
    for depth in range(880, 1001, 3):
        response = _post(_nested(depth))(mock, target, dict(mock.headers))
        assert_envelope(mock, response, {status_of(mock, "bad_request")})
    assert state(mock) == before


def test_served_oversized_bodies_and_ids_get_the_envelope(tmp_path: Path) -> None:
    """Over a real socket a server that answers 413 and closes while the client still sends resets the
    connection (the client saw a broken pipe, never the 413): the mock reads and drops the body first."""
    from tests.integration.test_hardening_concurrency import call, served, token, total

    bearer = token("revorbit")
    with served("revorbit", tmp_path / "state.sqlite3", workers=2) as (base, _):
        before = total("revorbit", base, bearer)
        host, port = base.split("//")[1].split("/")[0].split(":")
        valid = json.dumps({"name": "Padded", "stage_id": 1}).encode()
        bodies = {"10 MB with Content-Length": (b'{"name": "' + b"x" * (10 * MB) + b'"}', False),
                  "10 MB chunked": (b'{"name": "' + b"x" * (10 * MB) + b'"}', True),
                  "valid JSON padded to 3 MB, chunked": (valid + b" " * (3 * MB), True)}
        for name, (body, chunked) in bodies.items():
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                connection.putrequest("POST", "/api/deals")
                connection.putheader("Authorization", f"Bearer {bearer}")
                connection.putheader("Content-Type", "application/json")
                connection.putheader(*(("Transfer-Encoding", "chunked") if chunked
                                       else ("Content-Length", str(len(body)))))
                connection.endheaders()
                for start in range(0, len(body), MB):
                    part = body[start:start + MB]
                    connection.send(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                if chunked:
                    connection.send(b"0\r\n\r\n")
                response = connection.getresponse()
                answer = json.loads(response.read())
            finally:
                connection.close()
            assert response.status == 413 and answer["success"] is False and answer["message"], (name, answer)
        # a 10,000-character id passes gunicorn's request line (limit_request_line=0): the API's 404 envelope
        status, answer = call("GET", f"{base}/deals/{'9' * 10_000}", bearer)
        assert status == 404 and answer["success"] is False, answer
        assert total("revorbit", base, bearer) == before
        assert call("GET", f"{base}/deals?per_page=1", bearer)[0] == 200
