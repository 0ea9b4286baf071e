"""conformance.run(): prove the credentials, explore, run the scenario checks, judge every exchange,
clean up, decide."""

from __future__ import annotations

import datetime as dt
import random
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hypothesis.configuration import set_hypothesis_home_dir

from conformance.context import CheckRun, Options, RunContext, Skip, designed
from conformance.coverage import coverage_of, requirement_results
from conformance.explore import explore
from conformance.fixtures import Fixtures, FixtureUnavailable
from conformance.ledger import Ledger
from conformance.model import Check, Mode, Preflight, RunResult, Traffic, verdict_of
from conformance.preflight import CannotJudge, run_preflight
from conformance.suite import all_checks
from conformance.target import Exchange, Target, TargetUnreachable
from crmspec import cache
from crmspec.model import Api

Progress = Callable[[str], None]
ABSENT = (404, 405, 501)   # what a server answers on a path or method it does not have


def tool_version() -> str:
    try:
        return version("crm-conformance")
    except PackageNotFoundError:
        return "0+unknown"


def selected_checks(api: Api, options: Options) -> list[Check]:
    return [
        c for c in all_checks()
        if c.invariants in (None, api.dialect.invariants) and (not options.families or c.family in options.families)
    ]


def run(api: Api, target: Target, options: Options, progress: Progress | None = None) -> RunResult:
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock = time.monotonic()
    # Hypothesis keeps caches under ./.hypothesis by default: a suite run leaves nothing in the caller's folder
    set_hypothesis_home_dir(cache.directory() / "hypothesis")
    ctx = RunContext(api, target, options, rng=random.Random(options.seed))
    ctx.fixtures = Fixtures(ctx, tag=f"s{options.seed}")
    checks = selected_checks(api, options)
    runs = {c.id: CheckRun(c, ctx) for c in checks}
    error: str | None = None
    reachable = True
    try:
        error, reachable = _exercise(ctx, checks, runs, progress)
    finally:  # a fault of the tool itself still deletes what the suite made before it is reported
        leftovers = _clean_up(ctx, options, reachable)
    missing = not_implemented(api, target.exchanges) if error is None else []
    if error is None:
        _judge_responses(ctx, checks, runs, set(missing), {w.id for w in options.waivers})
    return conclude(
        api, ctx.ledger, [runs[c.id] for c in checks], options, target.exchanges, target=target.base_url,
        started_at=started_at, duration=time.monotonic() - clock, error=error, preflight=ctx.preflight,
        missing=missing, leftovers=leftovers,
        settings={"level": options.level, "max_examples": options.max_examples, "families": list(options.families),
                  "keep_records": options.keep_records, "min_coverage": options.min_coverage,
                  "credentials": sorted(target.credentials)},
    )


def _exercise(ctx: RunContext, checks: list[Check], runs: dict[str, CheckRun],
              progress: Progress | None) -> tuple[str | None, bool]:
    """Preflight, generated cases and every scenario: (why the run could not judge, the target still answers)."""
    try:
        ctx.target.probe()
        ctx.preflight = run_preflight(ctx)
        if any(c.kind == "response" for c in checks):
            explore(ctx, progress)
        for check in checks:
            if check.kind != "scenario":
                continue
            if progress:
                progress(f"{check.id} {check.title}")
            _run_scenario(runs[check.id])
    except TargetUnreachable as exc:
        return str(exc), False
    except CannotJudge as exc:
        return str(exc), True
    return None, True


def _clean_up(ctx: RunContext, options: Options, reachable: bool) -> list[str]:
    """Delete what the suite made (unless asked to keep it); the records left behind, and why."""
    if reachable and not options.keep_records:
        leftovers: list[str] = ctx.fixtures.cleanup()
        return leftovers
    why = "kept (--keep-records)" if options.keep_records else "the target stopped answering"
    return [f"{c.resource} {c.id} ({why})" for c in ctx.fixtures.created]


def _judge_responses(ctx: RunContext, checks: list[Check], runs: dict[str, CheckRun], absent: set[str],
                     waived: set[str]) -> None:
    """Every exchange judged by every response check, except on operations the target does not implement."""
    for check_run in runs.values():
        check_run.forget(absent)
    ctx.ledger.forget(absent)
    for exchange in list(ctx.target.exchanges):
        if exchange.operation in absent:
            continue
        for check in checks:
            if check.kind == "response":
                judge(runs[check.id], exchange)
    for check_run in runs.values():
        check_run.waive(waived)


