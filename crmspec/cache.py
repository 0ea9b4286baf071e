"""A cache of validated, resolved documents keyed by their content hash.

Only self-contained documents are cached (a document that $refs other files could change without
its own text changing). The cache lives in $CRM_CONFORMANCE_CACHE or ~/.cache/crm-conformance; a
cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

VERSION = "1"  # bump when the resolved form changes
_EXTERNAL_REF = re.compile(r"""\$ref['"]?\s*:\s*['"]?(?![\s#'"])""")  # a $ref to another file


def directory() -> Path:
    configured = os.environ.get("CRM_CONFORMANCE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "crm-conformance"


def cacheable(text: str) -> bool:
    return os.environ.get("CRM_CONFORMANCE_CACHE") != "off" and not _EXTERNAL_REF.search(text)


def _file(digest: str) -> Path:
    return directory() / f"document-{VERSION}-{digest}.json"


def get(digest: str) -> dict[str, Any] | None:
    try:
        value = json.loads(_file(digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def put(digest: str, document: dict[str, Any]) -> None:
    try:
        folder = directory()
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out)
        os.replace(temporary, _file(digest))
    except OSError:
        return
