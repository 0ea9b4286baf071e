"""Run the conformance suite against one mutant, or the whole zoo (`make mutation`).

`python -m tests.mutants.run` runs every mutant with every check family, writes reports/mutation.md
and exits 1 when any mutant survives its expected family.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from flask import Flask
from werkzeug.serving import make_server

import crmspec
from conformance.cli import main as conformance_main
from conformance.model import FAMILIES
from crmspec.loader import document_path
from crmspec.model import Api
from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from tests.conftest import SECRET, load_api
from tests.harm import Snapshot
from tests.mutants.zoo import APIS, ZOO, Mutant

logging.getLogger("werkzeug").setLevel(logging.ERROR)  # as tests/servers.py: no request log lines

SEED = 5          # the mock's seed, as in tests/integration/test_conformance_against_the_mock.py
SUITE_SEED = 1
MAX_EXAMPLES = 3


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """tests/servers.py's serving(), polling for shutdown every 20 ms instead of 500 ms: over a zoo of
    40+ mutants the default poll interval alone would cost 20 seconds."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Outcome:
    """What the suite said about one mutant (parsed from its report.json)."""

    mutant: Mutant
    exit_code: int
    verdict: str
    failed: tuple[tuple[str, str], ...]     # (check id, family) of every failed check
    error: str | None
    seconds: float
    baseline: frozenset[str] = frozenset()  # checks that fail on the unmodified mock too: credited to no mutant
    harmed: tuple[str, ...] = ()            # records the suite did not create that the run changed or deleted
    failed_requirements: frozenset[str] = frozenset()  # requirements the report shows failed

    @property
    def new_failures(self) -> list[tuple[str, str]]:
        return [(check, family) for check, family in self.failed if check not in self.baseline]

    @property
    def caught(self) -> bool:
        return self.exit_code == 1 and bool(self.new_failures)

    @property
    def caught_by_family(self) -> bool:
        return self.caught and any(family == self.mutant.family for _, family in self.new_failures)

    @property
    def caught_by_requirement(self) -> bool:
        """The report names the requirement the mutant breaks as failed (a mutant that names none yet counts
        on its family alone)."""
        return self.mutant.requirement is None or self.mutant.requirement in self.failed_requirements

    @property
    def failed_ids(self) -> list[str]:
        return [check for check, _ in self.failed]


class Change(Protocol):
    """A changed mock: a mutant, or an equivalent (tests/equivalents/zoo.py)."""

    @property
    def name(self) -> str: ...
    @property
    def dialect(self) -> str: ...
    @property
    def records(self) -> int: ...
    @property
    def apply(self) -> Callable[[Flask], None]: ...
    @property
    def document(self) -> Callable[[dict[str, Any]], dict[str, Any]] | None: ...


def mutant_api(mutant: Change, workdir: Path) -> Api:
    """The document the MOCK is built from: the original, or the change's transform of it."""
    if mutant.document is None:
        return load_api(mutant.dialect)
    original = yaml.safe_load(document_path(mutant.dialect).read_text(encoding="utf-8"))
    path = workdir / f"{mutant.dialect}-{mutant.name}.yaml"
    path.write_text(yaml.safe_dump(mutant.document(original), sort_keys=False), encoding="utf-8")
    return crmspec.load(path)


def build(mutant: Change, workdir: Path) -> tuple[Flask, Api, Credentials]:
    api = mutant_api(mutant, workdir)
    app = create_app(api, MockConfig(seed=SEED, records=mutant.records, secret=SECRET))
    mutant.apply(app)
    return app, api, Credentials(api.dialect.auth, SECRET)


def credential_args(api: Api, credentials: Credentials) -> list[str]:
    """As tests/integration/test_conformance_against_the_mock.py passes them."""
    args = ["--token", credentials.issue(), "--expired-token", credentials.issue(expired=True)]
    if api.dialect.auth.limited_role:
        args += ["--limited-token", credentials.issue(api.dialect.auth.limited_role)]
    return args


def run_suite(change: Change, level: str, families: tuple[str, ...] = (),
              report_dir: Path | None = None) -> tuple[int, dict[str, Any], tuple[str, ...]]:
    """The suite's exit code and report.json against the changed mock, served on a free port, and every
    record the run did not create that it changed or deleted (tests/harm.py)."""
    with tempfile.TemporaryDirectory(prefix="crm-zoo-") as scratch:
        reports = report_dir or Path(scratch) / "report"
        app, api, credentials = build(change, Path(scratch))
        before = Snapshot.of(app, credentials.issue())
        with serving(app) as url:
            code = conformance_main([
                "run", "--dialect", change.dialect, "--base-url", url + api.dialect.base_path,
                *credential_args(api, credentials), "--level", level, "--seed", str(SUITE_SEED),
                "--max-examples", str(MAX_EXAMPLES), "--only", ",".join(families),
                "--report-dir", str(reports), "--quiet",
            ])
        harmed = tuple(Snapshot.of(app, credentials.issue()).changed_since(before))
        report: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return code, report, harmed


def run_mutant(mutant: Mutant, families: tuple[str, ...] = (), report_dir: Path | None = None,
               baseline: frozenset[str] = frozenset()) -> Outcome:
    started = time.monotonic()
    code, report, harmed = run_suite(mutant, "strict", families, report_dir)
    failed = tuple((c["id"], c["family"]) for c in report["checks"] if c["status"] == "failed")
    requirements = frozenset(r["id"] for r in report.get("requirements") or [] if r["status"] == "failed")
    return Outcome(mutant, code, str(report["verdict"]), failed, report.get("error"),
                   round(time.monotonic() - started, 1), baseline, harmed, requirements)


