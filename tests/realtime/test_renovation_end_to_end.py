"""A whole renovation through the API, as its users run it, with the live feed watched over
WebSocket by the customer (graphql-transport-ws) and the supervisor (legacy graphql-ws).

Registration and verification, the team, a signed and filed contract, a confirmed design, the
material plan and a delivery, five milestones with progress, a failed and a passed inspection,
staged releases from escrow (one held back until the second deposit), defects then acceptance,
and the evaluations. Every filed record verifies; the statement adds up; both followers saw
exactly the stored feed, in order, and nobody else could follow it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.support.api import Actor, Api
from tests.support.renovation import SIGN_CONTRACT, STAGES, Renovation, register_enterprise
from tests.support.websocket import LiveServer, WsClient

PROGRESS = """subscription($id: ID!, $after: ID) {
  projectProgress(projectId: $id, after: $after) { id kind summary data }
}"""
EVENTS = """query($id: ID!, $after: String) {
  projectEvents(projectId: $id, first: 100, after: $after) {
    edges { node { id kind } } pageInfo { hasNextPage endCursor }
  }
}"""
TOTAL = 4_000_000  # 40,000.00 CNY


class Story:
    """The renovation's users and the few calls every step needs."""

    def __init__(self, api: Api, scene: Renovation) -> None:
        self.api = api
        self.scene = scene
        self.project_id = scene.project_id

    async def do(self, actor: Actor, query: str, **variables: Any) -> Any:
        data = await self.api.ok(query, {"id": self.project_id, **variables}, actor)
        return next(iter(data.values()))

    async def refused(self, actor: Actor | None, query: str, **variables: Any) -> str:
        return await self.api.error_code(query, {"id": self.project_id, **variables}, actor)

    async def stored_feed(self) -> list[tuple[int, str]]:
        events: list[tuple[int, str]] = []
        after = None
        while True:
            page = await self.do(self.scene.customer, EVENTS, after=after)
            events += [(int(e["node"]["id"]), e["node"]["kind"]) for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return sorted(events)
            after = page["pageInfo"]["endCursor"]


class Follower:
    """One follower's socket and everything it has received, checked against the stored feed."""

    def __init__(self, client: WsClient, subscribed_after: int) -> None:
        self.client = client
        self.subscribed_after = subscribed_after  # the newest event stored when it subscribed
        self.seen: list[tuple[int, str]] = []

    async def catch_up(self, story: Story) -> None:
        """Receive until this follower has everything stored so far (and nothing more)."""
        stored = await story.stored_feed()
        last = self.seen[-1][0] if self.seen else self.subscribed_after
        for _ in [event for event in stored if event[0] > last]:
            event = (await self.client.next_data("feed"))["projectProgress"]
            self.seen.append((int(event["id"]), event["kind"]))


async def _milestone(story: Story, milestone: dict[str, Any], *, fail_first: bool) -> None:
    scene = story.scene
    report = """mutation($m: ID!, $p: Int!) {
      reportProgress(milestoneId: $m, input: {percent: $p, note: "On plan",
        photoUrls: ["https://photos.example.com/site.jpg"]}) { id } }"""
    ready = "mutation($m: ID!) { markMilestoneReady(milestoneId: $m) { status } }"
    inspect = """mutation($m: ID!, $ok: Boolean!, $f: String!) {
      inspectMilestone(milestoneId: $m, input: {passed: $ok, findings: $f,
        photoUrls: ["https://photos.example.com/i.jpg"]}) { passed record { version } } }"""
    approve = "mutation($m: ID!) { approveMilestone(milestoneId: $m) { status releasedAt } }"
    m = milestone["id"]
    for percent in (50, 100):
        await story.do(scene.project_manager, report, m=m, p=percent)
    assert (await story.do(scene.project_manager, ready, m=m))["status"] == "READY_FOR_INSPECTION"
    if fail_first:
        failed = await story.do(scene.supervisor, inspect, m=m, ok=False, f="Grout is cracked")
        assert failed == {"passed": False, "record": {"version": 1}}
        # the customer cannot approve what has not passed
        assert await story.refused(scene.customer, approve, m=m) == "INVALID_STATE"
        await story.do(scene.project_manager, report, m=m, p=100)
        await story.do(scene.project_manager, ready, m=m)
    passed = await story.do(scene.supervisor, inspect, m=m, ok=True, f="Done to standard")
    assert passed == {"passed": True, "record": {"version": 2 if fail_first else 1}}
    # only the customer approves; the supervisor passing it is not enough
    assert await story.refused(scene.supervisor, approve, m=m) == "FORBIDDEN"
    assert (await story.do(scene.customer, approve, m=m))["status"] == "APPROVED"


async def test_a_whole_renovation(live_server: LiveServer) -> None:
    api = live_server.api
    scene = await Renovation.build(api, live_server.app, team=False)
    story = Story(api, scene)

    # --- The library: four verified firms; a rejected one cannot be chosen -------------------
    rejected_owner = await api.register("ENTERPRISE_STAFF")
    rejected = await register_enterprise(api, rejected_owner, "DECORATION")
    await api.ok(
        'mutation($e: ID!) { verifyEnterprise(id: $e, approved: false, note: "Expired") { id } }',
        {"e": rejected},
        scene.admin,
    )
    library = await api.ok(
        '{ enterprises(city: "Berlin", first: 100) { edges { node { id } } } }',
        actor=scene.customer,
    )
    listed = {edge["node"]["id"] for edge in library["enterprises"]["edges"]}
    assert {firm.enterprise_id for firm in scene.firms.values()} <= listed
    assert rejected not in listed
    assign = """mutation($id: ID!, $input: ProjectTeamInput!) {
      assignProjectTeam(projectId: $id, input: $input) { status team { supervisor { id } } } }"""
    bad_team = {**scene.team_input(), "decorationEnterpriseId": rejected}
    assert await story.refused(scene.customer, assign, input=bad_team) == "NOT_FOUND"

    start = max(event_id for event_id, _ in await story.stored_feed())
    async with live_server.session("graphql-transport-ws", scene.customer) as customer_socket:
        # --- The customer follows the site (the supervisor once on the team); nobody else can --
        customer = Follower(customer_socket, start)
        await customer_socket.subscribe("feed", PROGRESS, {"id": story.project_id})
        await customer_socket.barrier()
        for outsider in (rejected_owner, *scene.outsiders.values(), None):
            async with live_server.session("graphql-transport-ws", outsider) as socket:
                await socket.subscribe("feed", PROGRESS, {"id": story.project_id})
                expected = "UNAUTHENTICATED" if outsider is None else "NOT_FOUND"
                assert await socket.refusal_code("feed") == expected

        # --- The team: from now on the supervisor is a participant and may follow --------------
        team = await story.do(scene.customer, assign, input=scene.team_input())
        assert team["status"] == "CONTRACTING"
        assert team["team"]["supervisor"]["id"] == scene.supervisor.id
        await customer.catch_up(story)
        joined = customer.seen[-1][0]
        async with live_server.session("graphql-ws", scene.supervisor) as supervisor_socket:
            supervisor = Follower(supervisor_socket, joined)
            await supervisor_socket.subscribe("feed", PROGRESS, {"id": story.project_id})
            await supervisor_socket.barrier()

            # --- Contract ----------------------------------------------------------------------
            contract = await story.do(
                scene.project_manager,
                """mutation($id: ID!, $input: ContractInput!) {
                  draftContract(projectId: $id, input: $input) { revision } }""",
                input={"totalCents": TOTAL, "stages": STAGES, "terms": "Per the design."},
            )
            for signer in (scene.customer, scene.decoration_owner):
                signed = await story.do(signer, SIGN_CONTRACT, revision=contract["revision"])
            assert signed["status"] == "FILED"
            milestones = await scene.milestones()
            assert [m["name"] for m in milestones] == [stage["name"] for stage in STAGES]
            assert sum(m["amountCents"] for m in milestones) == TOTAL

            # --- Design: two proposals, the customer confirms the second -----------------------
            propose = """mutation($id: ID!, $t: String!) {
              submitDesignProposal(projectId: $id, input: {title: $t, description: "Open plan",
                documentUrl: "https://docs.example.com/d.pdf", estimateCents: 3900000}) { id } }"""
            await story.do(scene.designer, propose, t="Scandinavian")
            chosen = await story.do(scene.designer, propose, t="Industrial")
            confirm = "mutation($p: ID!) { confirmDesignProposal(proposalId: $p) { status } }"
            assert (await story.do(scene.customer, confirm, p=chosen["id"]))["status"] == (
                "CONFIRMED"
            )
            await customer.catch_up(story)
            await supervisor.catch_up(story)
        # the supervisor went offline here; the site goes on without them

        # --- Materials: the plan, a delivery, receipt ------------------------------------------
        plan = await story.do(
            scene.material_budgeter,
            """mutation($id: ID!, $input: MaterialPlanInput!) {
              fileMaterialPlan(projectId: $id, input: $input) { totalCents } }""",
            input={
                "items": [
                    {"name": "Tiles", "unit": "m2", "quantity": 42.5, "unitPriceCents": 2999},
                    {"name": "Paint", "unit": "l", "quantity": 60, "unitPriceCents": 1250},
                ]
            },
        )
        assert plan["totalCents"] == 127_458 + 75_000  # 42.5 x 29.99 rounds half up
        delivery = await story.do(
            scene.supplier_owner,
            """mutation($id: ID!, $input: DeliveryInput!) {
              recordDelivery(projectId: $id, input: $input) { id status } }""",
            input={
                "carrier": "DHL Freight",
                "trackingNumber": "JD0146000012345",
                "items": [{"name": "Tiles", "quantity": 42.5}, {"name": "Paint", "quantity": 60}],
            },
        )
        delivered = "mutation($d: ID!) { markDeliveryDelivered(deliveryId: $d) { status } }"
        await story.do(scene.supplier_owner, delivered, d=delivery["id"])
        received = await story.do(
            scene.project_manager,
            "mutation($d: ID!) { confirmDeliveryReceipt(deliveryId: $d) { status } }",
            d=delivery["id"],
        )
        assert received["status"] == "RECEIVED"

        # --- A site camera and a snapshot; the first deposit ----------------------------------
        camera = await story.do(
            scene.project_manager,
            """mutation($id: ID!) { registerSiteCamera(projectId: $id, input: {name: "Kitchen",
                streamUrl: "rtsp://cams.example.com/kitchen"}) { id } }""",
        )
        await story.do(
            scene.project_manager,
            """mutation($c: ID!) { postCameraSnapshot(cameraId: $c, input: {
                imageUrl: "https://cams.example.com/k/1.jpg", takenAt: "2026-01-05T10:00:00Z",
                caption: "Tiling started"}) { id } }""",
            c=camera["id"],
        )
        deposit = """mutation($id: ID!, $a: Int!, $r: String!) {
          depositToEscrow(projectId: $id, input: {amountCents: $a, externalReference: $r}) {
            heldAfterCents } }"""
        await story.do(scene.customer, deposit, a=TOTAL // 2, r="bank-transfer-001")
        await customer.catch_up(story)

        # --- The supervisor comes back and resumes from the last event it saw ---------------
        async with live_server.session("graphql-ws", scene.supervisor) as supervisor_socket:
            supervisor.client = supervisor_socket
            after = str(supervisor.seen[-1][0])
            await supervisor_socket.subscribe(
                "feed", PROGRESS, {"id": story.project_id, "after": after}
            )
            await supervisor.catch_up(story)  # the replay of what it missed
            await supervisor_socket.barrier()

            # --- Five milestones; the second fails its first inspection -------------------------
            for milestone in milestones:
                await _milestone(story, milestone, fail_first=milestone["position"] == 2)
                if milestone["position"] == 3:
                    # 20 + 25 + 20 % exceeds the first deposit: stage 3 waits for money
                    statement = await _statement(story)
                    assert statement["releasedCents"] == TOTAL * 45 // 100
                    assert statement["pendingReleaseCents"] == TOTAL * 20 // 100
                    await story.do(scene.customer, deposit, a=TOTAL // 2, r="bank-transfer-002")
                    assert (await _statement(story))["pendingReleaseCents"] == 0
                await customer.catch_up(story)
                await supervisor.catch_up(story)

            # --- Acceptance: defects first, then accepted ----------------------------------------
            accept = """mutation($id: ID!, $input: AcceptanceInput!) {
              acceptProject(projectId: $id, input: $input) { status openDefects } }"""
            defects = await story.do(
                scene.customer,
                accept,
                input={"accepted": False, "defects": ["Scratch on the kitchen door"]},
            )
            assert defects == {
                "status": "RECTIFYING",
                "openDefects": ["Scratch on the kitchen door"],
            }
            await story.do(
                scene.project_manager,
                'mutation($id: ID!) { resolveDefects(projectId: $id, note: "Replaced") { id } }',
            )
            accepted = await story.do(scene.customer, accept, input={"accepted": True})
            assert accepted == {"status": "ACCEPTED", "openDefects": []}

            # --- Evaluations feed the library's ratings -------------------------------------
            for rating, firm in zip((5, 4, 5, 3), scene.firms.values(), strict=True):
                await story.do(
                    scene.customer,
                    """mutation($id: ID!, $e: ID!, $r: Int!) { evaluateEnterprise(projectId: $id,
                        enterpriseId: $e, rating: $r, comment: "Thanks") { id } }""",
                    e=firm.enterprise_id,
                    r=rating,
                )
            await story.do(
                scene.customer,
                "mutation($id: ID!) { evaluatePlatform(projectId: $id, rating: 5) { id } }",
            )
            await customer.catch_up(story)
            await supervisor.catch_up(story)

            # --- Both followers saw exactly the stored feed: no duplicate, no gap ----------------
            stored = await story.stored_feed()
            expected = [event for event in stored if event[0] > start]
            assert customer.seen == expected
            assert supervisor.seen == [event for event in stored if event[0] > joined]
            await customer_socket.expect_silence()
            await supervisor_socket.expect_silence()
    kinds = {kind for _, kind in expected}
    assert kinds >= {
        "TEAM_ASSIGNED",
        "CONTRACT_DRAFTED",
        "CONTRACT_SIGNED",
        "RECORD_FILED",
        "DESIGN_SUBMITTED",
        "DELIVERY_UPDATED",
        "CAMERA_REGISTERED",
        "SNAPSHOT_POSTED",
        "PROGRESS_REPORTED",
        "MILESTONE_STATUS_CHANGED",
        "INSPECTION_RECORDED",
        "PAYMENT_RECORDED",
        "PROJECT_STATUS_CHANGED",
        "EVALUATION_FILED",
    }

    # --- The money: everything deposited was released, stage by stage, once ---------------
    statement = await _statement(story)
    assert statement["depositedCents"] == statement["releasedCents"] == TOTAL
    assert statement["heldCents"] == statement["pendingReleaseCents"] == 0
    releases = [e["amountCents"] for e in statement["entries"] if e["kind"] == "RELEASE"]
    assert sorted(releases) == sorted(m["amountCents"] for m in milestones)

    # --- The library now shows the finished project and its ratings ---------------------------
    for rating, firm in zip((5, 4, 5, 3), scene.firms.values(), strict=True):
        data = await api.ok(
            "query($e: ID!) { enterprise(id: $e) { ratingAverage ratingCount completedProjects } }",
            {"e": firm.enterprise_id},
            scene.customer,
        )
        assert data["enterprise"] == {
            "ratingAverage": rating,
            "ratingCount": 1,
            "completedProjects": 1,
        }

    # --- The record: every filing verifies, by the server and by anyone holding the text ------
    records = await story.do(
        scene.supervisor,
        """query($id: ID!) { projectRecords(projectId: $id) {
            id kind subject version supersedesId contentText sha256 filingNumber } }""",
    )
    counts: dict[str, int] = {}
    for record in records:
        counts[record["kind"]] = counts.get(record["kind"], 0) + 1
        assert hashlib.sha256(record["contentText"].encode()).hexdigest() == record["sha256"]
        verified = await story.do(
            scene.customer,
            """query($r: ID!, $h: String) { verifyProjectRecord(recordId: $r, sha256: $h) {
                valid } }""",
            r=record["id"],
            h=record["sha256"],
        )
        assert verified == {"valid": True}
    assert counts == {
        "CONTRACT": 1,
        "DESIGN": 1,
        "MATERIAL_PLAN": 1,
        "INSPECTION_REPORT": 6,  # milestone 2 was inspected twice: version 2 supersedes 1
        "ACCEPTANCE": 1,
        "EVALUATION": 5,
    }
    reinspection = [r for r in records if r["kind"] == "INSPECTION_REPORT" and r["version"] == 2]
    assert len(reinspection) == 1 and reinspection[0]["supersedesId"] is not None
    assert len({r["filingNumber"] for r in records}) == len(records)


async def _statement(story: Story) -> dict[str, Any]:
    return await story.do(
        story.scene.customer,
        """query($id: ID!) { projectStatement(projectId: $id) {
            depositedCents releasedCents heldCents pendingReleaseCents
            entries { kind amountCents } } }""",
    )
