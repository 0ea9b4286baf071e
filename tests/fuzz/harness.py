"""Schemathesis' engine (the one `st run` drives) against the mock, served over HTTP from a thread.

Why over HTTP and not `schema.app`: in Schemathesis 4.32 the engine's stateful phase hands the WSGI
transport a `max_redirects` argument werkzeug's client refuses (every stateful step errors), so the
mock is served by werkzeug's threaded server on a free loopback port instead.

Size: `make test` runs the SMALL size (>= 500 cases per API, about ten seconds each); `make fuzz` sets
CRM_FUZZ=full for the FULL size (>= 5,000 cases per API, every phase, negative coverage included).
Both are seeded (SEED) and the generation is derandomized, so the same requests go out every run; the
stateful phase follows the mock's answers, whose timestamps differ, so its length may vary slightly.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from flask import Flask
from schemathesis import Config, GenerationMode
from schemathesis.engine import events, from_schema

from crmspec import dotted
from crmspec.model import Api
from mock_server.responses import DEFAULT_STATUSES
from tests.servers import serving

SEED = 20240601
FULL = os.environ.get("CRM_FUZZ", "").lower() in ("1", "full", "yes")


@dataclass(frozen=True)
class Size:
    name: str
    max_examples: int  # per operation and mode, in the fuzzing phase
    negative_coverage: bool  # the coverage phase's negative scenarios (boundary violations, undeclared methods)
    max_steps: int  # per stateful scenario
    min_cases: int  # the run must have sent at least this many requests


# examples per operation and mode, per API, so each reaches its minimum: Revenue Orbit has 65
# operations (its positive coverage alone is 700 cases), YSUITE 15
SMALL_EXAMPLES = {"revorbit": 2, "olympus": 5, "concord": 3, "ysuite": 14}
FULL_EXAMPLES = {"revorbit": 70, "olympus": 220, "concord": 160, "ysuite": 260}


def size_for(dialect: str) -> Size:
    if not FULL:
        return Size("small", SMALL_EXAMPLES[dialect], negative_coverage=False, max_steps=8, min_cases=500)
    return Size("full", max_examples=int(os.environ.get("CRM_FUZZ_EXAMPLES", FULL_EXAMPLES[dialect])),
                negative_coverage=True, max_steps=20, min_cases=5000)


def checks_config(api: Api) -> dict[str, Any]:
    """Every built-in check, each with the reason it is configured the way it is."""
    statuses = api.dialect.errors.statuses

    def status(kind: str) -> str:
        return str(statuses.get(kind) or DEFAULT_STATUSES[kind])

    return {
        # enabled with their defaults: nothing to decide
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "negative_data_rejection": {"enabled": True},
        "unsupported_method": {"enabled": True},
        "allow_header_conformance": {"enabled": True},
        "use_after_free": {"enabled": True},
        "ensure_resource_availability": {"enabled": True},
        "ignored_auth": {"enabled": True},
        # No operation declares a header parameter (credentials are security schemes, ignored_auth's
        # business), so this one has nothing to exercise; it stays on in case a document adds one.
        "missing_required_header": {"enabled": True},
        # A schema-valid body can still name a record that does not exist, repeat a unique email or break
        # a cross-field rule (won and lost, "exactly one of field or event"): the API refuses it with its
        # validation status, or its not-found status (YSUITE: 400). Those statuses are expected here, and
        # `positive_refusals_name_their_fields` then demands that every such refusal names its fields.
        "positive_data_acceptance": {"enabled": True, "expected-statuses": sorted({
            "2xx", "401", "403", "404", "409", "429",
            status("validation"), status("not_found"), status("conflict")})},
        # Needs two identities (a WFC multi-user auth file) and records owned by one of them; the mock is a
        # shared sandbox where every credential sees every record, by design.
        "object_level_authorization": {"enabled": False},
        # max_response_time stays off (it is opt-in: a number of seconds): timing is benchmarks/' business.
    }


def engine_config(api: Api, size: Size) -> Config:
    coverage: dict[str, Any] = {"enabled": True}
    if not size.negative_coverage:
        coverage["generation"] = {"mode": "positive"}
    return Config.from_dict({
        "seed": SEED,
        "max-failures": 100_000,
        "continue-on-failure": True,
        "generation": {
            "mode": "all",  # positive AND negative
            "max-examples": size.max_examples,
            "deterministic": True,
            # X10: the APIs ignore unknown query parameters, so an extra one does not make a request invalid
            "allow-extra-parameters": False,
        },
        "checks": checks_config(api),
        "phases": {
            "examples": {"enabled": True},
            "coverage": coverage,
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": size.max_steps},
        },
    })




@dataclass
class Outcome:
    cases: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.cases} cases {dict(self.phases)} statuses {dict(sorted(self.statuses.items()))}"


def fuzz(api: Api, app: Flask, headers: dict[str, str], size: Size,
         include: dict[str, Any] | None = None) -> Outcome:
    """Run every phase and check against `app`; failures come back described, one line each."""
    outcome = Outcome()
    schema = schemathesis.openapi.from_dict(copy.deepcopy(api.document), config=engine_config(api, size))
    # Olympus login lives behind a path-level server, which Schemathesis does not apply
    schema = schema.exclude(path_regex="^/auth/login$") if api.dialect.id == "olympus" else schema
    if include:
        schema = schema.include(**include)
    with serving(app) as url:
        schema.config.update(base_url=url + api.dialect.base_path, headers=headers)
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                phase = event.phase.value if isinstance(event, events.ScenarioFinished) else "fuzzing"
                _record(api, event.recorder, phase, outcome)
            elif isinstance(event, events.NonFatalError):
                outcome.errors.append(f"{event.label}: {event.value!r}"[:500])
            elif isinstance(event, events.FatalError):
                outcome.errors.append(f"fatal: {event.exception!r}"[:500])
    return outcome


def _record(api: Api, recorder: Any, phase: str, outcome: Outcome) -> None:
    for case_id, interaction in recorder.interactions.items():
        if interaction.response is None:
            continue
        outcome.cases += 1
        outcome.phases[phase] += 1
        status = interaction.response.status_code
        outcome.statuses[status] += 1
        node = recorder.cases.get(case_id)
        case = node.value if node is not None else None
        label = f"{case.operation.label} {case.formatted_path}" if case is not None else case_id
        if status >= 500:
            outcome.failures.append(f"{status} from {label}: {interaction.response.content[:200]!r}")
        if case is not None:
            problem = positive_refusals_name_their_fields(api, case, interaction.response)
            if problem:
                outcome.failures.append(f"{problem}: {label}")
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status.value != "failure" or check.failure_info is None:
                continue
            node = recorder.cases.get(case_id)
            case = node.value if node is not None else None
            where = f"{case.method} {case.formatted_path}" if case is not None else case_id
            failure = check.failure_info.failure
            outcome.failures.append(f"{check.name} at {where}: {failure.title}: {failure.message[:300]}")


def positive_refusals_name_their_fields(api: Api, case: Any, response: Any) -> str | None:
    """A schema-valid request the API refuses with its validation status must say which fields are wrong."""
    meta = case.meta
    if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
        return None
    validation = api.dialect.errors.statuses.get("validation") or DEFAULT_STATUSES["validation"]
    if response.status_code != validation:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return "a positive case refused without a JSON body"
    named = dotted.get(body, api.dialect.errors.field_errors) if api.dialect.errors.field_errors else None
    if not isinstance(named, dict) or not named:
        return f"a positive case refused with {validation} naming no field ({body!r:.200})"
    return None
