"""`python -m benchmarks.seeding --ceiling` stores what each core's share, seeded alone, stores."""

from __future__ import annotations

import os

import pytest

from benchmarks.seeding import ceiling, seed_once


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_the_ceiling_counts_every_core_seeding_its_share_with_its_own_seed() -> None:
    cores = os.cpu_count() or 1
    records = 2 * cores + 1  # a share one larger than the others
    run = ceiling("olympus", records)
    shares = [records // cores + (1 if n < records % cores else 0) for n in range(cores)]
    assert sum(shares) == records
    assert run.stored == sum(seed_once("olympus", share, seed=42 + n).stored for n, share in enumerate(shares))
    assert run.records == records and run.wall_seconds > 0 and run.cpu_seconds > 0
