"""`Renovation.build` on a pristine database copies in a scene built once per run
(tests/support/snapshots.py): the copy must be the scene, working as the API built it."""

from __future__ import annotations

from typing import Any

import pytest

from models import Enterprise, Milestone, Project, User
from tests.support import snapshots
from tests.support.api import Api
from tests.support.renovation import Renovation

PROJECT = """query($id: ID!) { project(id: $id) { id status customer { id } } }"""


@pytest.mark.parametrize(("team", "contract"), [(False, False), (True, False), (True, True)])
async def test_a_copied_scene_is_the_scene_the_api_builds(
    api: Api, app: Any, team: bool, contract: bool
) -> None:
    assert await snapshots.usable_snapshot(app, team, contract) is not None
    scene = await Renovation.build(api, app, team=team, contract=contract)

    # Every actor signs in with its token as the role it was given.
    for name, actor in scene.actors().items():
        if actor is None:
            continue
        me = (await api.ok("{ me { id role } }", actor=actor))["me"]
        assert me == {"id": actor.id, "role": actor.role}, name
    project = (await api.ok(PROJECT, {"id": scene.project_id}, scene.customer))["project"]
    assert project["customer"] == {"id": scene.customer.id}
    assert await Enterprise.all().count() == 4
    assert len(await scene.milestones()) == (5 if contract else 0)
    assert await Milestone.all().count() == (5 if contract else 0)

    # The id sequences continue after the copied rows: new rows never collide.
    newcomer = await api.register("CUSTOMER")
    assert int(newcomer.id) == await User.all().count()
    # A second scene in the same database is built through the API.
    assert await snapshots.usable_snapshot(app, team, contract) is None
    second = await Renovation.build(api, app, team=team, contract=contract)
    assert second.project_id != scene.project_id
    assert await Project.all().count() == 2
    # ... and stands where the copy stands.
    built = (await api.ok(PROJECT, {"id": second.project_id}, second.customer))["project"]
    assert built["status"] == project["status"]
    assert len(await second.milestones()) == len(await scene.milestones())


async def test_each_test_gets_its_own_copy_of_the_actors(api: Api, app: Any) -> None:
    snapshot = await snapshots.usable_snapshot(app, True, False)
    assert snapshot is not None
    scene = await Renovation.build(api, app)
    scene.outsiders["worker"].token = "changed by this test"
    scene.firms["DESIGN"].person.email = "changed@example.com"
    assert snapshot.scene["outsiders"]["worker"].token != "changed by this test"
    assert snapshot.scene["firms"]["DESIGN"].person.email != "changed@example.com"
