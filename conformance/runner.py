"""conformance.run(): explore, run the scenario checks, judge every exchange, clean up, decide."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from conformance.context import CheckRun, Options, RunContext, Skip
from conformance.explore import explore
from conformance.fixtures import Fixtures
from conformance.model import CheckResult, RunResult
from conformance.registry import Check, all_checks
from conformance.target import Exchange, Target, TargetUnreachable
from crmspec.model import Api

Progress = Callable[[str], None]


def tool_version() -> str:
    try:
        return version("crm-conformance")
    except PackageNotFoundError:
        return "0+unknown"


def selected_checks(api: Api, options: Options) -> list[Check]:
    return [
        c for c in all_checks()
        if (not c.dialects or api.dialect.id in c.dialects) and (not options.families or c.family in options.families)
    ]


def verdict_of(results: list[CheckResult], level: str) -> str:
    for result in results:
        if result.status == "failed" and (result.severity == "MUST" or level == "strict"):
            return "non-conformant"
    return "conformant"


def run(api: Api, target: Target, options: Options, progress: Progress | None = None) -> RunResult:
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock = time.monotonic()
    ctx = RunContext(api, target, options, rng=random.Random(options.seed))
    ctx.fixtures = Fixtures(ctx, tag=f"s{options.seed}")
    checks = selected_checks(api, options)
    runs = {c.id: CheckRun(c, ctx) for c in checks}
    error: str | None = None
    try:
        target.probe()
        if any(c.kind == "response" for c in checks):
            explore(ctx, progress)
        for check in checks:
            if check.kind != "scenario":
                continue
            if progress:
                progress(f"{check.id} {check.title}")
            _run_scenario(runs[check.id])
    except TargetUnreachable as exc:
        error = str(exc)
    finally:
        leftovers = ctx.fixtures.cleanup() if error is None else []
    if error is None:
        for exchange in list(target.exchanges):
            for check in checks:
                if check.kind == "response":
                    _judge(runs[check.id], exchange)
    results = [runs[c.id].result() for c in checks]
    verdict = "error" if error else verdict_of(results, options.level)
    if leftovers and error is None:
        error = f"could not delete {len(leftovers)} record(s) the suite created: {', '.join(leftovers[:5])}"
    return RunResult(
        verdict=verdict,  # type: ignore[arg-type]
        dialect=api.dialect.id,
        title=api.dialect.title,
        target=target.base_url,
        seed=options.seed,
        level=options.level,
        document=api.path,
        document_sha256=api.sha256,
        tool_version=tool_version(),
        started_at=started_at,
        duration_seconds=round(time.monotonic() - clock, 3),
        checks=results,
        error=error,
        requests_sent=len(target.exchanges),
    )


def _judge(check_run: CheckRun, exchange: Exchange) -> None:
    try:
        check_run.check.func(check_run, exchange)
    except Exception as exc:  # an answer the check could not read is itself a finding about that answer
        check_run.fail(exchange, f"the response could not be judged: {type(exc).__name__}: {exc}")


def _run_scenario(check_run: CheckRun) -> None:
    try:
        check_run.check.func(check_run)
    except Skip as skip:
        check_run.skipped = str(skip)
    except Exception as exc:  # the target answered something the check could not follow: a finding, with why
        check_run.fail(None, f"the check stopped on an unexpected answer: {type(exc).__name__}: {exc}",
                       operation=check_run.check.id)
