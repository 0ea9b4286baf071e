"""crm-conformance run: certify a server against one CRM API's document.

Exit codes: 0 conformant, 1 non-conformant, 2 could not run (bad arguments, broken document,
unreachable target). Every failure is one line on stderr, never a traceback.
`crm-conformance badge REPORT` draws a report's SVG badge; `crm-conformance verify REPORT` checks that a
report matches the tool and documents installed here (0 it does, 1 it does not, 2 unreadable).
`crm-conformance proxy` judges a client's real traffic (conformance/proxy/command.py: 0 no violation by the
server, 1 violations, 2 could not judge).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conformance.context import Options
from conformance.model import FAMILIES, RunResult
from conformance.proxy import command as proxy_command
from conformance.reports import write_reports
from conformance.reports.badge import render_badge
from conformance.runner import run, tool_version
from conformance.suite import all_checks
from conformance.target import Target
from conformance.verify import UnreadableReport, read_report, verify
from conformance.waivers import InvalidWaivers, load_waivers
from crmspec import CrmSpecError, load
from crmspec.loader import DOCUMENTS
from crmspec.version import VersionAction

EXIT = {"conformant": 0, "non-conformant": 1, "error": 2}
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"crm-conformance: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crm-conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd = sub.add_parser("run", help="run the suite against a server")
    cmd.add_argument("--dialect", required=True, help=f"{'|'.join(DOCUMENTS)} or a path to a document")
    cmd.add_argument("--base-url", required=True, help="the API root, e.g. http://127.0.0.1:4010/api")
    cmd.add_argument("--token", required=True, help="a credential (as `crm-mock token` prints it)")
    cmd.add_argument("--admin-token", help="a credential with the API's widest role")
    cmd.add_argument("--limited-token", help="a credential whose role some operations refuse (403 checks)")
    cmd.add_argument("--expired-token", help="an expired credential (401 checks)")
    cmd.add_argument("--seed", type=int, default=0, help="the same seed sends the same requests")
    cmd.add_argument("--max-examples", type=int, default=10, help="generated cases per operation and mode")
    cmd.add_argument("--level", choices=("standard", "strict"), default="standard",
                     help="strict also fails on SHOULD findings")
    cmd.add_argument("--only", default="", help=f"comma-separated families: {','.join(FAMILIES)}")
    cmd.add_argument("--report-dir", default="reports", type=Path)
    cmd.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    cmd.add_argument("--keep-records", action="store_true",
                     help="leave the records the suite created on the target (to replay a reported failure)")
    cmd.add_argument("--min-coverage", type=float, default=None, metavar="RATIO",
                     help="fail the run when fewer of the testable MUST requirements were exercised (0-1)")
    cmd.add_argument("--waivers", type=Path, default=None, metavar="FILE",
                     help="YAML list of {id, justification, owner, expires}: failures shown, counted against nothing")
    cmd.add_argument("--quiet", action="store_true", help="print only the verdict line")
    badge = sub.add_parser("badge", help="write the SVG badge of a report.json")
    badge.add_argument("report", type=Path, help="a report.json")
    badge.add_argument("--output", type=Path, default=None, help="the SVG file (default: badge.svg beside the report)")
    check = sub.add_parser("verify", help="check that a report.json matches the installed tool and documents")
    check.add_argument("report", type=Path, help="a report.json")
    proxy_command.add_parser(sub)
    return parser


def fail(message: str) -> int:
    print(f"crm-conformance: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return fail("interrupted")
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing to report to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as exc:  # a fault of the tool itself: one line, exit 2, never a traceback
        if os.environ.get("CRM_CONFORMANCE_DEBUG"):
            raise
        return fail(f"internal error: {type(exc).__name__}: {exc}")


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "badge":
        return _badge(args.report, args.output)
    if args.command == "verify":
        return _verify(args.report)
    if args.command == "proxy":
        return proxy_command.run(args, fail)
    return _run(args)


def _option_problem(args: argparse.Namespace, families: tuple[str, ...]) -> str | None:
    """What is wrong with the run's options, in one line; None when nothing is."""
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        return f"unknown families {', '.join(unknown)}: use {', '.join(FAMILIES)}"
    if args.max_examples < 1 or args.timeout <= 0:
        return "--max-examples must be >= 1 and --timeout > 0"
    if args.min_coverage is not None and not 0 <= args.min_coverage <= 1:
        return "--min-coverage is a ratio between 0 and 1 (0.9 for 90%)"
    return None


