"""`python -m benchmarks.run --only ...` measures the parts named and the parts they need, in the run's order."""

from __future__ import annotations

import pytest

from benchmarks.run import chosen_parts

ALL = ["throughput", "app_cost", "growth", "seeding", "startup", "conformance", "proxy", "postgres"]


def test_without_only_every_part_runs_in_order() -> None:
    assert chosen_parts(None) == ALL


def test_postgres_brings_the_growth_states_it_serves_and_runs_after_them() -> None:
    assert chosen_parts("postgres") == ["growth", "postgres"]


def test_the_order_is_the_run_order_not_the_order_given() -> None:
    assert chosen_parts("proxy, throughput") == ["throughput", "proxy"]


def test_an_unknown_part_is_refused_naming_the_parts() -> None:
    with pytest.raises(ValueError, match="no part named prisms .*throughput, app_cost, growth"):
        chosen_parts("throughput,prisms")
