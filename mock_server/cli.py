"""crm-mock: serve one of the CRM APIs, or print a credential for it.

Exit codes: 0 done, 2 bad arguments or a broken document, 3 the server could not start.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import socket
import sys
from types import FrameType
from typing import Any

from crmspec import CrmSpecError, load
from crmspec.loader import DOCUMENTS
from crmspec.model import Api, Auth
from crmspec.version import VersionAction
from mock_server.auth import Credentials
from mock_server.config import DEFAULT_SECRET, DEFAULT_SERVER, SERVER_KINDS, Listen, MockConfig
from mock_server.durations import format_duration, parse_duration

EXIT_USAGE = 2
EXIT_RUNTIME = 3
ALL = "all"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-mock", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve an API with seeded, stateful fake data")
    serve.add_argument("--dialect", default="revorbit",
                       help=f"{'|'.join(DOCUMENTS)}, a document path, or all (each API under /<dialect>)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4010)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--records", type=int, default=50, help="fake records per resource at start")
    serve.add_argument("--state", default=None,
                       help="where the state lives: a SQLite file that keeps it across restarts, or "
                            "postgresql://USER:PASS@HOST:PORT/DB shared by several replicas (default: memory)")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-seed-cache", dest="seed_cache", action="store_false",
                       help="generate the start-up records even when a start with the same document, seed, records "
                            "and code kept them today (in $CRM_MOCK_CACHE or ~/.cache/crm-mock)")
    serve.add_argument("--server", choices=SERVER_KINDS, default=DEFAULT_SERVER,
                       help=f"the HTTP server the workers run under (default: {DEFAULT_SERVER})")
    serve.add_argument("--secret", default=DEFAULT_SECRET, help="signs and checks every credential")
    serve.add_argument("--webhook-url", default=None, metavar="URL",
                       help="POST each webhook event to URL once the change that raised it is stored (the events "
                            "the document declares under webhooks; none for a document without)")
    serve.add_argument("--token-ttl", default=None, metavar="TTL",
                       help="lifetime of the credential it prints: 30s, 15m, 8h, 2d (default: the document's)")
    front = serve.add_argument_group("for frontend developers")
    front.add_argument("--delay", default=None, metavar="MS|MIN-MAX", help="wait this long before each API answer")
    front.add_argument("--error-rate", type=float, default=0.0, metavar="P",
                       help="answer this share of API requests 500 or 503 (0..1)")
    front.add_argument("--rate-limit", default=None, metavar="N/UNIT", help="per credential: 60/min, 5/s, 1000/hour")
    front.add_argument("--cors-origin", default=None, metavar="ORIGIN",
                       help="only this origin gets CORS headers (default: any origin)")
    front.add_argument("--no-cors", action="store_true", help="send no CORS headers at all")
    front.add_argument("--watch", action="store_true", help="reload the document when its file changes")
    front.add_argument("--log-format", choices=("text", "json"), default="text", help="the access log's lines")
    front.add_argument("--no-access-log", action="store_true", help="print no line per request")
    front.add_argument("--access-log", action="store_true", help=argparse.SUPPRESS)  # on by default now
    token = sub.add_parser("token", help="print one credential a mock with the same secret accepts")
    token.add_argument("--dialect", default="revorbit")
    token.add_argument("--role", default=None)
    token.add_argument("--expired", action="store_true")
    token.add_argument("--ttl", default=None, help="lifetime: 30s, 15m, 8h, 2d (default: the document's)")
    token.add_argument("--secret", default=DEFAULT_SECRET)
    return parser


def fail(message: str, code: int) -> int:
    print(f"crm-mock: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing to report to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.dialect == ALL and args.command == "token":
        return fail("token needs one dialect: " + ", ".join(DOCUMENTS), EXIT_USAGE)
    names = list(DOCUMENTS) if args.dialect == ALL else [args.dialect]
    try:
        apis = {api.dialect.id: api for api in (load(name) for name in names)}
    except CrmSpecError as exc:
        return fail(str(exc), EXIT_USAGE)
    if args.command == "token":
        return _token(next(iter(apis.values())), args)
    return _serve(apis, args)


def _issuing(api: Api, option: str, ttl: str | None) -> Auth:
    """The API's auth with the credential lifetime asked for (the document's when None): the lifetime
    only decides when a credential expires, so the server accepts it whatever it is."""
    auth = api.dialect.auth
    return auth if ttl is None else dataclasses.replace(auth, lifetime_seconds=parse_duration(option, ttl))


def _token(api: Api, args: argparse.Namespace) -> int:
    try:
        auth = _issuing(api, "--ttl", args.ttl)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    if args.role is not None and auth.roles and args.role not in auth.roles:
        return fail(f"unknown role {args.role!r} for {api.dialect.id}: use one of {', '.join(auth.roles)}", EXIT_USAGE)
    print(Credentials(auth, args.secret).issue(args.role, expired=args.expired))
    if not args.expired:  # on stderr: stdout stays the one line `--token "$(crm-mock token)"` takes
        print(f"crm-mock: {_validity(auth, args.ttl, '--ttl')}", file=sys.stderr)
    return 0


def _validity(auth: Auth, ttl: str | None, option: str) -> str:
    """How long a credential lives; at the document's lifetime (short), the option that makes it longer."""
    lifetime = f"valid for {format_duration(auth.lifetime_seconds)}"
    return lifetime if ttl is not None else f"{lifetime}; {option} 8h for a longer one"


