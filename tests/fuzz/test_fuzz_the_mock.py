"""Every API under Schemathesis, positive and negative, with every built-in check: zero 5xx, zero answers
that break the document. `make test` runs the small size (>= 500 cases per API); `make fuzz` the full one
(>= 5,000 per API). harness.checks_config configures the checks; in one line each:

- not_a_server_error, status_code_, content_type_, response_schema_, response_headers_conformance: on.
- negative_data_rejection: on; extra query parameters are not generated as negations (X10: ignored).
- positive_data_acceptance: on, with the API's validation / not-found / conflict statuses expected, since
  a schema-valid body can name a record that does not exist; each such refusal must name its fields.
- missing_required_header: on, but no operation declares a header parameter, so it has nothing to do.
- unsupported_method, allow_header_conformance: on; their scenarios are negative coverage, which only
  the full size runs (test_hardening_routes.py checks every path's methods exhaustively in make test).
- use_after_free, ensure_resource_availability: on, fed by the stateful phase.
- ignored_auth: on (the credential goes in as a header; the check probes without it and with a bad one).
- object_level_authorization: off, cannot apply: it needs two identities owning records; the mock is a
  shared sandbox where every credential sees every record, by design.
"""

from __future__ import annotations

import time

import pytest

from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from tests.conftest import DIALECTS, SECRET, auth_headers, load_api
from tests.fuzz.harness import fuzz, size_for


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_schemathesis_finds_nothing(dialect: str) -> None:
    api = load_api(dialect)
    app = create_app(api, MockConfig(seed=11, records=15, secret=SECRET))
    headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
    size = size_for(dialect)
    started = time.monotonic()
    outcome = fuzz(api, app, headers, size)
    elapsed = time.monotonic() - started
    print(f"{dialect} [{size.name}]: {outcome.summary()} in {elapsed:.1f}s")
    assert not outcome.errors, "\n".join(outcome.errors[:20])
    assert not outcome.failures, f"{len(outcome.failures)} failures:\n" + "\n".join(sorted(set(outcome.failures))[:40])
    assert not [s for s in outcome.statuses if s >= 500]
    assert outcome.cases >= size.min_cases, outcome.summary()
    # both modes and the stateful phase really ran (a filter that silently dropped them would pass above)
    assert {"examples", "coverage", "fuzzing", "stateful"} <= set(outcome.phases) or dialect == "olympus", \
        outcome.summary()


def test_every_built_in_check_is_decided() -> None:
    """A Schemathesis upgrade that adds a check fails here until harness.checks_config decides on it."""
    from schemathesis.checks import CHECKS, load_all_checks

    from tests.fuzz.harness import checks_config

    load_all_checks()
    assert set(CHECKS.get_all_names()) <= set(checks_config(load_api("revorbit")))
