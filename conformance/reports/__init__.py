"""The four report files of a run (docs/report-format.md).

    write_reports(result, directory) -> {"json": .../report.json, "junit": .../junit.xml,
                                         "html": .../report.html, "markdown": .../summary.md}

Each writer is usable alone and returns text: render_json, render_junit, render_html, render_markdown.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from conformance.model import RunResult
from conformance.reports.html import render_html
from conformance.reports.json_report import SCHEMA_VERSION, build_report, render_json
from conformance.reports.junit import render_junit
from conformance.reports.markdown import render_markdown

__all__ = [
    "FILENAMES",
    "SCHEMA_VERSION",
    "build_report",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "write_reports",
]

FILENAMES: dict[str, str] = {
    "json": "report.json",
    "junit": "junit.xml",
    "html": "report.html",
    "markdown": "summary.md",
}

_RENDERERS: dict[str, Callable[[RunResult], str]] = {
    "json": render_json,
    "junit": render_junit,
    "html": render_html,
    "markdown": render_markdown,
}


def _write_atomically(path: Path, content: str) -> None:
    """Write through a temporary file in the same directory, so a reader never sees half a report."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; reports are meant to be read and published
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(result: RunResult, directory: Path) -> dict[str, Path]:
    """Render all four reports, then write them into `directory` (created if missing)."""
    directory = Path(directory)
    # Render everything first: a writer that fails leaves no mix of old and new files behind.
    contents = {kind: render(result) for kind, render in _RENDERERS.items()}
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for kind, content in contents.items():
        path = directory / FILENAMES[kind]
        _write_atomically(path, content)
        paths[kind] = path
    return paths
