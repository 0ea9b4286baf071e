"""`make serve` takes DIALECT=, PORT=, RECORDS= and SEED= from the command line (README, Quickstart)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def served_command(*variables: str, env: dict[str, str] | None = None) -> list[str]:
    """The crm-mock command line `make serve VARIABLES` would run (make -n prints it and runs nothing)."""
    done = subprocess.run(["make", "-n", "-s", "serve", *variables], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    (line,) = [line for line in done.stdout.splitlines() if "crm-mock serve" in line]
    return shlex.split(line)[1:]


def test_the_command_line_picks_the_api_port_size_and_seed() -> None:
    assert served_command("DIALECT=olympus", "PORT=4011", "RECORDS=200", "SEED=7") == [
        "serve", "--dialect", "olympus", "--host", "127.0.0.1", "--port", "4011", "--records", "200", "--seed", "7"]


def test_the_defaults_are_the_mocks_and_the_shell_environment_does_not_leak_in() -> None:
    assert served_command(env={"PORT": "3000", "SEED": "1", "DIALECT": "ysuite", "RECORDS": "1"}) == [
        "serve", "--dialect", "revorbit", "--host", "127.0.0.1", "--port", "4010", "--records", "50", "--seed", "42"]
