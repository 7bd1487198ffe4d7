# Chinese text keeps its full-width punctuation on purpose.
# ruff: noqa: RUF001
"""A renovation caught mid-way, so its live timeline has a bit of everything: the team
assigned, two design proposals (one confirmed and filed), the material plan and three
deliveries (received, short, in transit), the contract signed and filed, an escrow deposit,
the first milestone failed once, then passed, approved and released, the second under way,
a site camera with snapshots, the project thread, and a question to support. A second
customer's project is still being planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from demo.city import DISTRICTS, Person
from demo.scene import Scene, Step

TOTAL_CENTS = 38_000_000  # 380,000.00
STAGES = (
    ("水电改造 Plumbing & electrical", 20),
    ("泥瓦工程 Masonry & tiling", 25),
    ("木工 Carpentry", 20),
    ("油漆 Painting", 20),
    ("竣工验收 Completion", 15),
)
MATERIALS = (
    ("PPR 水管 PPR water pipe", "m", 180, 1_800),
    ("BV2.5 铜芯电线 Copper wire", "m", 600, 350),
    ("通体大理石瓷砖 600×1200 Porcelain tiles", "m2", 96.5, 18_800),
    ("实木复合地板 Engineered oak flooring", "m2", 45, 32_000),
    ("乳胶漆 Latex paint", "l", 120, 6_500),
)
PHOTOS = "https://photos.demo.fixhub.example/xuhui-renovation"

CREATE_PROJECT = "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }"
ASSIGN_TEAM = """mutation($id: ID!, $input: ProjectTeamInput!) {
  assignProjectTeam(projectId: $id, input: $input) { id } }"""
PROPOSE = """mutation($id: ID!, $input: DesignProposalInput!) {
  submitDesignProposal(projectId: $id, input: $input) { id } }"""
CONFIRM = "mutation($id: ID!) { confirmDesignProposal(proposalId: $id) { id } }"
PLAN = """mutation($id: ID!, $input: MaterialPlanInput!) {
  fileMaterialPlan(projectId: $id, input: $input) { id } }"""
DRAFT = """mutation($id: ID!, $input: ContractInput!) {
  draftContract(projectId: $id, input: $input) { revision } }"""
SIGN = """mutation($id: ID!, $revision: Int!) {
  signContract(projectId: $id, revision: $revision) { id } }"""
MILESTONES = "query($id: ID!) { milestones(projectId: $id) { id position } }"
DEPOSIT = """mutation($id: ID!, $input: DepositInput!) {
  depositToEscrow(projectId: $id, input: $input) { id } }"""
DELIVERY = """mutation($id: ID!, $input: DeliveryInput!) {
  recordDelivery(projectId: $id, input: $input) { id } }"""
DELIVERED = "mutation($id: ID!) { markDeliveryDelivered(deliveryId: $id) { id } }"
RECEIVED = """mutation($id: ID!, $missing: [DeliveryItemInput!], $note: String) {
  confirmDeliveryReceipt(deliveryId: $id, missingItems: $missing, note: $note) { id } }"""
CAMERA = """mutation($id: ID!, $input: SiteCameraInput!) {
  registerSiteCamera(projectId: $id, input: $input) { id } }"""
SNAPSHOT = """mutation($id: ID!, $input: SnapshotInput!) {
  postCameraSnapshot(cameraId: $id, input: $input) { id } }"""
REPORT = """mutation($id: ID!, $input: ProgressInput!) {
  reportProgress(milestoneId: $id, input: $input) { id } }"""
READY = "mutation($id: ID!) { markMilestoneReady(milestoneId: $id) { id } }"
INSPECT = """mutation($id: ID!, $input: InspectionInput!) {
  inspectMilestone(milestoneId: $id, input: $input) { id } }"""
APPROVE = "mutation($id: ID!) { approveMilestone(milestoneId: $id) { id } }"
PROJECT_THREAD = "query($id: ID!) { projectThread(projectId: $id) { id } }"
SEND = (
    "mutation($thread: ID!, $text: String!) { sendMessage(threadId: $thread, text: $text) { id } }"
)
CONSULT = "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { id } }"
ANSWER = """mutation($id: ID!, $text: String!) {
  replyToConsultation(consultationId: $id, text: $text) { id } }"""


def steps(scene: Scene) -> list[Step]:
    r = Renovation(scene)
    return [
        ("renovation: homeowner and project", r.project),
        ("renovation: a project still in planning", r.planning_project),
        ("renovation: team assigned", r.team),
        ("renovation: design proposals", r.design),
        ("renovation: material plan", r.materials),
        ("renovation: contract signed and filed", r.contract),
        ("renovation: escrow deposit", r.deposit),
        ("renovation: deliveries", r.deliveries),
        ("renovation: site camera", r.camera),
        ("renovation: first milestone, failed inspection", r.first_inspection),
        ("renovation: first milestone passed and released", r.second_inspection),
        ("renovation: second milestone under way", r.second_milestone),
        ("renovation: project thread", r.thread),
        ("renovation: a question to support", r.consultation),
    ]


class Renovation:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.gql = scene.gql
        self.project_id = ""
        self.milestones: list[str] = []

    def firm(self, kind: str) -> Any:
        return self.scene.ids["firms"][kind][0]

    async def do(self, query: str, who: str, **variables: Any) -> Any:
        return await self.gql.ok(query, variables, by=self.scene.key[who])

    async def project(self) -> None:
        home = self.scene.city.place(DISTRICTS[0])
        await self.scene.register(
            "CUSTOMER",
            Person("李娜 Li Na", "li.na"),
            local="homeowner",
            key="homeowner",
            home=home,
            sees="her renovation mid-way: timeline, contract, milestones, escrow, camera",
        )
        project = await self.do(
            CREATE_PROJECT,
            "homeowner",
            input={
                "title": "三室两厅全屋翻新 Full renovation of a three-bedroom flat",
                "address": home.address,
                "location": {"lat": home.lat, "lng": home.lng},
                "areaSqm": 118.5,
                "budgetCents": 42_000_000,
                "description": "1998年老房，水电全部重做，厨卫翻新，客厅改开放式。",
            },
        )
        self.project_id = project["id"]
        self.scene.ids["project"] = self.project_id
        self.scene.counts["projects"] += 1

    async def planning_project(self) -> None:
        customer = self.scene.ids["customers"][0]
        home = customer.details["home"]
        await self.gql.ok(
            CREATE_PROJECT,
            {
                "input": {
                    "title": "Kitchen and bathroom refit",
                    "address": home.address,
                    "location": {"lat": home.lat, "lng": home.lng},
                    "areaSqm": 64,
                    "budgetCents": 15_000_000,
                    "description": "Looking for a team; would like to start after Spring Festival.",
                }
            },
            by=customer,
        )
        self.scene.counts["projects"] += 1

    async def team(self) -> None:
        team = {
            "designEnterpriseId": self.firm("DESIGN").enterprise_id,
            "decorationEnterpriseId": self.firm("DECORATION").enterprise_id,
            "supervisionEnterpriseId": self.firm("SUPERVISION").enterprise_id,
            "supplierEnterpriseId": self.firm("MATERIAL_SUPPLIER").enterprise_id,
            "designerId": self.firm("DESIGN").member_id,
            "projectManagerId": self.firm("DECORATION").member_id,
            "supervisorId": self.firm("SUPERVISION").member_id,
            "materialBudgeterId": self.firm("MATERIAL_SUPPLIER").member_id,
        }
        await self.do(ASSIGN_TEAM, "homeowner", id=self.project_id, input=team)

    async def design(self) -> None:
        for title, estimate in (
            ("现代简约 Modern minimalist", 36_500_000),
            ("新中式 New Chinese", 39_800_000),
        ):
            proposal = await self.do(
                PROPOSE,
                "designer",
                id=self.project_id,
                input={
                    "title": title,
                    "description": "客厅与餐厅打通，厨房改为开放式，主卫干湿分离。",
                    "documentUrl": f"https://docs.demo.fixhub.example/design/{estimate}.pdf",
                    "estimateCents": estimate,
                },
            )
            self.scene.counts["design proposals"] += 1
        await self.do(CONFIRM, "homeowner", id=proposal["id"])

    async def materials(self) -> None:
        items = [
            {"name": name, "unit": unit, "quantity": quantity, "unitPriceCents": price}
            for name, unit, quantity, price in MATERIALS
        ]
        await self.do(PLAN, "budgeter", id=self.project_id, input={"items": items})

    async def contract(self) -> None:
        drafted = await self.do(
            DRAFT,
            "pm",
            id=self.project_id,
            input={
                "totalCents": TOTAL_CENTS,
                "stages": [{"name": name, "percent": percent} for name, percent in STAGES],
                "terms": "按确认的设计方案施工；质保两年，缺陷14天内整改。"
                "Work per the confirmed design; two-year warranty; defects fixed within 14 days.",
            },
        )
        for signer in ("homeowner", "decoration_owner"):
            await self.do(SIGN, signer, id=self.project_id, revision=drafted["revision"])
        milestones = await self.do(MILESTONES, "homeowner", id=self.project_id)
        self.milestones = [m["id"] for m in sorted(milestones, key=lambda m: m["position"])]

    async def deposit(self) -> None:
        await self.do(
            DEPOSIT,
            "homeowner",
            id=self.project_id,
            input={
                "amountCents": TOTAL_CENTS * 30 // 100,
                "externalReference": "ICBC-20261201-0381",
            },
        )

    async def deliveries(self) -> None:
        plan = {name: quantity for name, _, quantity, _ in MATERIALS}
        shipments = (
            ("顺丰速运 SF Express", "SF1402237781234", MATERIALS[:2], None),
            ("德邦物流 Deppon Logistics", "DPK300912817", MATERIALS[2:3], 6.5),
            ("京东物流 JD Logistics", "JDVB20261203881", MATERIALS[4:5], "in transit"),
        )
        for carrier, tracking, lines, outcome in shipments:
            items = [{"name": line[0], "quantity": plan[line[0]]} for line in lines]
            delivery = await self.do(
                DELIVERY,
                "supplier_owner",
                id=self.project_id,
                input={"carrier": carrier, "trackingNumber": tracking, "items": items},
            )
            self.scene.counts["deliveries"] += 1
            if outcome == "in transit":
                continue
            await self.do(DELIVERED, "budgeter", id=delivery["id"])
            if outcome is None:
                await self.do(RECEIVED, "pm", id=delivery["id"])
            else:
                await self.do(
                    RECEIVED,
                    "pm",
                    id=delivery["id"],
                    missing=[{"name": lines[0][0], "quantity": outcome}],
                    note="少了一箱瓷砖，已联系供应商补发。One box of tiles missing.",
                )

    async def camera(self) -> None:
        camera = await self.do(
            CAMERA,
            "pm",
            id=self.project_id,
            input={
                "name": "客厅 Living room",
                "streamUrl": "rtsp://cams.demo.fixhub.example/li-na/1",
            },
        )
        now = datetime.now(UTC).replace(microsecond=0)
        for hours, caption in ((26, "拆除完成 Demolition done"), (2, "水电开槽 Chasing for pipes")):
            await self.do(
                SNAPSHOT,
                "pm",
                id=camera["id"],
                input={
                    "imageUrl": f"{PHOTOS}/camera-{hours}.jpg",
                    "takenAt": (now - timedelta(hours=hours)).isoformat(),
                    "caption": caption,
                },
            )
            self.scene.counts["camera snapshots"] += 1

    async def report(self, milestone: str, percent: int, note: str) -> None:
        await self.do(
            REPORT,
            "pm",
            id=milestone,
            input={
                "percent": percent,
                "note": note,
                "photoUrls": [f"{PHOTOS}/progress-{percent}.jpg"],
            },
        )
        self.scene.counts["progress reports"] += 1

    async def inspect(self, milestone: str, passed: bool, findings: str) -> None:
        await self.do(
            INSPECT,
            "supervisor",
            id=milestone,
            input={
                "passed": passed,
                "findings": findings,
                "photoUrls": [f"{PHOTOS}/inspection.jpg"],
            },
        )
        self.scene.counts["inspections"] += 1

    async def first_inspection(self) -> None:
        first = self.milestones[0]
        await self.report(first, 40, "强电线路已开槽布管。Power circuits chased and piped.")
        await self.report(first, 100, "水电全部完成，打压测试0.8MPa。All pipes and wiring in.")
        await self.do(READY, "pm", id=first)
        await self.inspect(
            first, False, "卫生间两处接线盒未加盖；打压30分钟后压力下降。Two junction boxes open."
        )

    async def second_inspection(self) -> None:
        first = self.milestones[0]
        await self.report(
            first, 100, "接线盒已加盖，重新打压合格。Boxes covered, pressure test redone."
        )
        await self.do(READY, "pm", id=first)
        await self.inspect(first, True, "复检合格。Re-inspection passed.")
        await self.do(APPROVE, "homeowner", id=first)

    async def second_milestone(self) -> None:
        await self.report(
            self.milestones[1], 35, "卫生间防水完成，闭水试验48小时。Waterproofing done."
        )

    async def thread(self) -> None:
        thread = await self.do(PROJECT_THREAD, "homeowner", id=self.project_id)
        for who, text in (
            ("homeowner", "请问瓷砖缺的那一箱什么时候到？"),
            ("budgeter", "供应商说明天上午补发。Tomorrow morning."),
            ("pm", "Tiling starts Monday once the waterproofing test is signed off."),
            ("supervisor", "我周一上午过去看闭水试验结果。"),
            ("designer", "厨房吊柜的尺寸已经更新在图纸里了。"),
            ("homeowner", "Thanks everyone!"),
        ):
            await self.do(SEND, who, thread=thread["id"], text=text)
            self.scene.counts["messages"] += 1

    async def consultation(self) -> None:
        consultation = await self.do(
            CONSULT,
            "homeowner",
            input={
                "subject": "托管款什么时候释放？ When is escrow released?",
                "text": "第一阶段已经验收了，款项会自动打给装修公司吗？",
                "projectId": self.project_id,
            },
        )
        await self.do(
            ANSWER,
            "admin",
            id=consultation["id"],
            text="您批准里程碑后，托管款会按合同阶段自动释放。"
            "It is released stage by stage when you approve a milestone.",
        )
        self.scene.counts["consultations"] += 1
