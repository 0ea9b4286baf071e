"""crm-mock: serve one of the CRM APIs, or print a credential for it.

Exit codes: 0 done, 2 bad arguments or a broken document, 3 the server could not start.
"""

from __future__ import annotations

import argparse
import socket
import sys

from crmspec import CrmSpecError, load
from crmspec.loader import DOCUMENTS
from mock_server.auth import Credentials
from mock_server.config import DEFAULT_SECRET, MockConfig

EXIT_USAGE = 2
EXIT_RUNTIME = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-mock", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve an API with seeded, stateful fake data")
    serve.add_argument("--dialect", default="revorbit", help=f"{'|'.join(DOCUMENTS)} or a document path")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4010)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--records", type=int, default=50, help="fake records per resource at start")
    serve.add_argument("--state", default=None, help="SQLite file that keeps the state across restarts")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--secret", default=DEFAULT_SECRET, help="signs and checks every credential")
    serve.add_argument("--access-log", action="store_true")
    serve.add_argument("--webhook-url", default=None, help="POST each webhook event there (Olympus)")
    token = sub.add_parser("token", help="print one credential a mock with the same secret accepts")
    token.add_argument("--dialect", default="revorbit")
    token.add_argument("--role", default=None)
    token.add_argument("--expired", action="store_true")
    token.add_argument("--secret", default=DEFAULT_SECRET)
    return parser


def fail(message: str, code: int) -> int:
    print(f"crm-mock: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        api = load(args.dialect)
    except CrmSpecError as exc:
        return fail(str(exc), EXIT_USAGE)
    if args.command == "token":
        return _token(api, args)
    return _serve(api, args)


def _token(api: object, args: argparse.Namespace) -> int:
    from crmspec.model import Api

    assert isinstance(api, Api)
    auth = api.dialect.auth
    if args.role is not None and auth.roles and args.role not in auth.roles:
        return fail(f"unknown role {args.role!r} for {api.dialect.id}: use one of {', '.join(auth.roles)}", EXIT_USAGE)
    print(Credentials(auth, args.secret).issue(args.role, expired=args.expired))
    return 0


def _serve(api: object, args: argparse.Namespace) -> int:
    from crmspec.model import Api
    from mock_server.server import serve, shared_config

    assert isinstance(api, Api)
    if args.workers < 1 or args.records < 0 or not 0 < args.port < 65536:
        return fail("--workers must be >= 1, --records >= 0 and --port within 1..65535", EXIT_USAGE)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", EXIT_RUNTIME)
    config = shared_config(
        MockConfig(seed=args.seed, records=args.records, state=args.state, secret=args.secret,
                   webhook_url=args.webhook_url),
        args.workers,
    )
    credential = Credentials(api.dialect.auth, args.secret).issue()
    url = f"http://{args.host}:{args.port}{api.dialect.base_path}"
    print(f"crm-mock: serving {api.dialect.title} ({api.dialect.id}) at {url}", flush=True)
    print(f"crm-mock: credential ({api.dialect.auth.default_role or 'key pair'}): {credential}", flush=True)
    print(f"crm-mock: document at http://{args.host}:{args.port}/openapi.json", flush=True)
    try:
        serve(api, config, args.host, args.port, args.workers, args.access_log)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # the server itself failed; one line, no traceback
        return fail(f"the server stopped: {exc}", EXIT_RUNTIME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
