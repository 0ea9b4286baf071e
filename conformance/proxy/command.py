"""`crm-conformance proxy`: its arguments, and the start and end of a proxy session."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.context import Options
from conformance.model import Level
from conformance.proxy.forward import Forwarder
from conformance.proxy.redact import Redactor
from conformance.proxy.serve import ProxyServer, can_listen, read_outcome, serve
from conformance.proxy.watch import Watch
from conformance.target import Target, TargetUnreachable
from crmspec import CrmSpecError, load
from crmspec.loader import DOCUMENTS

EXIT = {"conformant": 0, "non-conformant": 1, "error": 2}
MAX_BODY = 1024 * 1024
HELP = """Forward every request to --upstream unchanged and judge every exchange with the suite's response
checks. Point the client at the proxy exactly as at the upstream: the same paths, only the host and port
change (--upstream http://staging.example.com/api -> http://127.0.0.1:4020/api/deals). Each answer that
breaks a rule carries X-Crm-Violations (the client's own mistakes: X-Crm-Client-Violations); the live
report is at /__proxy/ and /__proxy/report. SIGINT or SIGTERM writes report.json (mode proxy), junit.xml,
report.html and summary.md into --report-dir and exits 0 when the server broke no rule in the traffic,
1 when it did (with or without --errors), 2 when the proxy could not judge (bad arguments, an upstream
that does not answer at start, a fault of the tool)."""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    cmd = sub.add_parser("proxy", help="judge real traffic: a validating proxy in front of a server",
                         description=HELP)
    cmd.add_argument("--dialect", required=True, help=f"{'|'.join(DOCUMENTS)} or a path to a document")
    cmd.add_argument("--upstream", required=True, help="the API root of the server, e.g. http://127.0.0.1:4010/api")
    cmd.add_argument("--host", default="127.0.0.1", help="the address the proxy listens on")
    cmd.add_argument("--port", type=int, default=4020)
    cmd.add_argument("--errors", action="store_true",
                     help="answer 502 application/problem+json naming the violations instead of a non-conformant "
                          "answer (the exit code does not depend on it)")
    cmd.add_argument("--report-dir", default="reports", type=Path)
    cmd.add_argument("--requirements-only", choices=("MUST",), default=None,
                     help="flag only violations of MUST rules (SHOULD ones are warnings in the reports); "
                          "default: MUST and SHOULD")
    cmd.add_argument("--max-body", type=int, default=MAX_BODY, metavar="BYTES",
                     help=f"judge bodies up to this size; larger ones stream through unjudged (default {MAX_BODY})")
    cmd.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the upstream's answer")


def run(args: argparse.Namespace, fail: Callable[[str], int]) -> int:
    upstream = str(args.upstream).rstrip("/")
    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return fail(f"--upstream {args.upstream!r} is not an http(s) URL")
    if not 0 <= args.port <= 65535 or args.max_body < 1 or args.timeout <= 0:
        return fail("--port must be 0-65535, --max-body >= 1 and --timeout > 0")
    try:
        api = load(args.dialect)
        api.requirements  # noqa: B018  (a broken catalogue stops the proxy now, not at the first report)
    except CrmSpecError as exc:
        return fail(str(exc))
    try:
        with Target(upstream, api.dialect.auth, timeout=10) as upstream_target:
            upstream_target.probe()
    except TargetUnreachable as exc:
        return fail(f"the upstream {exc}")
    why = can_listen(args.host, args.port)
    if why is not None:
        return fail(f"cannot listen on {args.host}:{args.port}: {why}")
    level: Level = "standard" if args.requirements_only == "MUST" else "strict"
    settings = {"level": level, "errors": args.errors, "requirements_only": args.requirements_only,
                "max_body_bytes": args.max_body, "timeout": args.timeout, "credentials": []}
    watch = Watch(api, upstream, Options(level=level), Redactor(api), errors=args.errors, settings=settings)
    forwarder = Forwarder(watch, upstream, errors=args.errors, max_body=args.max_body, timeout=args.timeout)

    def announce(address: str) -> None:
        print(f"crm-conformance proxy: {address} -> {upstream} ({api.dialect.title}); live view {address}/__proxy/; "
              f"Ctrl-C writes the reports to {args.report_dir}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="crm-proxy-") as scratch:
        outcome_file = Path(scratch) / "outcome.json"
        status = serve(ProxyServer(forwarder, args.host, args.port, args.report_dir, outcome_file, announce))
        outcome = read_outcome(outcome_file)
    if outcome is None:
        return fail(f"the proxy stopped before it could write its reports (gunicorn exit status {status})")
    if outcome.verdict == "error":
        return fail(f"could not judge the traffic: {outcome.error}")
    print(outcome.line, flush=True)
    return EXIT[outcome.verdict]
