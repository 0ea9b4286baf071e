"""What the conformance suite may touch on a server: only records it created in the same run.

`Snapshot.of(app)` records every row of the mock's store and every record as the API presents it
(derived values such as risk, scores and totals included); `Snapshot.changed_since(before)` lists each
record that existed before a run and is gone or different after it. Records created by the run are new
rows and are not compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Flask

from mock_server.app import mock_of
from tests.conftest import auth_headers


@dataclass(frozen=True)
class Snapshot:
    rows: dict[tuple[str, str], str]          # (table, row key) -> the row, as JSON
    presented: dict[tuple[str, str], str]     # (resource, id) -> the record a read answers, as JSON

    @classmethod
    def of(cls, app: Flask, credential: str) -> Snapshot:
        image = mock_of(app).store.image()  # everything the session holds, whichever backend holds it
        rows: dict[tuple[str, str], str] = {}
        for table, records in image.records.items():
            for key, doc in records:
                rows[(table, str(key))] = json.dumps(doc, sort_keys=True, default=str)
        for name, value in image.meta.items():
            rows[("meta", name)] = json.dumps(value)
        for seq, event in image.events:
            rows[("events", str(seq))] = json.dumps(event, sort_keys=True, default=str)
        return cls(rows, _presented(app, credential))

    def changed_since(self, before: Snapshot) -> list[str]:
        out = []
        for label, old, new in (("row", before.rows, self.rows), ("record", before.presented, self.presented)):
            for key, value in old.items():
                if key not in new:
                    out.append(f"{label} {key} is gone")
                elif new[key] != value:
                    out.append(f"{label} {key} changed: {value[:300]} -> {new[key][:300]}")
        return out


def _presented(app: Flask, credential: str) -> dict[tuple[str, str], str]:
    """Every stored record of every resource the API can read, as the API presents it."""
    mock = mock_of(app)
    api = mock.api
    client = app.test_client()
    headers = auth_headers(api, credential)
    out: dict[tuple[str, str], str] = {}
    for name, resource in api.dialect.resources.items():
        read = api.find(name, "read")
        if read is None or len(read.path_params) != 1:
            continue
        for record in mock.store.all(name):
            record_id = record.get(resource.id_field)
            path = api.dialect.base_path + read.path.replace("{" + read.path_params[0] + "}", str(record_id))
            answer = client.get(path, headers=headers)
            out[(name, str(record_id))] = json.dumps(answer.get_json(silent=True), sort_keys=True)
    return out
