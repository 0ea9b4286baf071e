"""Where every random draw comes from: one `random.Random(seed)` and mimesis providers seeded from it, and
the day the fake calendar takes as today.

The same seed and the same sequence of calls give identical data. The global `random` is never used, and no
choice ever iterates a set (string hashing differs between processes).
"""

from __future__ import annotations

import datetime as dt
import random
import re

from mimesis import Address, Finance, Person, Text
from mimesis.locales import Locale

from mock_server.faker.vocabulary import COMPANY_SUFFIXES, COMPANY_WORDS, TLDS
from mock_server.faker.wording import slug

_LEGAL_FORM = re.compile(r",?\s+(inc|llc|ltd|plc|gmbh|corp|co|group|holdings)\.?$", re.I)


class Sources:
    """The generator's random number generator, its mimesis providers and its calendar."""

    def __init__(self, seed: int, today: dt.date | None = None) -> None:
        self.today = today or dt.datetime.now(dt.UTC).date()  # one calendar for dates and UTC timestamps
        self.now = dt.datetime.combine(self.today, dt.time(0), tzinfo=dt.UTC)
        self.rng = random.Random(seed)
        seeds = [self.rng.randrange(1 << 31) for _ in range(4)]
        self.person = Person(Locale.EN, seed=seeds[0])
        self.address = Address(Locale.EN, seed=seeds[1])
        self.finance = Finance(Locale.EN, seed=seeds[2])
        self.text = Text(Locale.EN, seed=seeds[3])

    def randoms(self) -> tuple[random.Random, ...]:
        """Every random source a draw may come from: together their states are the generator's."""
        return (self.rng, self.person.random, self.address.random, self.finance.random, self.text.random)

    def company_name(self) -> str:
        roll = self.rng.random()
        if roll < 0.25:
            return str(self.finance.company())
        if roll < 0.6:
            return f"{self.person.last_name()} {self.rng.choice(COMPANY_SUFFIXES)}"
        if roll < 0.7:
            return f"{self.person.last_name()} & {self.person.last_name()}"
        return f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_SUFFIXES)}"

    @staticmethod
    def domain_of(company: str) -> str:
        core = _LEGAL_FORM.sub("", company)
        name = slug(core, "-")[:40].strip("-") or "example"
        tld = TLDS[sum(map(ord, company)) % len(TLDS)]  # stable per company, no rng draw
        return name + tld
