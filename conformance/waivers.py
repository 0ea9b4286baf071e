"""--waivers FILE: failures a team accepts for now, each with a justification, an owner and an expiry.

```yaml
- id: RO-DEALS-LIST-07          # a requirement id of the API's catalogue, or a check id (PAG-002)
  justification: per_page above 100 is clamped upstream by the gateway; fixed in release 4.2
  owner: platform-team@example.com
  expires: 2027-03-31
```

A waived failure is still shown everywhere, marked waived; it counts against nothing. A waiver that is
unknown (names no requirement or check of this run) or expired makes the run refuse to start (exit 2).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from conformance.model import Waiver
from crmspec.requirements import Catalogue

REQUIRED = ("id", "justification", "owner", "expires")


class InvalidWaivers(Exception):
    """The waivers file cannot be used: one line says why."""


def load_waivers(path: Path, catalogue: Catalogue | None, check_ids: set[str],
                 today: dt.date | None = None) -> tuple[Waiver, ...]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidWaivers(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InvalidWaivers(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    entries = raw.get("waivers") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise InvalidWaivers(f"{path}: expected a list of waivers")
    known = check_ids | ({r.id for r in catalogue.requirements} if catalogue else set())
    today = today or dt.date.today()
    waivers = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or any(not str(entry.get(key) or "").strip() for key in REQUIRED):
            raise InvalidWaivers(f"{path}: waiver {index} needs {', '.join(REQUIRED)}")
        waiver_id = str(entry["id"])
        if waiver_id not in known:
            raise InvalidWaivers(f"{path}: waiver {index} names {waiver_id}, which is neither a requirement nor a "
                                 "check of this run")
        try:
            expires = dt.date.fromisoformat(str(entry["expires"]))
        except ValueError:
            raise InvalidWaivers(f"{path}: waiver {index} ({waiver_id}) expires on {entry['expires']!r}, not a "
                                 "YYYY-MM-DD date") from None
        if expires < today:
            raise InvalidWaivers(f"{path}: the waiver of {waiver_id} (owner {entry['owner']}) expired on {expires}")
        waivers.append(Waiver(waiver_id, str(entry["justification"]), str(entry["owner"]), expires.isoformat()))
    return tuple(waivers)
