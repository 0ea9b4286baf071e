"""The rows issue 18 adds to `make bench` are judged against the issue's limits: seeding throughput, time to first
200 cold and cached (a start that timed out is a miss, shown as such), the app's in-process cost against bare Flask,
start-up and conformance runs; and a copied growth deal is a new deal, not the old one again."""

from __future__ import annotations

import math

import pytest

from benchmarks.app_cost import AppCost, cpu_us_per_request
from benchmarks.app_cost import target as app_target
from benchmarks.load import Load
from benchmarks.results import ConformanceRow, GrowthRow, Results, Target
from benchmarks.seed_state import copy_of
from benchmarks.seeded_starts import Start, Throughput, start_targets, throughput_targets
from benchmarks.servers import BenchError
from benchmarks.settings import FULL
from benchmarks.verdicts import targets


def _verdicts(found: list[Target]) -> dict[str, tuple[str, bool | None]]:
    return {t.name: (t.measured, t.passed) for t in found}


def test_first_200_limits_are_the_issues_and_a_timed_out_start_misses() -> None:
    starts = [Start(1000, "cold", 1.0, 180.0), Start(10_000, "cold", 4.9, 180.0), Start(10_000, "cached", 1.2, 180.0),
              Start(100_000, "cold", math.nan, 180.0)]
    found = _verdicts(start_targets(starts, judged=True))
    assert found == {
        "`crm-mock serve --records 10000`, cold: first 200 <= 5 s": ("4.90 s", True),
        "`crm-mock serve --records 10000`, cached: first 200 <= 1 s": ("1.20 s", False),
        "`crm-mock serve --records 100000`, cold: first 200 <= 60 s": ("over 180 s", False),
    }


def test_smoke_judges_no_start() -> None:
    assert [t.passed for t in start_targets([Start(10_000, "cold", 99.0, 180.0)], judged=False)] == [None]


def test_seeding_throughput_is_judged_on_records_per_wall_second() -> None:
    rows = [Throughput(10_000, 90_000, 3.0, 2.5, 180.0),   # 30,000/s
            Throughput(20_000, 180_000, 10.0, 9.0, 180.0),  # 18,000/s
            Throughput(100_000, 0, math.nan, math.nan, 180.0)]
    found = [(t.measured.split(" (")[0], t.passed) for t in throughput_targets(rows, judged=True)]
    assert found == [("30,000 records/s", True), ("18,000 records/s", False), ("not done in 180 s", False)]


def test_the_app_cost_ratio_and_the_ratio_above_the_floor() -> None:
    cost = AppCost("GET one deal", "/api/deals/1", {"mock": 300.0, "bare Flask": 150.0, "floor": 100.0}, {})
    judged = app_target(cost, judged=True, rounds=5, requests=2000)
    assert judged.passed is True  # 300 / 150 = 2.0, the limit itself
    assert "2.00x" in judged.measured and "above the floor 4.00x" in judged.measured  # 200 / 50
    dearer = AppCost("GET one deal", "/api/deals/1", {"mock": 301.0, "bare Flask": 150.0, "floor": 100.0}, {})
    assert app_target(dearer, judged=True, rounds=5, requests=2000).passed is False
    assert app_target(dearer, judged=False, rounds=5, requests=2000).passed is None


def test_no_ratio_above_the_floor_when_bare_flask_measured_at_the_floor() -> None:
    cost = AppCost("GET one deal", "/api/deals/1", {"mock": 220.0, "bare Flask": 150.0, "floor": 150.0}, {})
    assert "above the floor -)" in app_target(cost, judged=True, rounds=1, requests=50).measured


def test_an_answer_other_than_200_stops_the_cost_measurement() -> None:
    with pytest.raises(BenchError, match="answered 404"):
        cpu_us_per_request(lambda: 404, 3)


def test_a_copied_deal_has_no_id_a_name_of_its_own_and_the_other_deals_value() -> None:
    deal = {"id": 7, "name": "Acme renewal", "value": 100, "stage_id": 3, "contact_id": 9}
    copy = copy_of(deal, {"id": 8, "name": "Other", "value": 250, "stage_id": 1}, 12345, "id")
    assert copy == {"name": "Acme renewal #12345", "value": 250, "stage_id": 3, "contact_id": 9}
    assert deal["name"] == "Acme renewal" and deal["id"] == 7  # the stored original is left alone
    assert copy_of(deal, {"id": 8}, 2, "id")["value"] == 100


def test_startup_and_conformance_runs_are_judged_on_the_issues_limits() -> None:
    results = Results(FULL)
    results.startup = [("a start", [(0.40, 0.3), (0.60, 0.3), (0.45, 0.3)])]  # median 0.45 s
    results.conformance = [ConformanceRow("revorbit", 14.0, 0, "ok"), ConformanceRow("olympus", 16.0, 0, "ok")]
    found = {t.name: t.passed for t in targets(results)}
    assert found == {"Startup of a start <= 0.5 s": True, "Full default conformance run, revorbit": True,
                     "Full default conformance run, olympus": False}
    results.startup = [("a start", [(0.40, 0.3), (0.60, 0.3), (0.55, 0.3)])]  # median 0.55 s
    assert {t.name: t.passed for t in targets(results)}["Startup of a start <= 0.5 s"] is False


def test_growth_reports_the_servers_rss_at_the_largest_size() -> None:
    def row(deals: int, p50: float, rss: float) -> GrowthRow:
        load = Load("python", 100.0, p50, p50 * 2, 100, 0)
        return GrowthRow(deals, 1.0, 1.0, deals // 10, load, [load], None, rss, 1.0)

    results = Results(FULL)
    results.growth = [row(1000, 4.0, 120.0), row(1_000_000, 9.0, 480.0)]
    found = _verdicts(targets(results))
    assert found["Growth: p50 at 1,000,000 deals <= 2x p50 at 1,000"] == ("2.25x (9.0 vs 4.0 ms)", False)
    assert found["Growth: RSS of the server at 1,000,000 deals"] == ("480 MiB (120 MiB at 1,000)", None)