def _credentials(args: argparse.Namespace) -> dict[str, str]:
    credentials = {"default": args.token}
    for name in ("admin", "limited", "expired"):
        value = getattr(args, f"{name}_token")
        if value:
            credentials[name] = value
    return credentials


def _run(args: argparse.Namespace) -> int:
    families = tuple(f for f in args.only.split(",") if f)
    problem = _option_problem(args, families)
    if problem:
        return fail(problem)
    try:
        api = load(args.dialect)
        waivers = load_waivers(args.waivers, api.requirements, {c.id for c in all_checks()}) if args.waivers else ()
    except (CrmSpecError, InvalidWaivers) as exc:
        return fail(str(exc))
    credentials = _credentials(args)
    if api.dialect.auth.scheme == "key_pair" and any(":" not in c for c in credentials.values()):
        return fail(f"{api.dialect.title} credentials take the form ACCESS_KEY:SECRET_KEY")
    options = Options(seed=args.seed, level=args.level, max_examples=args.max_examples, families=families,
                      keep_records=args.keep_records, min_coverage=args.min_coverage, waivers=waivers)
    with Target(args.base_url, api.dialect.auth, credentials, timeout=args.timeout) as target:
        result = _run_with_progress(api, target, options, quiet=args.quiet)
    try:
        paths = write_reports(result, args.report_dir)
    except OSError as exc:
        return fail(f"cannot write the reports to {args.report_dir}: {exc.strerror}")
    if result.verdict == "error":
        # could not judge: one line on stderr (the reports say the rest), nothing on stdout
        return fail(f"could not judge {result.target}: {result.error} (reports in {args.report_dir})")
    _summarise(result, paths, quiet=args.quiet)
    return EXIT[result.verdict]


def _badge(report_path: Path, output: Path | None) -> int:
    try:
        report = read_report(report_path)
        svg = render_badge(report)
    except (UnreadableReport, KeyError, TypeError) as exc:
        return fail(f"cannot draw a badge from {report_path}: {exc}")
    target = output or report_path.with_name("badge.svg")
    try:
        target.write_text(svg, encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot write {target}: {exc.strerror}")
    print(target)
    return 0


def _verify(report_path: Path) -> int:
    try:
        findings = verify(read_report(report_path), tool_version())
    except UnreadableReport as exc:
        return fail(str(exc))
    for finding in findings:
        print(f"{'ok' if finding.ok else 'MISMATCH'}: {finding.what}: {finding.detail}")
    matches = all(f.ok for f in findings)
    print(f"{report_path}: {'matches' if matches else 'does not match'} the tool and documents installed here")
    return 0 if matches else 1


def _run_with_progress(api: object, target: Target, options: Options, quiet: bool) -> RunResult:
    from crmspec.model import Api

    assert isinstance(api, Api)
    if quiet or not sys.stderr.isatty():
        return run(api, target, options)
    from rich.console import Console

    console = Console(stderr=True)
    with console.status(f"certifying {api.dialect.title} at {target.base_url}") as status:
        return run(api, target, options, progress=lambda text: status.update(text))


def _summarise(result: RunResult, paths: dict[str, Path], quiet: bool) -> None:
    counts = result.counts()
    line = (f"{result.verdict}: {result.title} at {result.target} "
            f"({counts['passed']} passed, {counts['failed']} failed, {counts['warnings']} warnings, "
            f"{counts['skipped']} skipped, {counts['errors']} broken; "
            f"{result.requests_sent} requests in {result.duration_seconds:.1f}s; "
            f"{result.coverage.must:.0%} of the testable MUST requirements exercised)")
    if result.below_min_coverage:
        line += f" - below --min-coverage {result.min_coverage:.0%}"
    if result.error:
        line += f" - {result.error}"
    if quiet:
        print(line)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{result.title}: {result.verdict}", show_lines=False)
    for column in ("id", "family", "severity", "status", "title"):
        table.add_column(column)
    for check in result.checks:
        outcome = check.outcome(result.level)
        if outcome in ("passed", "skipped"):
            continue
        style = {"failed": "red", "warning": "yellow", "error": "magenta", "waived": "cyan"}[outcome]
        table.add_row(check.id, check.family, check.counted_severity, outcome, check.title, style=style)
    if table.rows:
        console.print(table)
    console.print(line, highlight=False)
    console.print(f"reports: {', '.join(str(p) for p in paths.values())}", highlight=False)


if __name__ == "__main__":
    sys.exit(main())
