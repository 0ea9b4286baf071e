"""README "Check real traffic": the vendor-CI recipe works as written. Its lines run in bash, `crm-mock`
standing for the vendor's server and a few curl calls for its integration tests, on free ports."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TESTS_SCRIPT = """#!/bin/bash
set -eu
token=$(crm-mock token --dialect revorbit 2>/dev/null)
curl -sf -H "Authorization: Bearer $token" "$CRM_API_URL/deals?per_page=5" > /dev/null
curl -sf -H "Authorization: Bearer $token" "$CRM_API_URL/deals/1" > /dev/null
curl -s -H "Authorization: Bearer $token" "$CRM_API_URL/deals?per_page=abc" > /dev/null
"""


def recipe() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- vendor-ci-recipe -->\n```bash\n(.*?)```\n<!-- /vendor-ci-recipe -->", text, re.S)
    assert found, "README.md has no vendor-ci-recipe block"
    return found.group(1)


@pytest.mark.slow
def test_the_vendor_ci_recipe_works_as_written(tmp_path: Path) -> None:
    server, proxy = free_port(), free_port()
    lines = recipe().replace("8000", str(server)).replace("4020", str(proxy))
    (tmp_path / "integration-tests.sh").write_text(TESTS_SCRIPT, encoding="utf-8")
    (tmp_path / "integration-tests.sh").chmod(0o755)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    # files, not pipes: the server the recipe starts in the background keeps its output open
    with open(tmp_path / "out.txt", "w") as out_file, open(tmp_path / "err.txt", "w") as err_file:
        process = subprocess.Popen(["bash", "-e", "-c", lines], cwd=tmp_path, env=env, start_new_session=True,
                                   stdout=out_file, stderr=err_file, text=True)
    try:
        process.wait(timeout=180)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the server the recipe left running in the background
        except ProcessLookupError:
            pass
    out, err = (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()
    assert process.returncode == 0, (out, err[-2000:])
    report = json.loads((tmp_path / "reports" / "traffic" / "report.json").read_text(encoding="utf-8"))
    assert report["mode"] == "proxy" and report["verdict"] == "conformant"
    assert report["proxy"]["judged"] == 3
    assert [v["id"] for v in report["proxy"]["client_violations"]] == ["CLI-002"]
    assert "conformant: Revenue Orbit" in out
