"""Filed records (numbered, hashed, versioned, verifiable) and the stored project feed: what a
participant reads, and the matrix of who may read it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from models import ProjectRecord
from tests.support.api import Api
from tests.support.filing import confirm_design
from tests.support.renovation import OUTSIDERS, PARTICIPANTS, Renovation

RECORDS = """query($id: ID!, $kind: RecordKind) { projectRecords(projectId: $id, kind: $kind) {
  id kind subject version supersedesId supersededById filingNumber content contentText sha256
  filedBy { id } filedAt } }"""
RECORD = "query($r: ID!) { projectRecord(id: $r) { id filingNumber } }"
VERIFY = """query($r: ID!, $h: String) { verifyProjectRecord(recordId: $r, sha256: $h) {
  valid storedSha256 computedSha256 expectedSha256 record { id } } }"""
EVENTS = """query($id: ID!, $first: Int, $after: String) {
  projectEvents(projectId: $id, first: $first, after: $after) {
    edges { cursor node { id kind summary actor { id } } } pageInfo { hasNextPage endCursor } } }"""


async def _records(scene: Renovation, kind: str | None = None) -> list[dict[str, Any]]:
    data = await scene.api.ok(RECORDS, {"id": scene.project_id, "kind": kind}, scene.customer)
    return data["projectRecords"]


async def test_a_filed_record_is_numbered_hashed_and_its_content_is_what_was_hashed(
    api: Api, app: Any
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    [contract] = await _records(scene, "CONTRACT")
    assert contract["subject"] == "contract" and contract["version"] == 1
    assert contract["supersedesId"] is None and contract["supersededById"] is None
    assert contract["filingNumber"] == f"P{scene.project_id}-0001"
    assert contract["sha256"] == hashlib.sha256(contract["contentText"].encode()).hexdigest()
    assert json.loads(contract["contentText"]) == contract["content"]
    # canonical JSON: sorted keys, no whitespace, so the text is reproducible from the content
    canonical = json.dumps(
        contract["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert canonical == contract["contentText"]
    assert contract["filedBy"]["id"] in {scene.customer.id, scene.decoration_owner.id}


async def test_a_change_files_a_new_version_that_points_to_the_one_it_replaces(
    api: Api, app: Any
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await confirm_design(scene, "First idea")
    await confirm_design(scene, "Second idea")
    first, second = await _records(scene, "DESIGN")
    assert (first["version"], second["version"]) == (1, 2)
    assert second["supersedesId"] == first["id"] and first["supersededById"] == second["id"]
    assert first["sha256"] != second["sha256"]
    numbers = [record["filingNumber"] for record in await _records(scene)]
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)  # numbered in filing order within the project
    # the first version is still exactly what was filed
    stored = await ProjectRecord.get(id=int(first["id"]))
    assert stored.content == first["contentText"]


async def test_verification_recomputes_the_hash_and_catches_tampering(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    [contract] = await _records(scene, "CONTRACT")
    ident, stored_hash = contract["id"], contract["sha256"]

    ok = (await api.ok(VERIFY, {"r": ident}, scene.supervisor))["verifyProjectRecord"]
    assert ok["valid"] and ok["computedSha256"] == ok["storedSha256"] == stored_hash
    upper = (await api.ok(VERIFY, {"r": ident, "h": stored_hash.upper()}, scene.customer))[
        "verifyProjectRecord"
    ]
    assert upper["valid"]  # hex case does not matter
    wrong = (await api.ok(VERIFY, {"r": ident, "h": "0" * 64}, scene.customer))[
        "verifyProjectRecord"
    ]
    assert not wrong["valid"] and wrong["expectedSha256"] == "0" * 64

    # someone edits the filed text behind the platform's back
    await ProjectRecord.filter(id=int(ident)).update(content=contract["contentText"] + " ")
    tampered = (await api.ok(VERIFY, {"r": ident}, scene.customer))["verifyProjectRecord"]
    assert not tampered["valid"]
    assert tampered["storedSha256"] == stored_hash != tampered["computedSha256"]


async def test_the_stored_feed_pages_newest_first(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    seen: list[int] = []
    after = None
    while True:
        data = await api.ok(
            EVENTS, {"id": scene.project_id, "first": 3, "after": after}, scene.supervisor
        )
        page = data["projectEvents"]
        seen += [int(edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) > 6
    code = await api.error_code(
        EVENTS, {"id": scene.project_id, "after": "not-a-cursor"}, scene.customer
    )
    assert code == "BAD_USER_INPUT"


OPERATIONS = {
    "projectRecords": (RECORDS, lambda scene, record_id: {"id": scene.project_id}),
    "projectRecord": (RECORD, lambda scene, record_id: {"r": record_id}),
    "verifyProjectRecord": (VERIFY, lambda scene, record_id: {"r": record_id}),
    "projectEvents": (EVENTS, lambda scene, record_id: {"id": scene.project_id}),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_matrix(api: Api, app: Any, operation: str) -> None:
    """Participants read; everyone else is told the project (or record) does not exist."""
    scene = await Renovation.build(api, app, contract=True)
    [contract] = await _records(scene, "CONTRACT")
    query, variables = OPERATIONS[operation]
    for name, actor in scene.actors().items():
        body = await api.call(query, variables(scene, contract["id"]), actor)
        if name in PARTICIPANTS:
            assert "errors" not in body, (name, body)
        else:
            expected = "UNAUTHENTICATED" if actor is None else "NOT_FOUND"
            assert name == "anonymous" or name in OUTSIDERS
            codes = [error["extensions"]["code"] for error in body["errors"]]
            assert codes == [expected], (name, body)
