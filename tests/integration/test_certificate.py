"""A certificate people can check: a run's report.json names the tool, the document's and the catalogue's
sha256, the seed and the options; `verify` recomputes them against what is installed; `--min-coverage`
fails a run that exercised too little (exit 1, named in the summary)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from tests.conftest import Mock
from tests.servers import serving


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mock = Mock("ysuite", records=10, seed=5)
    reports = tmp_path_factory.mktemp("certificate")
    with serving(mock.app) as url:
        code = main(["run", "--dialect", "ysuite", "--base-url", url + "/v1", "--token", mock.credentials.issue(),
                     "--seed", "4", "--max-examples", "2", "--report-dir", str(reports), "--quiet"])
    assert code == 0
    return reports / "report.json"


def test_the_report_records_what_was_certified(certified: Path) -> None:
    report = json.loads(certified.read_text())
    assert report["seed"] == 4 and report["options"]["max_examples"] == 2
    assert report["options"]["credentials"] == ["default"]  # names, never values
    assert len(report["document"]["sha256"]) == len(report["catalogue"]["sha256"]) == 64
    assert report["requests_sent"] > 0 and report["tool"]["version"]


def test_verify_accepts_an_untouched_report(certified: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(certified)]) == 0
    assert "matches the tool and documents installed here" in capsys.readouterr().out


@pytest.mark.parametrize("path, value, what", [
    (("document", "sha256"), "0" * 64, "MISMATCH: document"),
    (("catalogue", "sha256"), "1" * 64, "MISMATCH: requirements"),
    (("tool", "version"), "9.9.9", "MISMATCH: tool"),
    (("verdict",), "non-conformant", "MISMATCH: verdict"),
])
def test_verify_names_what_no_longer_matches(certified: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             path: tuple[str, ...], value: str, what: str) -> None:
    report = json.loads(certified.read_text())
    holder = report
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    changed = tmp_path / "report.json"
    changed.write_text(json.dumps(report))
    assert main(["verify", str(changed)]) == 1
    assert what in capsys.readouterr().out


def test_verify_of_something_that_is_not_a_report_is_exit_2(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "report.json"
    bogus.write_text("not json")
    assert main(["verify", str(bogus)]) == 2
    assert capsys.readouterr().err.startswith("crm-conformance: ")


def test_badge_is_written_beside_the_report(certified: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["badge", str(certified)]) == 0
    assert certified.with_name("badge.svg").read_text().startswith("<svg")


def test_min_coverage_fails_a_run_that_exercised_too_little(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    mock = Mock("ysuite", records=10, seed=5)
    with serving(mock.app) as url:
        code = main(["run", "--dialect", "ysuite", "--base-url", url + "/v1", "--token", mock.credentials.issue(),
                     "--only", "status", "--max-examples", "1", "--min-coverage", "0.99",
                     "--report-dir", str(tmp_path), "--quiet"])
    report = json.loads((tmp_path / "report.json").read_text())
    assert code == 1 and report["verdict"] == "non-conformant" and report["coverage"]["below_min_coverage"]
    assert "below --min-coverage 99%" in capsys.readouterr().out
    assert "--min-coverage" in (tmp_path / "summary.md").read_text()


def test_a_waived_failure_is_shown_and_counts_against_nothing(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from tests.mutants.run import build, credential_args
    from tests.mutants.zoo import BY_NAME

    app, api, credentials = build(BY_NAME["ys_read_without_success"], tmp_path)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- id: ENV-001\n  justification: the gateway strips success on reads until 4.2\n"
                       "  owner: api-team@example.com\n  expires: 2099-12-31\n")
    with serving(app) as url:
        argv = ["run", "--dialect", "ysuite", "--base-url", url + "/v1", *credential_args(api, credentials),
                "--only", "envelope", "--max-examples", "1", "--quiet"]
        refused = main([*argv, "--report-dir", str(tmp_path / "plain")])
        waived = main([*argv, "--report-dir", str(tmp_path / "waived"), "--waivers", str(waivers)])
    report = json.loads((tmp_path / "waived" / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "ENV-001")
    assert (refused, waived) == (1, 0)
    assert check["status"] == "waived" and check["waived_failures"] > 0 and all(f["waived"] for f in check["failures"])
    assert report["waivers"][0]["owner"] == "api-team@example.com" and report["summary"]["waived"] == 1
