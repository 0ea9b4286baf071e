"""Every endpoint the vendor pages document is declared in the dialect's OpenAPI document.

The expected endpoints live in tests/data/endpoints.yaml, written by hand from the seed pages and the
endpoint tables of dialects.md section 1. A document may declare more endpoints than listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

import crmspec
from crmspec.loader import DOCUMENTS, DOCUMENTS_DIR

DATA = Path(__file__).resolve().parent.parent / "data" / "endpoints.yaml"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
DIALECTS = ("revorbit", "olympus", "concord", "ysuite")


def _expected() -> dict[str, list[tuple[str, str, str | None]]]:
    """dialect -> [(METHOD, path, mount or None)]"""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for dialect, entries in raw.items():
        rows = []
        for entry in entries:
            spec = entry if isinstance(entry, dict) else {"endpoint": entry}
            method, path = spec["endpoint"].split(" ", 1)
            rows.append((method, path, spec.get("mount")))
        out[dialect] = rows
    return out


EXPECTED = _expected()


def _declared(dialect: str) -> tuple[set[tuple[str, str]], str, dict[str, Any], str | None]:
    """(METHOD, full path) pairs the document declares, its base path, its raw paths, and a note when
    crmspec.load() failed and the raw YAML was read instead."""
    try:
        api = crmspec.load(dialect)
    except crmspec.CrmSpecError as exc:
        note = f"crmspec.load failed ({exc}); endpoints read from the raw YAML instead"
        path = DOCUMENTS_DIR / DOCUMENTS[dialect]
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            pytest.fail(f"{dialect}: {note}, which cannot be read either: {err}")
        if not isinstance(raw, dict):
            pytest.fail(f"{dialect}: {note}, which is not a mapping")
        base = str((raw.get("x-crm-dialect") or {}).get("base_path", ""))
        paths = raw.get("paths") or {}
        found = set()
        for route, item in paths.items():
            if not isinstance(item, dict):
                continue
            mount = base
            if item.get("servers"):
                mount = urlparse(str(item["servers"][0].get("url", ""))).path.rstrip("/")
            for method in item:
                if method.upper() in METHODS:
                    found.add((method.upper(), mount + route))
        return found, base, paths, note
    found = {(op.method.upper(), op.full_path) for op in api.operations}
    return found, api.dialect.base_path, api.document.get("paths") or {}, None


def test_endpoint_list_is_well_formed() -> None:
    assert set(EXPECTED) == set(DIALECTS)
    for dialect, rows in EXPECTED.items():
        seen = set()
        for method, path, mount in rows:
            assert method in METHODS, f"{dialect}: bad method {method!r}"
            assert path.startswith("/") and " " not in path, f"{dialect}: bad path {path!r}"
            assert mount is None or mount.startswith("/"), f"{dialect}: bad mount {mount!r}"
            assert (method, path, mount) not in seen, f"{dialect}: {method} {path} listed twice"
            seen.add((method, path, mount))


def test_endpoint_list_sizes() -> None:
    """The counts the brief and dialects.md give: RO 25 table rows + 7 resources x 5 + 4 extras;
    OC 21 table rows + login; CC 11 table rows + 3 resources x 5; YS 5 deal rows + 4 + 3."""
    assert {d: len(rows) for d, rows in EXPECTED.items()} == {
        "revorbit": 25 + 35 + 4,
        "olympus": 21 + 1,
        "concord": 11 + 15,
        "ysuite": 5 + 4 + 3,
    }


@pytest.mark.parametrize("dialect", DIALECTS)
def test_document_declares_every_documented_endpoint(dialect: str) -> None:
    found, base, _, note = _declared(dialect)
    wanted = {
        (m, (mount if mount is not None else base) + p): f"{m} {p}" for m, p, mount in EXPECTED[dialect]
    }
    missing = [label for key, label in wanted.items() if key not in found]
    if missing:
        extras = sorted(
            f"{m} {p[len(base):]}" if base and p.startswith(base + "/") else f"{m} {p} (full path)"
            for m, p in found - set(wanted)
        )
        lines = [
            f"{dialect}: {len(missing)} documented endpoint(s) missing (base path {base!r}):",
            *(f"  - {label}" for label in missing),
            f"the document declares these endpoints not in tests/data/endpoints.yaml ({len(extras)}):",
            *(f"  + {label}" for label in extras),
        ]
        if note:
            lines.insert(0, note)
        pytest.fail("\n".join(lines))


@pytest.mark.parametrize(
    ("dialect", "method", "path", "mount"),
    [(d, m, p, mount) for d, rows in EXPECTED.items() for m, p, mount in rows if mount is not None],
)
def test_off_base_endpoint_has_a_path_level_server(dialect: str, method: str, path: str, mount: str) -> None:
    """An endpoint outside the base path (Olympus POST /v1/auth/login) is declared with a path-level
    `servers` entry whose URL path is the mount."""
    _, base, paths, _ = _declared(dialect)
    candidates = {
        route: item for route, item in paths.items() if isinstance(item, dict) and method.lower() in item
    }
    item = candidates.get(path) or candidates.get(mount + path)
    assert item is not None, f"{dialect}: no path item for {method} {mount}{path}"
    servers = item.get("servers") or []
    assert servers, f"{dialect}: {method} {path} has no path-level servers (it is not under {base!r})"
    prefixes = {urlparse(str(s.get("url", ""))).path.rstrip("/") for s in servers}
    assert mount in prefixes or "" in prefixes, f"{dialect}: {method} {path} servers {sorted(prefixes)}"