def conclude(api: Api, ledger: Ledger, runs: list[CheckRun], options: Options, exchanges: list[Exchange], *,
             target: str, started_at: str, duration: float, error: str | None, settings: dict[str, Any],
             preflight: Preflight | None = None, missing: list[str] | None = None,
             leftovers: list[str] | None = None, mode: Mode = "run", traffic: Traffic | None = None) -> RunResult:
    """The result of judged checks: requirements, coverage and verdict, as every report renders it (a run's,
    and the proxy's of the traffic it watched). `exchanges` are those the coverage of statuses counts."""
    results = [check_run.result() for check_run in runs]
    waived = {w.id for w in options.waivers}
    requirements = requirement_results(api, ledger, results, missing or [], waived)
    coverage = coverage_of(requirements, api, exchanges)
    verdict = "error" if error else verdict_of(results, options.level)
    if verdict == "error" and error is None:
        broken = [r.id for r in results if r.status == "error"]
        error = f"a fault of the suite left {', '.join(broken)} undecided (see each check's reason)"
    if verdict == "conformant" and options.min_coverage is not None and coverage.must < options.min_coverage:
        verdict = "non-conformant"
    catalogue = api.requirements
    return RunResult(
        verdict=verdict,
        dialect=api.dialect.id,
        title=api.dialect.title,
        target=target,
        seed=options.seed,
        level=options.level,
        document=api.path,
        document_sha256=api.sha256,
        tool_version=tool_version(),
        started_at=started_at,
        duration_seconds=round(duration, 3),
        checks=results,
        error=error,
        requests_sent=len(exchanges) if traffic is None else traffic.exchanges,
        preflight=preflight or Preflight(),
        not_implemented=missing or [],
        leftovers=leftovers or [],
        requirements=requirements,
        coverage=coverage,
        catalogue=catalogue.path if catalogue else None,
        catalogue_sha256=catalogue.sha256 if catalogue else None,
        options=settings,
        waivers=list(options.waivers),
        min_coverage=options.min_coverage,
        mode=mode,
        traffic=traffic,
    )


def not_implemented(api: Api, exchanges: list[Exchange]) -> list[str]:
    """Inferred operations the target does not have: with a valid credential, every request to them was
    answered 404, 405 or 501. A 404 on a record of a resource the target did create in this run is a
    finding about that record, not a missing operation. An inferred operation the run never reached with
    a valid credential (its records could not be made) counts as missing when every request to it, with
    any credential, answered so, and so did every method of its path that was reached."""
    valid: dict[str, set[int]] = defaultdict(set)
    anyone: dict[str, set[int]] = defaultdict(set)
    created: set[str] = set()
    by_name = {str(op): op for op in api.operations}
    for exchange in exchanges:
        op = by_name.get(exchange.operation)
        if op is None or exchange.status is None:
            continue
        if exchange.valid_credential and op.action == "create" and 200 <= exchange.status < 300:
            created.add(op.resource)
        (valid if exchange.valid_credential else anyone)[str(op)].add(exchange.status)
    missing = []
    for op in sorted(api.operations, key=str):
        name = str(op)
        if not designed(op) or not (valid[name] or anyone[name]):
            continue
        if valid[name]:
            if not valid[name] <= set(ABSENT):
                continue
            if 404 in valid[name] and op.record_param() is not None and op.resource in created:
                continue
        else:
            siblings = [str(other) for other in api.operations if other.path == op.path and valid[str(other)]]
            if not anyone[name] <= set(ABSENT) or any(not valid[s] <= set(ABSENT) for s in siblings):
                continue
        missing.append(name)
    return missing


def _fault(check_run: CheckRun, exc: BaseException, where: str) -> None:
    """A check that raised is broken: a fault of the suite, never a finding about the server."""
    if check_run.fault is None:
        check_run.fault = f"the check broke ({where}): {type(exc).__name__}: {exc}"
        check_run.trace = "".join(traceback.format_exception(exc))


def judge(check_run: CheckRun, exchange: Exchange) -> None:
    """One response check on one exchange; a check that raises is a fault of the suite, never a finding."""
    try:
        check_run.check.func(check_run, exchange)
    except Exception as exc:
        _fault(check_run, exc, f"judging {exchange.method} {exchange.url}")


def _run_scenario(check_run: CheckRun) -> None:
    try:
        check_run.check.func(check_run)
    except Skip as skip:
        check_run.skipped = str(skip)
    except FixtureUnavailable as unavailable:
        check_run.skipped = str(unavailable)
    except TargetUnreachable:
        raise
    except Exception as exc:
        _fault(check_run, exc, "running its scenario")
