"""The project as a user installs it: its wheel, built from a clean copy of the source tree, installed with its
dependencies from the package index into a virtual environment of its own, and run from a directory outside
the source tree with an environment that points nowhere into the checkout.

`install_wheel()` is behind the session fixture `installed_wheel` (tests/conftest.py): the wheel is built
and installed once per test session, whichever tests use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone does not hold: a build from the working tree must not pick up stale build/ output
# (setuptools reuses build/lib) or anything else that only a developer's checkout has.
NOT_IN_A_CLONE_AT_THE_TOP = {".git", ".venv", "build", "dist", "reports", ".cache", "node_modules"}
# .coverage*: make test's measured processes write and combine their data files at the top while the copy runs
NOT_IN_A_CLONE = shutil.ignore_patterns("*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                        ".schemathesis", "*.sqlite3", ".coverage", ".coverage.*")


def _not_in_a_clone(directory: str, names: list[str]) -> set[str]:
    ignored = set(NOT_IN_A_CLONE(directory, names))
    return ignored | (NOT_IN_A_CLONE_AT_THE_TOP & set(names)) if Path(directory) == ROOT else ignored


# Variables that would let the installed tools import the checkout, or another environment's packages.
PYTHON_PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONSAFEPATH",
                         "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
PIP_TIMEOUT = 900  # seconds for the dependencies to install on a cold cache


@dataclass(frozen=True)
class InstalledWheel:
    wheel: Path  # the built .whl
    build_output: str  # what building it printed (stdout and stderr)
    bin: Path  # the virtual environment's bin directory: crm-mock, crm-conformance, python, pytest
    workdir: Path  # an empty directory outside the source tree, to run the tools from
    env: dict[str, str]  # the environment to run them with

    def run(self, tool: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`tool ARGS` from the environment's bin directory, in `workdir`, with `env`."""
        return subprocess.run([str(self.bin / tool), *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=timeout)


def clean_environment(bin_dir: Path, cache: Path) -> dict[str, str]:
    """This process's environment without anything that leads into the checkout: the virtual environment's
    bin first on PATH, a document cache of its own (so its documents are loaded, not a cached resolution)."""
    env = {name: value for name, value in os.environ.items()
           if name not in PYTHON_PATH_VARIABLES and str(ROOT) not in value}
    system_path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep)
                   if entry and not entry.startswith(str(ROOT))]
    env["PATH"] = os.pathsep.join([str(bin_dir), *system_path])
    env["CRM_CONFORMANCE_CACHE"] = str(cache)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _checked(argv: list[str], what: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=PIP_TIMEOUT)
    if done.returncode != 0:
        raise AssertionError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def install_wheel(base: Path) -> InstalledWheel:
    """Build the wheel from a copy of the tree under `base`, install it into a new venv there."""
    source, wheels, environment, workdir = base / "source", base / "wheels", base / "venv", base / "work"
    shutil.copytree(ROOT, source, ignore=_not_in_a_clone)
    workdir.mkdir()
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    bin_dir = environment / "bin"
    env = clean_environment(bin_dir, base / "document-cache")
    # Built by the test's own pip (make keeps it current: it relays the build backend's warnings, which the
    # venv's bundled pip may not), the way `pip install git+URL` builds it: in isolation, from the copy.
    built = _checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), str(source)],
                     "building the wheel", workdir, env)
    (wheel,) = wheels.glob("crm_conformance-*.whl")
    # The dependencies at the versions this environment has: the same commit with the same libraries, so a
    # run from the wheel and one from the checkout can be compared request by request (an older .venv would
    # otherwise meet newer releases from the index)
    pinned = _checked([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], "listing this environment",
                      workdir, env).stdout
    constraints = base / "constraints.txt"
    constraints.write_text("\n".join(line for line in pinned.splitlines() if "==" in line) + "\n", encoding="utf-8")
    _checked([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--constraint", str(constraints),
              str(wheel)], "installing the wheel", workdir, env)
    shutil.rmtree(source)  # nothing may run from the copy once it is installed
    return InstalledWheel(wheel=wheel, build_output=built.stdout + built.stderr, bin=bin_dir, workdir=workdir,
                          env=env)
