"""Seeded data kept for the next start: `crm-mock serve --records 10000` generates its records once, and a second
start with the same options copies them (sqlite3's backup API) instead of generating them again.

The key is everything the generated data depends on: the document (its sha256), the seed, the record count, the
mock's own code (a digest of its modules, so an edited generator never serves stale data) and the day (fake dates
are drawn relative to today). The cache lives in $CRM_MOCK_CACHE or ~/.cache/crm-mock; `CRM_MOCK_CACHE=off`
or `--no-seed-cache` turns it off. A cache that cannot be read or written is simply not used: the records are
generated as without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path

from mock_server.store.interface import RecordStore
from mock_server.store.sqlite import SqliteStore

FORMAT = "1"  # bump when what a cached file holds changes
PACKAGE = Path(__file__).resolve().parent.parent  # mock_server/


def folder() -> Path | None:
    configured = os.environ.get("CRM_MOCK_CACHE")
    if configured == "off":
        return None
    return Path(configured) if configured else Path.home() / ".cache" / "crm-mock"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The mock's modules as they are now: the generator, the seeder and the behaviours' write hooks."""
    digest = hashlib.sha256()
    for module in sorted(PACKAGE.rglob("*.py")):
        digest.update(module.relative_to(PACKAGE).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def cache_file(document_sha256: str, seed: int, records: int, today: dt.date | None = None) -> Path | None:
    place = folder()
    if place is None:
        return None
    day = (today or dt.date.today()).isoformat()
    key = hashlib.sha256("|".join([FORMAT, document_sha256, str(seed), str(records), code_digest(), day])
                         .encode()).hexdigest()
    return place / f"seeded-{key[:32]}.sqlite3"


def restore(store: RecordStore, path: Path, seed: int, records: int) -> bool:
    """Copy a kept seeding into an empty `store`; False (and `store` left empty) when there is none to use."""
    if not isinstance(store, SqliteStore) or not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            store.restore_from(source)
    except sqlite3.Error:
        store.clear()
        return False
    if store.meta("seed") != str(seed) or store.meta("records") != str(records):  # not what the key promised
        store.clear()
        return False
    return True


def keep(store: RecordStore, path: Path) -> None:
    """Write a freshly seeded `store` to `path` for the next start: whole, or not at all."""
    if not isinstance(store, SqliteStore):
        return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        with contextlib.closing(sqlite3.connect(temporary)) as target:
            store.backup_to(target)
        os.replace(temporary, path)
    except (OSError, sqlite3.Error):
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.remove(temporary)
