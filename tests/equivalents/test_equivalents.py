"""No false positives: the suite certifies the mock at the standard level under every equivalent of the zoo,
alone and all of one API's at once.

A failure here names the checks that refused a behaviour the pages allow, with what they said; the fix
belongs in the check, never in the variant. `make equivalents` runs the same and writes
reports/equivalents.md. That each variant really changes the mock is test_variants_change_behaviour.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.equivalents.run import Certification, certify
from tests.equivalents.zoo import APIS, COMBINED, ZOO, Variant

MIN_VARIANTS, MIN_PER_API = 30, 5

def _refusal(certification: Certification) -> str:
    variant = certification.variant
    lines = [f"{variant.name} is not certified (exit {certification.exit_code}, {certification.verdict}"
             f"{', ' + certification.error if certification.error else ''}); it is allowed by: {variant.allowed_by}"]
    for finding in certification.failed:
        lines.append(f"  {finding.check} ({finding.severity}): " + " | ".join(finding.messages))
    return "\n".join(lines)


def _judge(certification: Certification) -> None:
    assert certification.harmed == (), f"{certification.variant.name}: records changed: {certification.harmed[:5]}"
    assert certification.certified, _refusal(certification)


@pytest.mark.parametrize("variant", ZOO, ids=lambda v: v.name)
def test_the_suite_certifies_the_variant(variant: Variant, tmp_path: Path) -> None:
    _judge(certify(variant, tmp_path))


@pytest.mark.parametrize("dialect", APIS)
def test_the_suite_certifies_all_variants_of_an_api_at_once(dialect: str, tmp_path: Path) -> None:
    _judge(certify(COMBINED[dialect], tmp_path))


def test_the_zoo_is_big_enough_for_every_api() -> None:
    per_api = Counter(v.dialect for v in ZOO)
    assert len(ZOO) >= MIN_VARIANTS
    assert {api: per_api[api] for api in APIS if per_api[api] < MIN_PER_API} == {}
    assert len({v.name for v in ZOO}) == len(ZOO), "variant names are unique"
    assert all(v.allowed_by.strip() for v in ZOO), "every variant names what allows it"
