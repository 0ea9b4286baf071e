"""`crm-conformance verify REPORT`: does a report still match the tool and the documents installed here?

It validates the report against its schema, then recomputes what a report certifies against: the tool's
version, the sha256 of the API's document and of its requirements catalogue, and the verdict and
counts the report's own checks and coverage imply. Each finding is one line; exit 0 when everything
matches, 1 when something does not, 2 when the report cannot be read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema

from crmspec import CrmSpecError, load
from crmspec.loader import DOCUMENTS

SCHEMA = files("conformance.reports") / "report.schema.json"


class UnreadableReport(Exception):
    """The file is not a report this tool can read."""


@dataclass(frozen=True)
class Finding:
    what: str
    ok: bool
    detail: str


def read_report(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableReport(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UnreadableReport(f"{path} is not JSON: {exc}") from None
    if not isinstance(report, dict):
        raise UnreadableReport(f"{path} is not a report.json")
    return report


def verify(report: dict[str, Any], tool_version: str) -> list[Finding]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    problem = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(report))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "(report)"
        return [Finding("schema", False, f"the report breaks its schema at {where}: {problem.message[:200]}")]
    findings = [Finding("schema", True, f"valid report.json {report['schema_version']}")]
    reported = report["tool"]["version"]
    findings.append(Finding("tool", reported == tool_version,
                            f"made by {reported}, installed {tool_version}"))
    findings += _documents(report)
    findings += _consistency(report)
    return findings


def _documents(report: dict[str, Any]) -> list[Finding]:
    dialect = report["dialect"]
    source = dialect if dialect in DOCUMENTS else report["document"]["path"]
    try:
        api = load(source)
        catalogue = api.requirements
    except CrmSpecError as exc:
        return [Finding("document", False, f"cannot load the document {source}: {exc}")]
    out = [Finding("document", api.sha256 == report["document"]["sha256"],
                   f"{Path(api.path).name} sha256 {api.sha256[:16]}..., the report says "
                   f"{report['document']['sha256'][:16]}...")]
    recorded = report.get("catalogue")
    if recorded is None and catalogue is None:
        return out
    here = catalogue.sha256 if catalogue else None
    there = recorded["sha256"] if recorded else None
    out.append(Finding("requirements", here == there,
                       f"catalogue sha256 {(here or 'none')[:16]}..., the report says {(there or 'none')[:16]}..."))
    return out


def _consistency(report: dict[str, Any]) -> list[Finding]:
    outcomes = [c["outcome"] for c in report["checks"]]
    summary = report["summary"]
    counted = {"passed": outcomes.count("passed"), "failed": outcomes.count("failed"),
               "skipped": outcomes.count("skipped"), "warnings": outcomes.count("warning"),
               "errors": outcomes.count("error"), "waived": outcomes.count("waived")}
    out = [Finding("counts", all(summary[k] == v for k, v in counted.items()),
                   f"the checks give {counted}")]
    if report["verdict"] != "error":
        coverage = report["coverage"]
        expected = "non-conformant" if counted["failed"] or coverage["below_min_coverage"] else "conformant"
        out.append(Finding("verdict", report["verdict"] == expected,
                           f"the checks and coverage give {expected}, the report says {report['verdict']}"))
    return out
