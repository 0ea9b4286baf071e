"""The stateful lifecycle run: Schemathesis chains create -> read/update/delete through the documents'
OpenAPI links, as a Hypothesis state machine, and judges each chain with its stateful checks
(use_after_free: a deleted record must not answer 2xx; ensure_resource_availability: a created record
must not answer 404).

X11 holds here too: the machine sees only the CRUD operations of resources the suite can delete,
and any step aimed at a record the suite did not create is discarded before it is sent.
"""

from __future__ import annotations

import copy
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase
from schemathesis import Config
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.generation.stateful import STATEFUL_TESTS_LABEL
from schemathesis.specs.openapi.checks import ensure_resource_availability, use_after_free

from conformance.context import CheckRun
from conformance.target import Exchange
from crmspec.model import Api, Operation

CRUD = ("create", "read", "update", "delete")


def lifecycle_document(api: Api) -> tuple[dict[str, Any], dict[str, Operation]]:
    """The document reduced to the CRUD operations of resources the suite can create and delete."""
    document = copy.deepcopy(api.document)
    keep: dict[str, Operation] = {}
    for op in api.operations:
        if op.action in CRUD and op.mount == api.dialect.base_path and api.find(op.resource, "create") \
                and api.find(op.resource, "delete") and op.resource in api.dialect.resources \
                and api.dialect.resources[op.resource].parent is None:
            keep[f"{op.method.upper()} {op.path}"] = op
    for path, item in list(document.get("paths", {}).items()):
        for method in list(item):
            if method in ("get", "put", "post", "delete", "patch") and f"{method.upper()} {path}" not in keep:
                del item[method]
        if not any(m in item for m in ("get", "put", "post", "delete", "patch")):
            del document["paths"][path]
    document.pop("webhooks", None)
    kept_ids = {op.operation_id for op in keep.values()}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in (operation.get("responses") or {}).values():
                links = response.get("links") if isinstance(response, dict) else None
                if not isinstance(links, dict):
                    continue
                for name in [n for n, link in links.items() if link.get("operationId") not in kept_ids]:
                    del links[name]
    return document, keep


def _failure_messages(exc: BaseException) -> list[str]:
    if isinstance(exc, FailureGroup):
        return [f"{f.title}: {f.message}".strip() for f in exc.exceptions if isinstance(f, Failure)]
    if isinstance(exc, Failure):
        return [f"{exc.title}: {exc.message}".strip()]
    return []


def run_lifecycles(run: CheckRun) -> None:
    import schemathesis

    ctx = run.ctx
    api = ctx.api
    document, ours = lifecycle_document(api)
    if not ours:
        run.skip("no resource the suite can both create and delete")
    schema = schemathesis.openapi.from_dict(document, config=Config.from_dict({}))
    schema.config.update(base_url=ctx.target.base_url)
    owned: set[tuple[str, str]] = set()  # (resource, id) of every record this run created
    stray: set[str] = set()  # ids of cases aimed at no record
    nowhere: Any = 9007199254740991 if api.dialect.id_type == "integer" else "crmconf-no-such-record"
    machine: Any = schema.as_state_machine()

    class Lifecycle(machine):
        def __init__(self) -> None:
            super().__init__()
            if not hasattr(self, "recorder"):
                self.recorder = ScenarioRecorder(label=STATEFUL_TESTS_LABEL, config=self.schema.config.output)

        def before_call(self, case: Any) -> None:
            op = ours.get(f"{case.operation.method.upper()} {case.operation.path}")
            if op is None:
                return
            if op.action == "create":
                case.body = ctx.fixtures.body(op.resource)  # a valid, tagged body: the chain is the point
                return
            own = op.record_param()
            if own is None:
                return
            # X11: a step not chained from the suite's own create must not touch anyone's record:
            # it is aimed at an id no record can have (redirecting it would break the link chains)
            if (op.resource, str((case.path_parameters or {}).get(own))) not in owned:
                case.path_parameters = {**(case.path_parameters or {}), own: nowhere}
                stray.add(case.id)  # sent, but not judged: it is not part of any chain

        def call(self, case: Any, **kwargs: Any) -> Any:
            # the suite's credential wins over whatever the generator put in the security header
            headers = ctx.target.without_credentials(case.headers)
            headers.update(ctx.target.auth_headers(ctx.target.credentials.get("default")))
            case.headers = headers
            response = case.call(session=ctx.target.session, base_url=ctx.target.base_url, headers=headers,
                                 timeout=ctx.target.timeout)
            op = ours[f"{case.operation.method.upper()} {case.operation.path}"]
            exchange = _record(ctx.target, op, case, response)
            made = ctx.fixtures.adopt(op, exchange) if op.action == "create" else None
            if made is not None:
                owned.add((op.resource, str(made.id)))
            self._last_exchange = exchange
            return response

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            if case.id in stray:
                return
            try:
                case.validate_response(response, checks=[use_after_free, ensure_resource_availability],
                                       recorder=self.recorder)
            except (Failure, FailureGroup) as exc:
                for message in _failure_messages(exc):
                    run.fail(self._last_exchange, message)
                return
            run.observe()

    settings = hypothesis.settings(
        max_examples=max(20, ctx.options.max_examples), stateful_step_count=10, deadline=None, database=None,
        derandomize=True, suppress_health_check=list(HealthCheck), phases=[Phase.generate],
    )
    Lifecycle.run(settings=settings)


def _record(target: Any, op: Operation, case: Any, response: Any) -> Exchange:
    request = response.request
    exchange = Exchange(
        method=case.operation.method.upper(), url=str(request.url), operation=str(op),
        request_headers={k: str(v) for k, v in dict(request.headers).items()},
        request_body=case.body if isinstance(case.body, dict | list | str | int | float) else None,
        status=response.status_code,
        response_headers={k.lower(): ", ".join(v) if isinstance(v, list) else str(v)
                          for k, v in response.headers.items()},
        body=response.content or b"", elapsed=float(getattr(response, "elapsed", 0.0) or 0.0), source="stateful",
    )
    target.exchanges.append(exchange)
    return exchange
