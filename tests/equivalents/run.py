"""Run the conformance suite against every equivalent, and all of each API's at once (`make equivalents`).

`python -m tests.equivalents.run [REPORTS]` runs every check family at `--level standard` against each
variant of tests/equivalents/zoo.py alone, then against each API's variants all at once, keeps each run's
reports in REPORTS/equivalents/<variant>/, writes REPORTS/equivalents.md and exits 1 when any of them
is not certified (a variant the suite does not certify is a false positive of the checks named there).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.equivalents.zoo import APIS, COMBINED, ZOO, Variant
from tests.mutants.run import MAX_EXAMPLES, SEED, SUITE_SEED, run_suite, table_cell

LEVEL = "standard"


@dataclass(frozen=True)
class Finding:
    """One check that did not pass cleanly, with the first of its failure messages."""

    check: str
    severity: str
    source: str
    messages: tuple[str, ...]
    count: int

    @classmethod
    def of(cls, check: dict[str, Any]) -> Finding:
        failures = check.get("failures") or []
        messages = tuple(dict.fromkeys(f"{f.get('operation', '')}: {f.get('message', '')}" for f in failures))
        return cls(check["id"], check["severity"], check.get("source", ""), messages[:3], len(failures))


@dataclass(frozen=True)
class Certification:
    """What the suite said about one variant (parsed from its report.json)."""

    variant: Variant
    exit_code: int
    verdict: str
    failed: tuple[Finding, ...]      # count against the verdict (MUST at standard), or a check's own fault
    warned: tuple[Finding, ...]      # failed SHOULD checks: warnings at standard
    error: str | None
    seconds: float
    harmed: tuple[str, ...] = ()     # records the run did not create that it changed or deleted (tests/harm.py)

    @property
    def certified(self) -> bool:
        return self.exit_code == 0 and self.verdict == "conformant" and not self.harmed


def certify(variant: Variant, report_dir: Path | None = None, families: tuple[str, ...] = ()) -> Certification:
    started = time.monotonic()
    code, report, harmed = run_suite(variant, LEVEL, families, report_dir)
    checks = report.get("checks") or []
    failed = tuple(Finding.of(c) for c in checks if c.get("outcome") == "failed" or c.get("status") == "error")
    warned = tuple(Finding.of(c) for c in checks if c.get("outcome") == "warning")
    return Certification(variant, code, str(report.get("verdict")), failed, warned, report.get("error"),
                         round(time.monotonic() - started, 1), harmed)


# the report ------------------------------------------------------------------------------------------
def _ids(findings: tuple[Finding, ...]) -> str:
    return ", ".join(f.check for f in findings) or "-"


def _verdict(c: Certification) -> str:
    return f"error: {c.error}" if c.exit_code == 2 else c.verdict


def _row(c: Certification, allowed_by: str) -> str:
    return (f"| {c.variant.dialect} | `{c.variant.name}` | {table_cell(allowed_by)} | {table_cell(_verdict(c))} | "
            f"{_ids(c.failed)} | {_ids(c.warned)} | {'yes' if c.certified else '**no**'} |")


def markdown(alone: list[Certification], together: list[Certification]) -> str:
    certified = [c for c in alone if c.certified]
    lines = [
        "# Equivalents report",
        "",
        f"Equivalents certified: **{len(certified)}/{len(alone)}** variants alone "
        f"({100 * len(certified) / max(len(alone), 1):.0f}%), "
        f"{sum(c.certified for c in together)}/{len(together)} APIs with all their variants at once.",
        "",
        "Each variant changes the mock in a way the vendors' pages or a dialects.md section 3 decision ALLOW "
        "(tests/equivalents/zoo.py): the suite must certify every one. A variant that is not certified is a "
        "false positive of the failed checks, to fix in the check, never in the variant. The suite runs "
        f"every family at level {LEVEL} (mock seed {SEED}, suite seed {SUITE_SEED}, --max-examples "
        f"{MAX_EXAMPLES}); a failed SHOULD is a warning and does not cost the certificate.",
        "",
        "## Variants",
        "",
        "| API | variant | allowed by | verdict | failed checks | warnings | certified |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(c, c.variant.allowed_by) for c in alone]
    lines += ["", "## All of one API's variants at once", "",
              "| API | variant | allowed by | verdict | failed checks | warnings | certified |",
              "|---|---|---|---|---|---|---|"]
    lines += [_row(c, f"the {sum(v.dialect == c.variant.dialect for v in ZOO)} variants above") for c in together]
    lines += ["", "## Per API", "", "| API | variants | certified alone | all at once |", "|---|---|---|---|"]
    for api in APIS:
        mine = [c for c in alone if c.variant.dialect == api]
        combined = next((c for c in together if c.variant.dialect == api), None)
        lines.append(f"| {api} | {len(mine)} | {sum(c.certified for c in mine)} | "
                     f"{'yes' if combined and combined.certified else 'no'} |")
    refused = [c for c in [*alone, *together] if not c.certified]
    if refused:
        lines += ["", "## False positives: the failed checks and what they said", ""]
        for c in refused:
            lines.append(f"### `{c.variant.name}` ({c.variant.dialect})")
            lines.append("")
            lines.append(f"Allowed by: {table_cell(c.variant.allowed_by)}")
            lines.append("")
            for finding in c.failed:
                lines.append(f"- **{finding.check}** ({finding.severity}, {finding.count} failure(s); enforces: "
                             f"{table_cell(finding.source)})")
                lines += [f"  - {table_cell(m)[:400]}" for m in finding.messages]
            if c.error:
                lines.append(f"- {'run error' if c.exit_code == 2 else 'note'}: {table_cell(c.error)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _line(c: Certification) -> str:
    mark = "certified" if c.certified else "REFUSED"
    return f"{mark:9} {c.variant.dialect:9} {c.variant.name:40} {c.seconds:5.1f}s {_ids(c.failed)}"


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.equivalents.run [REPORTS [API ...]]`: every variant, or those of the APIs named."""
    args = argv if argv is not None else sys.argv[1:]
    out = Path(args[0] if args else "reports")
    apis = tuple(args[1:]) or APIS
    started = time.monotonic()
    alone = []
    for variant in (v for v in ZOO if v.dialect in apis):
        alone.append(certify(variant, out / "equivalents" / variant.name))
        print(_line(alone[-1]), flush=True)
    together = []
    for api in apis:
        together.append(certify(COMBINED[api], out / "equivalents" / COMBINED[api].name))
        print(_line(together[-1]), flush=True)
    (out / "equivalents.md").write_text(markdown(alone, together), encoding="utf-8")
    certified = sum(c.certified for c in alone)
    print(f"equivalents certified {certified}/{len(alone)} alone, {sum(c.certified for c in together)}/"
          f"{len(together)} all at once in {time.monotonic() - started:.0f}s; report: {out / 'equivalents.md'}")
    return 0 if all(c.certified for c in [*alone, *together]) else 1


if __name__ == "__main__":
    sys.exit(main())
