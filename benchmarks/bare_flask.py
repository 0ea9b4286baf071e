"""The ceiling for a Flask server: the same deals from a Python list, the same envelopes, no engine.

Serve it under the same WSGI servers as the mock (benchmarks/servers.py), with BENCH_DEALS=deals.json set:

    granian --interface wsgi --workers 2 --blocking-threads 1 --port PORT benchmarks.bare_flask:app
    gunicorn -w 2 -k sync -b 127.0.0.1:PORT benchmarks.bare_flask:app

BENCH_DEALS is a JSON array of deals exactly as the mock shows them (the harness pulls them from the
mock over HTTP, `risk` included). The app answers the three routes the benchmark drives, in Revenue
Orbit's shapes: GET /api/deals/<id> -> {"success": true, "data": deal}; GET /api/deals ->
{"data", "current_page", "last_page", "per_page", "total"} with stage_id, sort_by/sort_dir, page and
per_page; POST /api/deals -> 201 {"success": true, "data": deal, "message": ...}. It only checks that
an Authorization header is present (no JWT verification, no request validation, no SQL): a ceiling.
Each worker holds its own list, so a deal created in one worker is not seen by the other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from typing import Any

from flask import Flask, Response, request

SORT_KEYS = {"title": "name", "value": "value", "created_at": "created_at",
             "expected_close_date": "expected_close_date"}


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _unauthorized() -> Response:
    return _json(401, {"success": False, "message": "Unauthenticated."})


def build_app(deals: list[dict[str, Any]]) -> Flask:
    app = Flask("bare_flask")
    by_id = {d["id"]: d for d in deals}
    next_id = [max(by_id, default=0) + 1]

    @app.get("/api/deals/<int:deal_id>")
    def read(deal_id: int) -> Response:
        if "Authorization" not in request.headers:
            return _unauthorized()
        deal = by_id.get(deal_id)
        if deal is None:
            return _json(404, {"success": False, "message": "Deal not found."})
        return _json(200, {"success": True, "data": deal})

    @app.get("/api/deals")
    def listing() -> Response:
        if "Authorization" not in request.headers:
            return _unauthorized()
        args = request.args
        rows = deals
        if args.get("stage_id"):
            stage = int(args["stage_id"])
            rows = [d for d in rows if d.get("stage_id") == stage]
        field = SORT_KEYS.get(args.get("sort_by", "title"), "name")
        descending = args.get("sort_dir", "ASC") == "DESC"
        present = [d for d in rows if d.get(field) is not None]
        rows = sorted(present, key=lambda d: (d[field], d["id"]), reverse=descending) + [
            d for d in rows if d.get(field) is None
        ]
        size = int(args.get("per_page", 15))
        page = int(args.get("page", 1))
        window = rows[(page - 1) * size: page * size]
        return _json(200, {"data": window, "current_page": page, "last_page": max(1, math.ceil(len(rows) / size)),
                           "per_page": size, "total": len(rows)})

    @app.post("/api/deals")
    def create() -> Response:
        if "Authorization" not in request.headers:
            return _unauthorized()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("name") or body.get("stage_id") is None:
            return _json(422, {"success": False, "message": "The given data was invalid."})
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        deal = {"id": next_id[0], **body, "created_at": now, "updated_at": now}
        next_id[0] += 1
        deals.append(deal)
        by_id[deal["id"]] = deal
        return _json(201, {"success": True, "data": deal, "message": "Record created successfully"})

    return app


def _load() -> list[dict[str, Any]]:
    path = os.environ.get("BENCH_DEALS")
    if not path:
        return []
    with open(path, encoding="utf-8") as handle:
        loaded: list[dict[str, Any]] = json.load(handle)
    return loaded


app = build_app(_load())
