"""A second start with the same document, seed and record count copies the seeding the first start kept instead
of generating it again (mock_server/store/seeded_cache.py); anything that would make the data differ makes
another key, and a cache that cannot be used is ignored. The expected data is always a start without any cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import crmspec
import mock_server.app as app_module
from mock_server.app import MockApp
from mock_server.cli import build_parser
from mock_server.config import MockConfig
from mock_server.store import seeded_cache

RECORDS = 4


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRM_MOCK_CACHE", str(tmp_path))
    return tmp_path


def _start(dialect: str, seed: int = 3, records: int = RECORDS, cached: bool = True) -> MockApp:
    return MockApp(crmspec.load(dialect), MockConfig(seed=seed, records=records, seed_cache=cached))


def _no_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the records were generated, not copied from the cache")

    monkeypatch.setattr(app_module, "seed", refuse)


@pytest.mark.parametrize("dialect", ["revorbit", "concord"])
def test_a_second_start_copies_what_the_first_generated(dialect: str, cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cold = _start(dialect, cached=False).store.image()
    _start(dialect)  # generates, and keeps a copy
    assert len(list(cache.glob("seeded-*.sqlite3"))) == 1
    _no_generation(monkeypatch)
    warm = _start(dialect).store.image()
    assert (warm.records, warm.meta, warm.sequences) == (cold.records, cold.meta, cold.sequences)


def test_another_seed_another_count_or_another_day_is_another_key(cache: Path) -> None:
    sha = crmspec.load("revorbit").sha256
    files = {seeded_cache.cache_file(sha, 3, RECORDS), seeded_cache.cache_file(sha, 4, RECORDS),
             seeded_cache.cache_file(sha, 3, RECORDS + 1),
             seeded_cache.cache_file(sha, 3, RECORDS, dt.date.today() + dt.timedelta(days=1)),
             seeded_cache.cache_file(crmspec.load("concord").sha256, 3, RECORDS)}
    assert len(files) == 5 and all(f is not None and f.parent == cache for f in files)


def test_a_damaged_cache_file_is_ignored_and_the_records_generated(cache: Path) -> None:
    cold = _start("revorbit", cached=False).store.image()
    kept = seeded_cache.cache_file(crmspec.load("revorbit").sha256, 3, RECORDS)
    assert kept is not None
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(b"SQLite format 3\x00" + b"\x07" * 300)
    warm = _start("revorbit").store.image()
    assert (warm.records, warm.meta) == (cold.records, cold.meta)


def test_a_kept_file_that_is_not_what_its_key_promises_is_not_used(cache: Path) -> None:
    other_seed = _start("revorbit", seed=9)  # keeps seed 9's records ...
    kept_for_9 = seeded_cache.cache_file(crmspec.load("revorbit").sha256, 9, RECORDS)
    kept_for_3 = seeded_cache.cache_file(crmspec.load("revorbit").sha256, 3, RECORDS)
    assert kept_for_9 is not None and kept_for_3 is not None and other_seed.store.meta("seed") == "9"
    kept_for_3.write_bytes(kept_for_9.read_bytes())  # ... under seed 3's name
    assert _start("revorbit").store.image().records == _start("revorbit", cached=False).store.image().records


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_MOCK_CACHE", "off")
    monkeypatch.setattr(seeded_cache.Path, "home", lambda: tmp_path)
    _start("ysuite")
    assert not list(tmp_path.rglob("seeded-*"))


def test_serve_keeps_its_seeding_unless_told_not_to() -> None:
    parser = build_parser()
    assert parser.parse_args(["serve"]).seed_cache is True
    assert parser.parse_args(["serve", "--no-seed-cache"]).seed_cache is False
