"""Methods a path does not declare: 405 in the API's envelope with an Allow header naming exactly the
path's methods, also where Flask would have routed the URL to a templated neighbour (PUT /deals/import
went to PUT /deals/{id} and answered 404); OPTIONS advertises the same set.

The fuzz run checks this too (Schemathesis' unsupported_method and allow_header_conformance), but only
at the full size (`make fuzz`); this is the exhaustive, deterministic version that `make test` runs.
"""

from __future__ import annotations

import re

from tests.conftest import Mock
from tests.integration.helpers import assert_error_envelope

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def _paths(mock: Mock) -> dict[str, set[str]]:
    paths: dict[str, set[str]] = {}
    for op in mock.api.operations:
        paths.setdefault(op.full_path, set()).add(op.method.upper())
    return paths


def test_undeclared_methods_are_405_with_the_documented_allow(mock: Mock) -> None:
    checked = 0
    for path, declared in _paths(mock).items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        expected = declared | {"OPTIONS"} | ({"HEAD"} if "GET" in declared else set())
        for method in METHODS:
            if method in expected:
                continue
            response = mock.client.open(url, method=method, headers=mock.headers)
            if method == "HEAD":
                assert response.status_code == 405, (method, url)
            else:
                assert_error_envelope(mock, response, 405)
            allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
            assert allow == expected, (method, url, allow)
            checked += 1
        options = mock.client.open(url, method="OPTIONS")
        allow = {m.strip() for m in options.headers.get("Allow", "").split(",") if m.strip()}
        assert options.status_code < 300 and allow == expected, (url, options.status_code, allow)
    assert checked >= 10
