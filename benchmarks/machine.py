"""The machine a benchmark ran on: CPU, memory, OS, the versions of Python, the packages and the tools, the
load average and the commit, for the report's first table."""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

from benchmarks.load import WRK_INSTALL
from benchmarks.servers import PRISM_INSTALL
from benchmarks.settings import ROOT
from benchmarks.usage import read

PACKAGES = ("crm-conformance", "flask", "werkzeug", "gunicorn", "granian", "mimesis", "jsonschema", "pyjwt",
            "schemathesis", "hypothesis")


def machine(prism: Path | None) -> dict[str, str]:
    info: dict[str, str] = {}
    cpu = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    info["CPU"] = f"{os.cpu_count()} cores ({cpu})"
    mem = re.search(r"MemTotal:\s+(\d+) kB", read("/proc/meminfo"))
    if mem:
        info["Memory"] = f"{int(mem.group(1)) / 2**20:.1f} GiB"
    info["OS"] = platform.platform()
    info["Python"] = f"{platform.python_version()} ({platform.python_implementation()})"
    info["Packages"] = ", ".join(_package(name) for name in PACKAGES) + f", SQLite {sqlite3.sqlite_version}"
    info["wrk"] = _version(["wrk", "-v"]) if shutil.which("wrk") else f"not installed (`{WRK_INSTALL}`)"
    info["Node"] = _version(["node", "--version"]) if shutil.which("node") else "not installed"
    info["Prism"] = (f"@stoplight/prism-cli {_version([str(prism), '--version'])}" if prism
                     else f"not installed (`{PRISM_INSTALL}`)")
    commit = _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _version(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    info["Load average at start"] = load_average()
    info["Commit"] = f"{commit}{' + uncommitted changes' if dirty and dirty != '?' else ''}"
    return info


def load_average() -> str:
    return " ".join(read("/proc/loadavg").split()[:3]) or "?"


def _package(name: str) -> str:
    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name} (absent)"


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return re.sub(r"\s+Copyright.*", "", text[0]) if text else ""