def _frontend_options(args: argparse.Namespace) -> dict[str, Any]:
    """The MockConfig fields of the frontend options; ValueError names a malformed one."""
    from mock_server.chaos import parse_delay
    from mock_server.ratelimit import parse_rate

    if not 0.0 <= args.error_rate <= 1.0:
        raise ValueError(f"--error-rate {args.error_rate}: use a share from 0 to 1")
    return {
        "delay_ms": parse_delay(args.delay) if args.delay else (0, 0),
        "error_rate": args.error_rate,
        "rate_limit": parse_rate(args.rate_limit) if args.rate_limit else None,
        "cors": not args.no_cors,
        "cors_origin": args.cors_origin,
        "watch": args.watch,
        "access_log": "off" if args.no_access_log else args.log_format,
    }


def _serve(apis: dict[str, Api], args: argparse.Namespace) -> int:
    from mock_server.server import discard_temporary, serve, served_configs
    from mock_server.store import is_database_url
    from mock_server.store.interface import DatabaseUnavailable

    if args.workers < 1 or args.records < 0 or not 0 < args.port < 65536:
        return fail("--workers must be >= 1, --records >= 0 and --port within 1..65535", EXIT_USAGE)
    try:
        frontend = _frontend_options(args)
        issuing = {dialect: _issuing(api, "--token-ttl", args.token_ttl) for dialect, api in apis.items()}
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", EXIT_RUNTIME)
    if is_database_url(args.state):  # before the banner: a server that cannot start announces nothing
        from mock_server.store.postgres import reachable

        try:
            reachable(args.state)
        except DatabaseUnavailable as exc:
            return fail(f"cannot use the database of --state: {exc}", EXIT_RUNTIME)
    config = MockConfig(seed=args.seed, records=args.records, state=args.state, secret=args.secret,
                        webhook_url=args.webhook_url, seed_cache=args.seed_cache, **frontend)
    configs = served_configs(apis, config, args.workers)
    for dialect, api in apis.items():
        root = f"http://{args.host}:{args.port}" + (f"/{dialect}" if len(apis) > 1 else "")
        auth = issuing[dialect]
        credential = Credentials(auth, args.secret).issue()
        print(f"crm-mock: serving {api.dialect.title} ({dialect}) at {root}{api.dialect.base_path}", flush=True)
        print(f"crm-mock: credential ({auth.default_role or 'key pair'}, "
              f"{_validity(auth, args.token_ttl, '--token-ttl')}): {credential}", flush=True)
        print(f"crm-mock: document at {root}/openapi.json, docs at {root}/docs, admin at {root}/__mock/", flush=True)
    owner = os.getpid()
    # until the HTTP server installs its own handlers (after a --state file or gunicorn's preloaded app is seeded
    # here), SIGTERM stops as Ctrl-C does: the temporary state is discarded and the exit is 0, not a death by signal
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve(apis, configs, Listen(args.server, args.host, args.port, args.workers))
    except KeyboardInterrupt:
        return 0
    except DatabaseUnavailable as exc:
        return fail(f"cannot use the database of --state: {exc}", EXIT_RUNTIME)
    except Exception as exc:  # the server itself failed; one line, no traceback
        return fail(f"the server stopped: {exc}", EXIT_RUNTIME)
    finally:
        discard_temporary(configs, args.state, owner)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
