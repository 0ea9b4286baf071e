"""How findings count: a failure on an operation the pages do not define is a SHOULD; an inferred
operation the target does not have is not judged at all; a check that breaks is a fault of the suite
(status error), never a finding about the server; and the verdict follows from those alone."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.context import CheckRun, Options, RunContext
from conformance.model import CheckResult, verdict_of
from conformance.registry import Check
from conformance.runner import _run_scenario, judge, not_implemented
from conformance.target import Exchange, Target
from tests.conftest import load_api

API = load_api("revorbit")


def exchange(operation: str, status: int | None, credential: str | None = "default") -> Exchange:
    method, _, path = operation.partition(" ")
    return Exchange(method, f"http://t/api{path}", operation, {}, None, status, {}, b"", 0.0,
                    credential=credential)


def check_run(severity: str = "MUST", func: Any = None) -> CheckRun:
    check = Check("TST-001", "status", "a test check", severity, "a statement", "scenario",  # type: ignore[arg-type]
                  func or (lambda run: None))
    ctx = RunContext(API, Target("http://t/api", API.dialect.auth), Options())
    return CheckRun(check, ctx)


def test_a_failure_on_an_inferred_operation_counts_as_should() -> None:
    run = check_run()
    assert API.find("contacts", "read").source == "inferred"  # type: ignore[union-attr]
    run.fail(exchange("GET /contacts/{id}", 500), "broken")
    run.fail(exchange("GET /deals/{id}", 500), "broken")  # the page's own operation
    result = run.result()
    assert (result.must_failures, result.should_failures) == (1, 1)
    assert [f.level for f in result.failures] == ["SHOULD", "MUST"]
    assert result.outcome("standard") == "failed" and verdict_of([result], "standard") == "non-conformant"


def test_only_inferred_failures_are_a_warning_at_standard_and_a_failure_at_strict() -> None:
    run = check_run()
    run.fail(exchange("DELETE /contacts/{id}", 500), "broken")
    result = run.result()
    assert result.outcome("standard") == "warning" and verdict_of([result], "standard") == "conformant"
    assert result.outcome("strict") == "failed" and verdict_of([result], "strict") == "non-conformant"


def test_a_designed_part_of_a_page_operation_can_be_lowered_by_the_check() -> None:
    run = check_run()
    run.fail(exchange("GET /deals/stats", 200), "shape", level="SHOULD")
    assert run.result().outcome("standard") == "warning"


def test_forgetting_an_operation_takes_back_its_failures_and_only_those() -> None:
    run = check_run()
    run.fail(exchange("GET /contacts", 404), "not there")
    run.fail(exchange("POST /contacts", 404), "not there")
    run.fail(exchange("GET /deals", 500), "broken")
    run.forget({"GET /contacts", "POST /contacts"})
    result = run.result()
    assert (result.must_failures, result.should_failures) == (1, 0)
    assert [f.operation for f in result.failures] == ["GET /deals"]


def test_an_inferred_operation_answering_404_or_405_everywhere_is_not_implemented() -> None:
    exchanges = [
        exchange("GET /contacts", 404), exchange("POST /contacts", 405), exchange("GET /contacts", 404),
        exchange("GET /contacts", 401, credential=None),      # without a credential: says nothing
        exchange("GET /leads", 200), exchange("POST /leads", 404),  # a path the target has
        exchange("DELETE /deals/{id}", 404),                  # the page's own operation: always judged
    ]
    assert not_implemented(API, exchanges) == ["GET /contacts", "POST /contacts", "POST /leads"]


def test_a_404_on_a_record_of_a_resource_the_target_created_is_a_finding() -> None:
    exchanges = [exchange("POST /companies", 201), exchange("GET /companies/{id}", 404),
                 exchange("PUT /companies/{id}", 405)]
    assert not_implemented(API, exchanges) == ["PUT /companies/{id}"]


def test_a_scenario_that_raises_is_a_fault_of_the_suite_not_a_failure() -> None:
    def broken(run: CheckRun) -> None:
        run.fail(exchange("GET /deals", 500), "seen before breaking")
        raise KeyError("id")

    run = check_run(func=broken)
    _run_scenario(run)
    result = run.result()
    assert result.status == "error" and "KeyError" in (result.reason or "") and "Traceback" in (result.trace or "")
    # what it saw before breaking is still true, so the verdict is decided without it
    assert verdict_of([result], "standard") == "non-conformant"


def test_a_broken_must_check_leaves_the_verdict_undecided() -> None:
    run = check_run(func=lambda run: [][0])
    _run_scenario(run)
    result = run.result()
    assert result.outcome("standard") == "error"
    assert verdict_of([result], "standard") == "error"


@pytest.mark.parametrize("level, verdict", [("standard", "conformant"), ("strict", "error")])
def test_a_broken_should_check_decides_nothing_at_standard(level: str, verdict: str) -> None:
    run = check_run(severity="SHOULD", func=lambda run: {}["missing"])
    _run_scenario(run)
    assert verdict_of([run.result()], level) == verdict  # type: ignore[arg-type]


def test_a_response_check_that_raises_is_a_fault_too() -> None:
    check = Check("TST-002", "status", "t", "MUST", "s", "response", lambda run, ex: ex.json())
    run = CheckRun(check, RunContext(API, Target("http://t/api", API.dialect.auth), Options()))
    judge(run, exchange("GET /deals", 200))  # an empty body is not JSON: the check itself breaks
    assert run.result().status == "error"


def test_results_built_without_counts_count_at_the_checks_own_level() -> None:
    must = CheckResult("A", "status", "t", "MUST", "s", "failed")
    should = CheckResult("B", "status", "t", "SHOULD", "s", "failed")
    assert (must.must_failures, should.should_failures) == (1, 1)
    assert verdict_of([should], "standard") == "conformant"
    assert verdict_of([must, should], "standard") == "non-conformant"


def test_an_inferred_operation_never_reached_with_a_credential_is_judged_by_its_path() -> None:
    exchanges = [
        exchange("GET /contacts/{id}", 404),                              # the read of an id proved absent
        exchange("PUT /contacts/{id}", 404, credential=None),             # only the auth probes reached these
        exchange("DELETE /contacts/{id}", 404, credential=None),
        exchange("POST /auth/refresh", 404, credential=None),             # a path of its own
        exchange("PUT /companies/{id}", 401, credential=None),            # refused: the operation is there
        exchange("PUT /leads/{id}", 404, credential=None), exchange("GET /leads/{id}", 200),  # the path is there
    ]
    assert not_implemented(API, exchanges) == ["DELETE /contacts/{id}", "GET /contacts/{id}", "POST /auth/refresh",
                                               "PUT /contacts/{id}"]
