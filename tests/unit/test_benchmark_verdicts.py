"""The benchmark judges the comparisons the issue asks for, and only like against like."""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.load import Load
from benchmarks.proxy_overhead import target
from benchmarks.results import ProxyRow, Results, ServerResult
from benchmarks.scenarios import LIST_SCENARIO
from benchmarks.servers import pinned_page_document
from benchmarks.settings import FULL, SMOKE
from benchmarks.verdicts import targets

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "openapi" / "revorbit.yaml"


def _load(rps: float, size: float = 1000.0) -> Load:
    return Load("wrk", rps, 1.0, 2.0, int(rps * 10), 0, cpu_ms=1.0, bytes_per=size)


def _server(key: str, **loads: Load) -> ServerResult:
    result = ServerResult(key, key, key)
    result.loads = {label.replace("_", " "): load for label, load in loads.items()}
    return result


def _results(prism_list: float, pinned_list: float | None, smoke: bool = False) -> Results:
    one, page = "GET one deal", LIST_SCENARIO
    results = Results(SMOKE if smoke else FULL)
    results.servers = [
        _server("mock", **{one: _load(3000), page: _load(1500, 23000)}),
        _server("bare", **{one: _load(4000), page: _load(2000, 23000)}),
        _server("prism", **{one: _load(550), page: _load(prism_list, 1800)}),
    ]
    if pinned_list is not None:
        results.servers.append(_server("prism-page25", **{page: _load(pinned_list, 20000)}))
    return results


def _verdicts(results: Results) -> list[tuple[str, str, bool | None]]:
    return [(t.name, t.note, t.passed) for t in targets(results) if t.name.startswith("Throughput")]


def test_the_pinned_copy_changes_only_the_length_of_the_deal_page(tmp_path: Path) -> None:
    pinned = yaml.safe_load(pinned_page_document(DOCUMENT, tmp_path, 25).read_text(encoding="utf-8"))
    original = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    data = pinned["components"]["schemas"]["DealPage"]["allOf"][1]["properties"]["data"]
    assert (data["minItems"], data["maxItems"]) == (25, 25)
    del data["minItems"], data["maxItems"]
    assert pinned == original


def test_the_list_page_is_judged_against_prism_doing_the_same_work() -> None:
    verdicts = _verdicts(_results(prism_list=900, pinned_list=150))  # 1500 / 900 < 5x; 1500 / 150 = 10x
    prism_rows = [(note, passed) for name, note, passed in verdicts if LIST_SCENARIO in name and "Prism" in name]
    assert len(prism_rows) == 2
    judged = [passed for note, passed in prism_rows if "the same work" in note and "not" not in note]
    shown = [passed for note, passed in prism_rows if "not the same work" in note]
    assert judged == [True] and shown == [None]


def test_a_slow_mock_misses_even_against_the_pinned_prism() -> None:
    verdicts = _verdicts(_results(prism_list=900, pinned_list=400))  # 1500 / 400 = 3.75x: 3x passed, 5x does not
    assert any(LIST_SCENARIO in name and "the same work" in note and passed is False
               for name, note, passed in verdicts)


def test_get_one_is_judged_against_prism_as_shipped() -> None:
    verdicts = _verdicts(_results(prism_list=900, pinned_list=150))
    assert [passed for name, _, passed in verdicts if name == "Throughput, GET one deal: mock >= 5x Prism dynamic"] \
        == [True]  # 3000 / 550 = 5.45x
    assert [passed for name, _, passed in verdicts if name == "Throughput, GET one deal: mock >= 60% of bare Flask"] \
        == [True]  # 3000 / 4000 = 75%


def test_the_smoke_mode_judges_nothing() -> None:
    assert {passed for _, _, passed in _verdicts(_results(prism_list=900, pinned_list=150, smoke=True))} == {None}


def _proxy_row(direct_p50: float, proxied_p50: float) -> ProxyRow:
    direct, proxied = Load("python", 500, direct_p50, 9.0, 400, 0), Load("python", 300, proxied_p50, 9.0, 400, 0)
    return ProxyRow(direct, proxied, [(direct, proxied)], judged=470, flagged=0, verdict="conformant")


def test_the_proxy_row_judges_the_p50_added_against_2_ms() -> None:
    for proxied_p50, added, passed in ((3.2, "1.20 ms", True), (4.9, "2.90 ms", False)):
        row = _proxy_row(2.0, proxied_p50)
        assert target(row, judged=True).passed is passed
        assert target(row, judged=True).measured.startswith(added)
        assert target(row, judged=False).passed is None  # smoke: shown, not judged
    results = Results(FULL)
    results.proxy = _proxy_row(2.0, 3.2)
    assert [t.name for t in targets(results)] == ["Proxy: p50 added to GET one deal < 2 ms"]
