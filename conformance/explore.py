"""Exploration: Schemathesis generates requests for every operation it is safe to call (fixed seed).

Safe means X11: reads of anything; creates (tracked and deleted afterwards) of resources the suite can
delete; updates only of the suite's own records; no deletes and no custom writes (merge, import, ...).
Every reference a generated body carries is pointed at the suite's own records (or at lookup data), so
no foreign record's derived values move. Positive and negative cases feed the response checks.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import Config, GenerationMode

from conformance.context import RunContext
from crmspec.model import Operation

Progress = Callable[[str], None]


@contextmanager
def seed_alone() -> Iterator[None]:
    """Hypothesis mixes literals it finds in the caller's own modules (any loaded module outside
    site-packages) into what it draws, so the same seed would draw differently from an editable install
    and from a wheel, or inside a user's pytest run. While the suite draws, that set is empty (and its
    cache of it cleared): what is drawn depends on the seed alone. Private Hypothesis names, so each is
    looked up defensively: when they are gone, nothing is changed."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:
        yield
        return
    original, cache = getattr(providers, "_get_local_constants", None), getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None:
        yield
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def draw(strategy: Any, count: int, seed: int) -> list[Any]:
    """`count` examples of a strategy, the same for the same seed, drawn without any target in sight."""
    drawn: list[Any] = []

    @hypothesis.settings(max_examples=count, database=None, deadline=None, derandomize=False,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @hypothesis.given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    with warnings.catch_warnings(), seed_alone():
        warnings.simplefilter("ignore")
        hypothesis.seed(seed)(collect)()
    return drawn


def _plan(ctx: RunContext, op: Operation) -> dict[str, Any] | None:
    """Path values to pin, or None when the operation must not be explored."""
    if op.mount != ctx.api.dialect.base_path:
        return None  # a path-level server (Olympus login): not part of the API under test
    if op.method == "get":
        own = op.record_param()
        if own is None or op.action != "read":
            return {}
        made = ctx.fixtures.create(op.resource)  # reads of the suite's own record succeed and get judged
        return {own: made.id} if made is not None else {}
    if op.action == "create" and not op.path_params:
        # X11: generate creates only where the suite can delete what it made (Olympus deals cannot be)
        deletable = ctx.api.find(op.resource, "delete") is not None
        return {} if deletable and ctx.fixtures.creatable(op.resource) is not None else None
    if op.action == "update":
        made = ctx.fixtures.create(op.resource)
        if made is None:
            return None
        return {op.path_params[-1]: made.id}
    return None


def _send(ctx: RunContext, op: Operation, case: Any, source: str) -> None:
    media = getattr(case, "media_type", None) or "application/json"
    if media != "application/json" and case.body is not None and not isinstance(case.body, dict | list):
        return
    payload = case.body if _has_body(case) else None
    if op.action in ("create", "update"):
        payload = ctx.fixtures.own_references(op, payload)
    # generated security headers are the auth family's business: the suite's credential wins here
    headers = ctx.target.without_credentials(case.headers)
    raw: bytes | str | None = None
    if isinstance(payload, bytes | str):  # negative cases may send a body that is not JSON at all
        raw, payload = payload, None
        headers.setdefault("Content-Type", media)
    exchange = ctx.target.send(op.method.upper(), case.formatted_path, operation=str(op),
                               params=dict(case.query or {}), json_body=payload, data=raw, headers=headers,
                               source=source)
    if op.action == "create":
        ctx.fixtures.adopt(op, exchange)


def _has_body(case: Any) -> bool:
    from schemathesis.core import NOT_SET

    return case.body is not NOT_SET and case.body is not None


def explore(ctx: RunContext, progress: Progress | None = None) -> None:
    api = ctx.api
    schema = schemathesis.openapi.from_dict(copy.deepcopy(api.document), config=Config.from_dict({}))
    schema.config.update(base_url=ctx.target.base_url)
    ours = {str(op): op for op in api.operations}
    for index, result in enumerate(schema.get_all_operations()):
        try:
            operation = result.ok()  # type: ignore[union-attr]
        except Exception:  # an operation schemathesis cannot model is explored by the scenarios instead
            continue
        op = ours.get(f"{operation.method.upper()} {operation.path}")
        if op is None:
            continue
        pinned = _plan(ctx, op)
        if pinned is None:
            continue
        if progress:
            progress(f"exploring {op}")
        passes: list[tuple[GenerationMode, str, dict[str, Any]]] = [(GenerationMode.POSITIVE, "explore", pinned)]
        if pinned and op.method == "get":
            passes.append((GenerationMode.POSITIVE, "explore", {}))  # also ids that name nothing: not found
        if op.method != "get" or op.raw.get("parameters"):
            passes.append((GenerationMode.NEGATIVE, "negative", pinned if op.method != "get" else {}))
        for mode, source, path_values in passes:
            try:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_values or None)
                cases = draw(strategy, ctx.options.max_examples, ctx.options.seed + index)
            except Exception:  # noqa: S112  (no case can be generated for this mode: nothing to explore)
                continue
            for case in cases:
                _send(ctx, op, case, source)
