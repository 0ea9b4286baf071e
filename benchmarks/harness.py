"""What every part of a benchmark run shares: its settings, work directory, ports, the mock's token, the
progress line and the results it fills in."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from benchmarks.results import Results
from benchmarks.servers import Ports, script, tool
from benchmarks.settings import Settings


class Bench:
    def __init__(self, settings: Settings, work: Path, prism: Path | None, say: Callable[[str], None]) -> None:
        self.s = settings
        self.work = work
        self.prism = prism
        self.say = say
        self.ports = Ports()
        self.have_wrk = shutil.which("wrk") is not None
        self.results = Results(settings)
        self.crm_mock = script("crm-mock")
        self.token = tool(self.crm_mock, "token", "--dialect", "revorbit").strip()
        self.auth = {"Authorization": f"Bearer {self.token}"}
