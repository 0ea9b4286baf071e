"""Every replay line in a report sends the request again as it was sent: with its Content-Type, Accept and
credential headers (credentials as $CRM_TOKEN & co., never their values), and gets the status the report
shows (issue 13: a replayed 422 used to come back 415, the Content-Type was missing).

The run keeps its records (--keep-records), as a vendor replaying a failure would. A request that changed
the server's state (an accepted write) cannot answer the same twice; every other reported request is
replayed: reads, and writes the server refused."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conformance.cli import main
from tests.mutants.run import build, credential_args
from tests.mutants.zoo import BY_NAME
from tests.servers import serving

REPLAYED = ("ro_alg_none_accepted", "ys_wrong_secret_accepted", "ro_validation_without_field_errors",
            "ys_malformed_json_500", "oc_missing_contact_410", "ys_json_as_text_html", "cc_field_errors_as_strings")
VARIABLES = {"--token": "CRM_TOKEN", "--expired-token": "CRM_EXPIRED_TOKEN", "--limited-token": "CRM_LIMITED_TOKEN"}


@pytest.mark.parametrize("name", REPLAYED)
def test_each_reported_failure_replays_to_the_reported_status(name: str, tmp_path: Path) -> None:
    mutant = BY_NAME[name]
    app, api, credentials = build(mutant, tmp_path)
    args = credential_args(api, credentials)
    environment = {**os.environ, **{VARIABLES[flag]: value for flag, value in zip(args[::2], args[1::2], strict=True)}}
    with serving(app) as url:
        code = main(["run", "--dialect", mutant.dialect, "--base-url", url + api.dialect.base_path, *args,
                     "--seed", "1", "--max-examples", "2", "--report-dir", str(tmp_path / "r"), "--quiet",
                     "--keep-records"])
        report = json.loads((tmp_path / "r" / "report.json").read_text())
        failures = [f for c in report["checks"] if c["status"] == "failed" for f in c["failures"] if f["curl"]
                    and (f["request"]["method"] == "GET" or (f["response"]["status"] or 0) >= 400)]
        assert code == 1 and failures
        for failure in failures:
            line = failure["curl"]
            assert "REDACTED" not in line and not any(value in line for value in args[1::2])
            if failure["request"]["body"] is not None:
                assert "Content-Type: application/json" in line
            replayed = subprocess.run(["bash", "-c", line + " -o /dev/null -w '%{http_code}'"], env=environment,
                                      capture_output=True, text=True, timeout=30)
            assert replayed.stdout == str(failure["response"]["status"]), (line, replayed.stderr)
