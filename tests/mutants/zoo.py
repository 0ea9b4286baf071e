"""The mutant zoo: small named changes to the mock, each breaking ONE rule of one API (one module per API,
tests/mutants/api_<api>.py; what they share is tests/mutants/kit.py).

Every conformance check family must be able to fail: for each mutant the suite must answer
non-conformant with at least one failed check of the mutant's `family`, and report the mutant's
requirement failed. The other half, that the unmodified mock is conformant at the strict level, is
tests/integration/test_conformance_against_the_mock.py and the equivalents zoo.
"""

from __future__ import annotations

from tests.mutants import api_concord, api_olympus, api_revorbit, api_ysuite, generic
from tests.mutants.kit import APIS, Mutant

__all__ = ["APIS", "BY_NAME", "ZOO", "Mutant"]

ZOO: tuple[Mutant, ...] = (*api_revorbit.MUTANTS, *api_olympus.MUTANTS, *api_concord.MUTANTS, *api_ysuite.MUTANTS,
                          *generic.MUTANTS)
BY_NAME = {m.name: m for m in ZOO}
