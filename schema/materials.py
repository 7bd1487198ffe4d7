"""Material plans and deliveries of a renovation project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

import models
from resolvers import materials, validation
from schema.common import Info, Participant
from schema.enums import DeliveryStatus
from schema.filing import ProjectRecord, filed_record


@strawberry.type(description="One line of a material plan; totalCents is computed by the server.")
class MaterialItem:
    name: str
    unit: str
    quantity: float
    unit_price_cents: int
    total_cents: int = strawberry.field(
        description="quantity x unitPriceCents, rounded half up to the cent."
    )


@strawberry.type(
    description="A filed material plan. The newest plan of a project is the one in force; each "
    "new plan is filed as the next version, superseding the one before."
)
class MaterialPlan:
    _plan: strawberry.Private[models.MaterialPlan]

    @classmethod
    def from_model(cls, plan: models.MaterialPlan) -> MaterialPlan:
        return cls(_plan=plan)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._plan.id))

    @strawberry.field(
        description=f"The plan's lines in order: the first `first` (all, at most "
        f"{materials.MAX_ITEMS}, by default)."
    )
    def items(self, first: int = materials.MAX_ITEMS) -> list[MaterialItem]:
        lines = self._plan.items[: validation.list_size(first, materials.MAX_ITEMS)]
        return [
            MaterialItem(
                name=line["name"],
                unit=line["unit"],
                quantity=line["quantity"],
                unit_price_cents=line["unitPriceCents"],
                total_cents=line["totalCents"],
            )
            for line in lines
        ]

    @strawberry.field(description="The sum of the line totals.")
    def total_cents(self) -> int:
        return self._plan.total_cents

    @strawberry.field
    async def currency(self, info: Info) -> str:
        project = await info.context.loaders.project_by_id.load(self._plan.project_id)
        return project.currency if project else "EUR"

    @strawberry.field(description="The version of the filed record (1 for the first plan).")
    async def version(self, info: Info) -> int:
        filed = await filed_record(info, self._plan.record_id)
        assert filed is not None
        return filed.version

    @strawberry.field
    async def budgeter(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._plan.budgeter_id)
        assert user is not None  # users are never deleted (ON DELETE RESTRICT)
        return Participant.from_model(user)

    @strawberry.field(description="The MATERIAL_PLAN record this plan was filed as.")
    async def record(self, info: Info) -> ProjectRecord:
        filed = await filed_record(info, self._plan.record_id)
        assert filed is not None
        return ProjectRecord.from_model(filed)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._plan.created_at


@strawberry.type
class DeliveryItem:
    name: str
    quantity: float


def _delivery_items(stored: list[dict[str, Any]]) -> list[DeliveryItem]:
    return [DeliveryItem(name=item["name"], quantity=item["quantity"]) for item in stored]


@strawberry.type(
    description="A delivery of planned materials: DISPATCHED, then DELIVERED, then RECEIVED "
    "or SHORTFALL (receipt confirmed with missing items)."
)
class MaterialDelivery:
    _delivery: strawberry.Private[models.MaterialDelivery]

    @classmethod
    def from_model(cls, delivery: models.MaterialDelivery) -> MaterialDelivery:
        return cls(_delivery=delivery)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._delivery.id))

    @strawberry.field
    def status(self) -> DeliveryStatus:
        return self._delivery.status

    @strawberry.field
    def carrier(self) -> str:
        return self._delivery.carrier

    @strawberry.field
    def tracking_number(self) -> str:
        return self._delivery.tracking_number

    @strawberry.field(
        description=f"The first `first` items (all, at most {materials.MAX_ITEMS}, by default)."
    )
    def items(self, first: int = materials.MAX_ITEMS) -> list[DeliveryItem]:
        size = validation.list_size(first, materials.MAX_ITEMS)
        return _delivery_items(self._delivery.items[:size])

    @strawberry.field(
        description="What was missing on a SHORTFALL (empty otherwise): the first `first` "
        f"(all, at most {materials.MAX_ITEMS}, by default)."
    )
    def missing_items(self, first: int = materials.MAX_ITEMS) -> list[DeliveryItem]:
        size = validation.list_size(first, materials.MAX_ITEMS)
        return _delivery_items((self._delivery.missing_items or [])[:size])

    @strawberry.field
    def confirmation_note(self) -> str | None:
        return self._delivery.confirmation_note

    @strawberry.field(description="The plan in force when the delivery was recorded.")
    async def plan(self) -> MaterialPlan | None:
        if self._delivery.plan_id is None:
            return None
        plan = self._delivery.plan
        if not isinstance(plan, models.MaterialPlan):  # not prefetched
            plan = await models.MaterialPlan.get(id=self._delivery.plan_id)
        return MaterialPlan.from_model(plan)

    @strawberry.field
    async def recorded_by(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._delivery.recorded_by_id)
        assert user is not None  # users are never deleted (ON DELETE RESTRICT)
        return Participant.from_model(user)

    @strawberry.field
    async def confirmed_by(self, info: Info) -> Participant | None:
        ident = self._delivery.confirmed_by_id
        user = await info.context.loaders.user_by_id.load(ident) if ident else None
        return Participant.from_model(user) if user else None

    @strawberry.field
    def dispatched_at(self) -> datetime:
        return self._delivery.dispatched_at

    @strawberry.field
    def delivered_at(self) -> datetime | None:
        return self._delivery.delivered_at

    @strawberry.field
    def confirmed_at(self) -> datetime | None:
        return self._delivery.confirmed_at


@strawberry.input
class MaterialItemInput:
    name: str
    unit: str
    quantity: float = strawberry.field(description="Greater than 0, at most 3 decimal places.")
    unit_price_cents: int


@strawberry.input(description="1-200 items with distinct names.")
class MaterialPlanInput:
    items: list[MaterialItemInput]


@strawberry.input
class DeliveryItemInput:
    name: str = strawberry.field(description="An item of the material plan in force.")
    quantity: float


@strawberry.input
class DeliveryInput:
    carrier: str
    tracking_number: str
    items: list[DeliveryItemInput]


def _items(items: list[DeliveryItemInput] | None) -> list[materials.DeliveryItem]:
    return [materials.DeliveryItem(item.name, item.quantity) for item in items or []]


@strawberry.type
class MaterialsQuery:
    @strawberry.field(
        description="The project's material plans, oldest first (the last one is in force): "
        f"the first `first` (all, at most {materials.MAX_PLANS_PER_PROJECT}, by default) after "
        "the plan id `after`."
    )
    async def material_plans(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int = materials.MAX_PLANS_PER_PROJECT,
        after: strawberry.ID | None = None,
    ) -> list[MaterialPlan]:
        size = validation.list_size(first, materials.MAX_PLANS_PER_PROJECT)
        plans = await materials.list_plans(info.context, project_id, size, after)
        return [MaterialPlan.from_model(plan) for plan in plans]

    @strawberry.field(
        description="The project's deliveries, oldest first: the first `first` (all, at most "
        f"{materials.MAX_DELIVERIES_PER_PROJECT}, by default) after the delivery id `after`."
    )
    async def deliveries(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int = materials.MAX_DELIVERIES_PER_PROJECT,
        after: strawberry.ID | None = None,
    ) -> list[MaterialDelivery]:
        size = validation.list_size(first, materials.MAX_DELIVERIES_PER_PROJECT)
        deliveries = await materials.list_deliveries(info.context, project_id, size, after)
        return [MaterialDelivery.from_model(delivery) for delivery in deliveries]


@strawberry.type
class MaterialsMutation:
    @strawberry.mutation(
        description="Material budgeter; project CONTRACTING, IN_PROGRESS or RECTIFYING: file a "
        "material plan. Line and plan totals are computed by the server in cents."
    )
    async def file_material_plan(
        self, info: Info, project_id: strawberry.ID, input: MaterialPlanInput
    ) -> MaterialPlan:
        items = [
            materials.PlanItem(item.name, item.unit, item.quantity, item.unit_price_cents)
            for item in input.items
        ]
        return MaterialPlan.from_model(await materials.file_plan(info.context, project_id, items))

    @strawberry.mutation(
        description="Supplier firm owner or material budgeter: record a dispatched delivery of "
        "items of the plan in force."
    )
    async def record_delivery(
        self, info: Info, project_id: strawberry.ID, input: DeliveryInput
    ) -> MaterialDelivery:
        new = materials.NewDelivery(input.carrier, input.tracking_number, _items(input.items))
        return MaterialDelivery.from_model(
            await materials.record_delivery(info.context, project_id, new)
        )

    @strawberry.mutation(description="Supplier side: DISPATCHED -> DELIVERED.")
    async def mark_delivery_delivered(
        self, info: Info, delivery_id: strawberry.ID
    ) -> MaterialDelivery:
        return MaterialDelivery.from_model(
            await materials.mark_delivered(info.context, delivery_id)
        )

    @strawberry.mutation(
        description="Project manager or customer: DELIVERED -> RECEIVED, or SHORTFALL when "
        "missingItems lists what did not arrive (the supplier side is notified)."
    )
    async def confirm_delivery_receipt(
        self,
        info: Info,
        delivery_id: strawberry.ID,
        missing_items: list[DeliveryItemInput] | None = None,
        note: str | None = None,
    ) -> MaterialDelivery:
        return MaterialDelivery.from_model(
            await materials.confirm_receipt(info.context, delivery_id, _items(missing_items), note)
        )
