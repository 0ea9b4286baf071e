"""Numbers at the edge of a double: every answer stays JSON.

Two deals worth 1.7e308 each are schema-valid, and their total overflows to inf, which json.dumps
writes as `Infinity`: not JSON, so no client could parse the Olympus deals list (found by the fuzz run).
responses.dumps now saturates such a total to the largest double. This sends the two deals to every API
and then calls every GET operation that needs no path parameter: each answer must parse as strict JSON.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Mock
from tests.integration.helpers import resolve

HUGE = 1.7e308
DEALS = {
    "revorbit": {"name": "Huge", "stage_id": 3, "value": HUGE},
    "olympus": {"name": "Huge", "stage": "lead", "value": HUGE, "probability": 50},
    "concord": {"name": "Huge", "stage_id": 1, "amount": HUGE},
    "ysuite": {"deal_name": "Huge", "pipeline_id": 1, "cstid": "$business", "deal_amount": HUGE},
}


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_totals_of_huge_amounts_stay_json(mock: Mock) -> None:
    for _ in range(2):
        response = mock.post("/deals", json=resolve(mock, DEALS[mock.dialect]))
        assert response.status_code < 300, response.get_data(as_text=True)
        _strict(response.get_data(as_text=True))
    called = 0
    for op in mock.api.operations:
        if op.method != "get" or op.path_params or op.mount != mock.api.dialect.base_path:
            continue
        response = mock.client.get(op.full_path, headers=mock.headers)
        assert response.status_code < 500, (str(op), response.get_data(as_text=True)[:300])
        if response.mimetype == "application/json":
            _strict(response.get_data(as_text=True))
        called += 1
    assert called >= 3
