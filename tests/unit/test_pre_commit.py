"""The pre-commit configuration the README's Contributing section tells a newcomer to install is valid and runs
the gates it promises: ruff, mypy and the unit tests, with the project's own tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".pre-commit-config.yaml"


def test_the_configuration_is_one_pre_commit_accepts() -> None:
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_runs_ruff_mypy_and_the_unit_tests() -> None:
    hooks = [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]
    entries = [hook["entry"] for hook in hooks]
    assert any(entry.startswith(".venv/bin/ruff check") for entry in entries), entries
    assert ".venv/bin/mypy" in entries, entries
    assert any("pytest" in entry and "tests/unit" in entry for entry in entries), entries


def test_the_readme_says_how_to_install_it() -> None:
    assert ".venv/bin/pre-commit install" in (ROOT / "README.md").read_text()
