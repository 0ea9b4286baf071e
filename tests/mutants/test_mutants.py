"""Every check family can fail: the suite catches each mutant of the zoo with the mutant's own family.

The other half, that the unmodified mock is conformant at the strict level (no false positives), is
tests/integration/test_conformance_against_the_mock.py, and the equivalents zoo (tests/equivalents/).
Each mutant runs every family, as a user would: the run must also leave every record it did not create
as it found it, even on a server that wrongly accepts what it should refuse (X11, tests/harm.py).
`make mutation` runs the same and writes reports/mutation.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conformance.model import FAMILIES
from tests.mutants.run import run_mutant
from tests.mutants.zoo import APIS, ZOO, Mutant

MIN_MUTANTS, MIN_PER_API, MIN_PER_FAMILY = 30, 6, 2


def _param(mutant: Mutant) -> object:
    if mutant.weakness is None:
        return pytest.param(mutant, id=mutant.name)
    reason = (f"survives {mutant.family}: check weakness reported to the checks' owner "
              f"(reports/mutation.md, Survivors): {mutant.weakness}")
    return pytest.param(mutant, id=mutant.name, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("mutant", [_param(m) for m in ZOO])
def test_the_mutants_family_catches_it_and_the_run_harms_nothing(mutant: Mutant, tmp_path: Path) -> None:
    outcome = run_mutant(mutant, report_dir=tmp_path)
    assert outcome.harmed == (), f"{mutant.name}: the run changed records it did not create: {outcome.harmed[:5]}"
    assert outcome.exit_code == 1, (f"{mutant.name} survived (exit {outcome.exit_code}, {outcome.error}); "
                                    f"it breaks: {mutant.rule}")
    assert outcome.caught_by_family, f"{mutant.name}: failed {outcome.failed_ids}, none of family {mutant.family}"
    assert outcome.caught_by_requirement, (f"{mutant.name}: the report does not show {mutant.requirement} failed "
                                           f"(failed requirements: {sorted(outcome.failed_requirements)})")


def test_the_zoo_is_big_enough_for_every_api_and_family() -> None:
    per_api, per_family = Counter(m.dialect for m in ZOO), Counter(m.family for m in ZOO)
    assert len(ZOO) >= MIN_MUTANTS
    assert {api: per_api[api] for api in APIS if per_api[api] < MIN_PER_API} == {}
    assert {family: per_family[family] for family in FAMILIES if per_family[family] < MIN_PER_FAMILY} == {}
    assert len({m.name for m in ZOO}) == len(ZOO), "mutant names are unique"


def test_every_family_has_a_mutant_it_really_catches() -> None:
    """A family whose only mutants are known survivors proves nothing."""
    caught = {m.family for m in ZOO if m.weakness is None}
    assert set(FAMILIES) <= caught
