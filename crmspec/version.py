"""`--version` of both tools: the distribution's version and the sha256 of every packaged document, so a
report, a bug and an installation can be matched to the exact documents they ran on."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crmspec.errors import InvalidDocument
from crmspec.loader import digest, packaged_documents, read_text

DISTRIBUTION = "crm-conformance"


def distribution_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # imported from a tree that was never installed
        return "unknown"


def version_text(program: str) -> str:
    lines = [f"{program} {distribution_version()}"]
    for path in packaged_documents():
        try:
            lines.append(f"{path.name} sha256:{digest(read_text(path))}")
        except InvalidDocument as exc:  # a damaged installation: say so on its line, no traceback
            lines.append(f"{path.name} unreadable: {exc.reason}")
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """Like argparse's `version` action, but the text is computed only when asked for (it reads every
    document) and printed as is (argparse would re-wrap it into one paragraph)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 help: str = "print the version and the sha256 of each packaged document") -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(version_text(parser.prog))
        parser.exit(0)
