"""Outside tools some tests drive (a browser, client generators): where they are, and what happens without them."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
OPENAPI_TYPESCRIPT_BIN = ROOT / ".cache" / "openapi-typescript" / "node_modules" / ".bin"  # `make typescript-tools`


def unavailable(reason: str) -> NoReturn:
    """A developer's machine without the tool skips with one line; CI (CI=true) must have it, so it fails."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def on_path(name: str, install: str) -> str:
    found = shutil.which(name)
    return found if found else unavailable(f"{name} is not installed ({install})")


def in_directory(directory: Path, name: str, install: str) -> str:
    tool = directory / name
    return str(tool) if os.access(tool, os.X_OK) else unavailable(f"{tool} is not installed ({install})")


def python_tool(name: str) -> str:
    """A console script installed beside this interpreter (the project's .venv)."""
    return in_directory(Path(sys.executable).parent, name, "the test extras: pip install -e '.[test]'")
