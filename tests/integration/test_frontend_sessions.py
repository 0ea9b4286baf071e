"""X-Mock-Session isolation, and the admin endpoints that act on a session: reset, reseed, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Mock
from tests.integration.frontend import SESSION, in_session, main_resource
from tests.integration.helpers import all_records, assert_error_envelope, record_of, resolve
from tests.integration.pages import PAGES


def test_two_sessions_never_see_each_other_s_records(mock: Mock) -> None:
    resource = main_resource(mock)
    path, name_field = resource["path"], resource["name_field"]
    seeded = all_records(mock, path)
    alice, bob = in_session(mock, "alice"), in_session(mock, "bob")
    assert all_records(alice, path) == seeded == all_records(bob, path)  # each starts from the same seed

    for view, name in ((alice, "Made by Alice"), (bob, "Made by Bob")):
        created = view.post(path, json={**resolve(mock, resource["create"]), name_field: name})
        assert created.status_code == PAGES[mock.dialect].create_status, created.get_json()

    def names(view: Mock) -> set[str]:
        return {r[name_field] for r in all_records(view, path)} - {r[name_field] for r in seeded}

    assert names(alice) == {"Made by Alice"}
    assert names(bob) == {"Made by Bob"}
    assert names(mock) == set()
    assert len(all_records(alice, path)) == len(seeded) + 1


def test_a_bad_session_name_is_a_client_error(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    response = mock.get("/deals", headers={**mock.headers, SESSION: "../etc/passwd"})
    assert "session name" in assert_error_envelope(mock, response, 400)["message"]


def test_reset_goes_back_to_the_seed_and_reseed_builds_another(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    seeded = all_records(mock, "/deals")
    mock.post("/deals", json={"name": "Scratch", "stage_id": 1})
    mock.delete(f"/deals/{seeded[0]['id']}")
    assert all_records(mock, "/deals") != seeded

    reset = mock.client.post("/__mock/reset")
    assert reset.status_code == 200 and reset.get_json() == {"session": "default", "seed": 42, "records": 20}
    assert all_records(mock, "/deals") == seeded

    reseeded = mock.client.post("/__mock/reseed", json={"seed": 9, "records": 7})
    assert reseeded.get_json() == {"session": "default", "seed": 9, "records": 7}
    expected = all_records(make_mock("revorbit", seed=9, records=7), "/deals")
    assert all_records(mock, "/deals") == expected

    # a session's reset leaves the other states alone
    carol = in_session(mock, "carol")
    carol.post("/deals", json={"name": "Carol's", "stage_id": 1})
    mock.client.post("/__mock/reset", headers={SESSION: "carol"})
    assert all_records(carol, "/deals") == seeded
    assert all_records(mock, "/deals") == expected

    bad = mock.client.post("/__mock/reseed", json={"records": -1})
    assert "records" in assert_error_envelope(mock, bad, 422)["errors"]


def test_snapshot_and_restore_round_trip(make_mock: Callable[..., Mock], tmp_path: Path) -> None:
    # in memory, and as files (what several gunicorn workers share)
    for runtime_dir in (None, str(tmp_path / "runtime")):
        mock = make_mock("concord", runtime_dir=runtime_dir)
        dave = in_session(mock, "dave")
        before = all_records(dave, "/deals")
        taken = mock.client.post("/__mock/snapshots", json={"name": "before"}, headers={SESSION: "dave"})
        assert taken.status_code == 201 and taken.get_json()["name"] == "before"

        made = record_of(dave, dave.post("/deals", json={"name": "Temporary", "stage_id": 1}))
        dave.delete(f"/deals/{before[0]['id']}")
        assert all_records(dave, "/deals") != before

        listed = mock.client.get("/__mock/snapshots", headers={SESSION: "dave"}).get_json()
        assert [s["name"] for s in listed["snapshots"]] == ["before"]
        assert mock.client.get("/__mock/snapshots").get_json()["snapshots"] == []  # the default session has none

        restored = mock.client.post("/__mock/snapshots/before/restore", headers={SESSION: "dave"})
        assert restored.status_code == 200
        assert all_records(dave, "/deals") == before
        assert dave.get(f"/deals/{made['id']}").status_code == 404

        missing = mock.client.post("/__mock/snapshots/nope/restore", headers={SESSION: "dave"})
        assert "before" in assert_error_envelope(mock, missing, 404)["message"]
        if runtime_dir is not None:
            assert (Path(runtime_dir) / "sessions" / "dave.sqlite3").is_file()
            assert (Path(runtime_dir) / "snapshots" / "dave" / "before.sqlite3").is_file()
        assert mock.client.delete("/__mock/snapshots/before", headers={SESSION: "dave"}).status_code == 204
        assert mock.client.get("/__mock/snapshots", headers={SESSION: "dave"}).get_json()["snapshots"] == []