def unmodified(dialect: str) -> Mutant:
    """The baseline: the mock as it is (tests/integration/test_conformance_against_the_mock.py asserts it
    is conformant at the strict level; `make mutation` re-runs it so a failing check is never credited)."""
    return Mutant("unmodified", dialect, "none: the mock as it is", FAMILIES[0], lambda app: None)


# the zoo report --------------------------------------------------------------------------------------
def table_cell(text: str) -> str:
    """Text that fits one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _failures(outcome: Outcome) -> str:
    shown = [c if c not in outcome.baseline else f"({c})" for c in outcome.failed_ids]
    return ", ".join(shown) or "-"


def markdown(outcomes: list[Outcome], baselines: list[Outcome]) -> str:
    killed = [o for o in outcomes if o.caught_by_family]
    lines = [
        "# Mutation report",
        "",
        f"Mutation score: **{len(killed)}/{len(outcomes)}** mutants caught by their expected family "
        f"({100 * len(killed) / max(len(outcomes), 1):.0f}%); "
        f"{sum(o.caught for o in outcomes)}/{len(outcomes)} made the suite answer non-conformant.",
        "",
        "Each mutant breaks one rule of one API in the mock (tests/mutants/zoo.py); the suite runs every family "
        f"at the strict level (mock seed {SEED}, suite seed {SUITE_SEED}, --max-examples {MAX_EXAMPLES}).",
        "",
        "## Baseline: the unmodified mock",
        "",
        "A check that fails here is credited to no mutant (shown in parentheses below).",
        "",
        "| API | verdict | failed checks |",
        "|---|---|---|",
    ]
    for b in baselines:
        lines.append(f"| {b.mutant.dialect} | {b.verdict} | {', '.join(b.failed_ids) or '-'} |")
    lines += [
        "",
        "## Mutants",
        "",
        "| API | mutant | rule broken | expected family | verdict | failed checks | caught by expected family "
        "| records harmed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        verdict = "killed" if o.caught else ("error: " + (o.error or "?") if o.exit_code == 2 else "survived")
        lines.append(f"| {o.mutant.dialect} | `{o.mutant.name}` | {table_cell(o.mutant.rule)} | {o.mutant.family} | "
                     f"{table_cell(verdict)} | {_failures(o)} | {'yes' if o.caught_by_family else 'no'} | "
                     f"{len(o.harmed) or 'none'} |")
    lines += ["", "## Per API", "", "| API | mutants | caught by expected family |", "|---|---|---|"]
    for api in APIS:
        mine = [o for o in outcomes if o.mutant.dialect == api]
        lines.append(f"| {api} | {len(mine)} | {sum(o.caught_by_family for o in mine)} |")
    lines += ["", "## Per family", "", "| family | mutants | caught by expected family |", "|---|---|---|"]
    for family in FAMILIES:
        mine = [o for o in outcomes if o.mutant.family == family]
        lines.append(f"| {family} | {len(mine)} | {sum(o.caught_by_family for o in mine)} |")
    survivors = [o for o in outcomes if not o.caught_by_family]
    if survivors:
        lines += ["", "## Survivors", ""]
        for o in survivors:
            lines.append(f"- `{o.mutant.name}` ({o.mutant.family}): "
                         + table_cell(o.mutant.weakness or "no known check weakness recorded; investigate"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.mutants.run [REPORTS [API ...]]`: every mutant, or those of the APIs named."""
    args = argv if argv is not None else sys.argv[1:]
    out = Path(args[0] if args else "reports")
    apis = tuple(args[1:]) or APIS
    baselines = [run_mutant(unmodified(api), report_dir=out / "mutation" / f"unmodified-{api}") for api in apis]
    noise = {b.mutant.dialect: frozenset(b.failed_ids) for b in baselines}
    for b in baselines:
        print(f"{'baseline':8} {b.mutant.dialect:9} {b.verdict:40} {b.seconds:5.1f}s {','.join(b.failed_ids)}",
              flush=True)
    outcomes = []
    for mutant in (m for m in ZOO if m.dialect in apis):
        outcome = run_mutant(mutant, report_dir=out / "mutation" / mutant.name, baseline=noise[mutant.dialect])
        outcomes.append(outcome)
        mark = "killed" if outcome.caught_by_family and outcome.caught_by_requirement else "SURVIVED"
        print(f"{mark:8} {mutant.dialect:9} {mutant.name:40} {outcome.seconds:5.1f}s {_failures(outcome)}",
              flush=True)
    (out / "mutation.md").write_text(markdown(outcomes, baselines), encoding="utf-8")
    score = Counter(o.caught_by_family for o in outcomes)
    print(f"mutation score {score[True]}/{len(outcomes)}; report: {out / 'mutation.md'}")
    if any(noise.values()):
        print("the unmodified mock fails checks (see the report's baseline): fix that first")
    harmful = [o.mutant.name for o in [*baselines, *outcomes] if o.harmed]
    if harmful:
        print(f"runs that changed records the suite did not create: {', '.join(harmful)}")
    return 0 if not score[False] and not any(noise.values()) and not harmful else 1


if __name__ == "__main__":
    sys.exit(main())
