"""Materials: the filed material plan, and deliveries against it.

Money is computed by the server, in integer cents:

- a quantity is taken as the decimal number it is written as (at most 3 decimal places, so
  2.5 m2 is exactly 2.5, never 2.4999...);
- a line total is quantity x unit price, rounded half up to the cent (2.5 x 333 = 832.5 ->
  833);
- the plan total is the sum of the line totals, so the lines always add up to the total.

Each plan is filed as the next version of the subject "material_plan"; the newest one is the
plan in force, and deliveries name items of it.

A delivery moves DISPATCHED -> DELIVERED (the supplier side) -> RECEIVED, or SHORTFALL when the
project manager or the customer lists missing items (the supplier side is then notified). Every
move is one conditional UPDATE on the status it leaves, so of two concurrent moves one wins and
the other gets INVALID_STATE.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from errors import BadUserInput, InvalidState, NotFound
from models import (
    DeliveryStatus,
    MaterialDelivery,
    MaterialPlan,
    Project,
    ProjectStatus,
    RecordKind,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.filing import file_project_record
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import oldest_first
from resolvers.policy import ProjectAction, require_user
from resolvers.project_feed import FeedKind, add_feed_entry, notify_participants, require_status
from resolvers.projects_access import authorized_project, locked_project, require_room

MAX_ITEMS = 200
MAX_QUANTITY = 1_000_000
QUANTITY_PLACES = 3
# The lists are returned whole, so they are bounded here.
MAX_PLANS_PER_PROJECT = 50
MAX_DELIVERIES_PER_PROJECT = 500

PLAN_STATUSES = (ProjectStatus.CONTRACTING, ProjectStatus.IN_PROGRESS, ProjectStatus.RECTIFYING)
# Goods already on their way may still arrive while the customer checks the finished work.
DELIVERY_STATUSES = (*PLAN_STATUSES, ProjectStatus.AWAITING_ACCEPTANCE)

# The legal moves of a delivery (one step each).
NEXT_STATUS: dict[DeliveryStatus, tuple[DeliveryStatus, ...]] = {
    DeliveryStatus.DISPATCHED: (DeliveryStatus.DELIVERED,),
    DeliveryStatus.DELIVERED: (DeliveryStatus.RECEIVED, DeliveryStatus.SHORTFALL),
    DeliveryStatus.RECEIVED: (),
    DeliveryStatus.SHORTFALL: (),
}


@dataclass(frozen=True)
class PlanItem:
    name: str
    unit: str
    quantity: float
    unit_price_cents: int


@dataclass(frozen=True)
class DeliveryItem:
    name: str
    quantity: float


@dataclass(frozen=True)
class NewDelivery:
    carrier: str
    tracking_number: str
    items: Sequence[DeliveryItem]


# --- Quantities and money ----------------------------------------------------------------------


def _quantity(value: float, field: str) -> Decimal:
    if not math.isfinite(value) or value <= 0:
        raise BadUserInput(f"{field} must be greater than 0.", field)
    if value > MAX_QUANTITY:
        raise BadUserInput(f"{field} must be at most {MAX_QUANTITY}.", field)
    exact = Decimal(repr(float(value)))  # the shortest decimal that reads back as `value`
    if -exact.as_tuple().exponent > QUANTITY_PLACES:  # type: ignore[operator]
        raise BadUserInput(f"{field} may have at most {QUANTITY_PLACES} decimal places.", field)
    return exact


def line_total_cents(quantity: Decimal, unit_price_cents: int) -> int:
    """quantity x unit price, rounded half up to the cent."""
    return int((quantity * unit_price_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _plain(quantity: Decimal) -> float:
    return float(quantity)


def _items(values: Sequence[Any], field: str) -> None:
    if not 1 <= len(values) <= MAX_ITEMS:
        raise BadUserInput(f"{field} must list between 1 and {MAX_ITEMS} items.", field)


def _name(value: str, field: str, seen: set[str]) -> str:
    name = validation.text(value, field, max_length=120).strip()
    if name.casefold() in seen:
        raise BadUserInput(f"{field} repeats {name!r}: list each item once.", field)
    seen.add(name.casefold())
    return name


def priced_items(items: Sequence[PlanItem]) -> tuple[list[dict[str, Any]], int]:
    """The plan's lines with their totals, and the plan total; BAD_USER_INPUT naming the
    field of the first problem."""
    _items(items, "items")
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"items[{index}]"
        name = _name(item.name, f"{at}.name", seen)
        unit = validation.text(item.unit, f"{at}.unit", max_length=20).strip()
        quantity = _quantity(item.quantity, f"{at}.quantity")
        price = validation.amount_cents(item.unit_price_cents, f"{at}.unitPriceCents")
        assert price is not None
        total = line_total_cents(quantity, price)
        if total > validation.MAX_AMOUNT_CENTS:
            raise BadUserInput(
                f"{at}: quantity x unitPriceCents must be at most "
                f"{validation.MAX_AMOUNT_CENTS} cents.",
                f"{at}.quantity",
            )
        lines.append(
            {
                "name": name,
                "unit": unit,
                "quantity": _plain(quantity),
                "unitPriceCents": price,
                "totalCents": total,
            }
        )
    plan_total = sum(line["totalCents"] for line in lines)
    if plan_total > validation.MAX_AMOUNT_CENTS:
        raise BadUserInput(
            f"The plan total must be at most {validation.MAX_AMOUNT_CENTS} cents.", "items"
        )
    return lines, plan_total


# --- Plans -------------------------------------------------------------------------------------


async def file_plan(ctx: Context, project_id: str, items: Sequence[PlanItem]) -> MaterialPlan:
    """The material budgeter files a plan; it supersedes the plan filed before (if any)."""
    await authorized_project(ctx, project_id, ProjectAction.FILE_MATERIAL_PLAN, fresh=True)
    lines, total = priced_items(items)
    async with ctx.write():
        user, project, _ = await locked_project(ctx, project_id, ProjectAction.FILE_MATERIAL_PLAN)
        require_status(project, *PLAN_STATUSES)
        held = await MaterialPlan.filter(project_id=project.id).count()
        require_room(project, held, MAX_PLANS_PER_PROJECT, "material plans")
        content = {
            "projectId": project.id,
            "currency": project.currency,
            "items": lines,
            "totalCents": total,
            "budgeterId": user.id,
            "supplierEnterpriseId": project.supplier_enterprise_id,
            "rounding": "line total = quantity x unitPriceCents, rounded half up to the cent; "
            "totalCents = sum of the line totals",
        }
        filed = await file_project_record(
            ctx, project, RecordKind.MATERIAL_PLAN, "material_plan", content, filed_by=user.id
        )
        plan = await MaterialPlan.create(
            project_id=project.id,
            budgeter_id=user.id,
            items=lines,
            total_cents=total,
            record_id=filed.id,
        )
        await notify_participants(
            ctx,
            project,
            NotificationKind.MATERIAL_PLAN_FILED,
            f"{project.title}: material plan filed",
            f"{user.display_name} filed a material plan of {len(lines)} item"
            f"{'s' if len(lines) > 1 else ''}, {_money(total, project.currency)}, as "
            f"{filed.filing_number}"
            + (
                f" (version {filed.version}, replacing the earlier plan)."
                if filed.version > 1
                else "."
            ),
            exclude=user.id,
            planId=plan.id,
            recordId=filed.id,
        )
    return plan


async def list_plans(
    ctx: Context, project_id: str, first: int, after: str | None = None
) -> list[MaterialPlan]:
    """The project's plans, oldest first (the last one is in force): the first `first` after
    the plan id `after`."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await oldest_first(MaterialPlan.filter(project_id=project.id), first, after)


# --- Deliveries --------------------------------------------------------------------------------


def _delivery_items(
    items: Sequence[DeliveryItem], field: str, allowed: dict[str, float] | None
) -> list[dict[str, Any]]:
    """[{name, quantity}] with each name known to `allowed` (name casefolded -> the most that
    may be named); None allows any name."""
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"{field}[{index}]"
        name = _name(item.name, f"{at}.name", seen)
        quantity = _quantity(item.quantity, f"{at}.quantity")
        if allowed is not None:
            most = allowed.get(name.casefold())
            if most is None:
                raise BadUserInput(f"{at}.name {name!r} is not an item of the delivery.", at)
            if quantity > Decimal(repr(most)):
                raise BadUserInput(
                    f"{at}.quantity must be at most {most:g}, the quantity delivered.",
                    f"{at}.quantity",
                )
        checked.append({"name": name, "quantity": _plain(quantity)})
    return checked


async def record_delivery(ctx: Context, project_id: str, new: NewDelivery) -> MaterialDelivery:
    """The supplier firm's owner or the material budgeter records a dispatched delivery of items
    of the plan in force."""
    await authorized_project(ctx, project_id, ProjectAction.RECORD_DELIVERY, fresh=True)
    carrier = validation.text(new.carrier, "carrier", max_length=80).strip()
    tracking = validation.text(new.tracking_number, "trackingNumber", max_length=80).strip()
    _items(new.items, "items")
    items = _delivery_items(new.items, "items", None)
    async with ctx.write():
        user, project, _ = await locked_project(ctx, project_id, ProjectAction.RECORD_DELIVERY)
        require_status(project, *PLAN_STATUSES)
        plan = await MaterialPlan.filter(project_id=project.id).order_by("-id").first()
        if plan is None:
            raise InvalidState(
                f"No material plan has been filed for project {project.id}; deliveries follow "
                "the filed plan.",
                status=project.status.value,
            )
        planned = {str(line["name"]).casefold(): str(line["name"]) for line in plan.items}
        for index, item in enumerate(items):
            if item["name"].casefold() not in planned:
                raise BadUserInput(
                    f"items[{index}].name {item['name']!r} is not an item of the material plan "
                    "in force.",
                    f"items[{index}].name",
                )
            item["name"] = planned[item["name"].casefold()]  # as the plan spells it
        held = await MaterialDelivery.filter(project_id=project.id).count()
        require_room(project, held, MAX_DELIVERIES_PER_PROJECT, "deliveries")
        delivery = await MaterialDelivery.create(
            project_id=project.id,
            plan_id=plan.id,
            recorded_by_id=user.id,
            carrier=carrier,
            tracking_number=tracking,
            items=items,
        )
        await _delivery_step(
            ctx,
            project,
            delivery,
            user,
            f"{user.display_name} dispatched {_count(items)} via {carrier} ({tracking})",
            await _receivers(ctx, project),
            "Confirm receipt once it has been delivered.",
        )
    return delivery


async def _authorized_delivery(
    ctx: Context, delivery_id: str, action: ProjectAction
) -> tuple[User, Project, MaterialDelivery]:
    """Inside a write: the delivery, its project locked, and the viewer allowed `action`;
    NOT_FOUND to anyone who may not see the project."""
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such delivery"
    ident = parse_id(delivery_id, "Delivery")
    delivery = await MaterialDelivery.get_or_none(id=ident)
    if delivery is None:
        raise NotFound("Delivery", delivery_id)
    try:
        user, project, _ = await locked_project(ctx, delivery.project_id, action)
    except NotFound:
        raise NotFound("Delivery", delivery_id) from None
    return user, project, delivery


async def _move(delivery: MaterialDelivery, to: DeliveryStatus, **fields: Any) -> MaterialDelivery:
    sources = [status for status, nexts in NEXT_STATUS.items() if to in nexts]
    moved = await MaterialDelivery.filter(id=delivery.id, status__in=sources).update(
        status=to, **fields
    )
    if not moved:
        current = await MaterialDelivery.get(id=delivery.id)
        raise InvalidState(
            f"Delivery {delivery.id} is {current.status.value}; this needs it to be "
            f"{' or '.join(s.value for s in sources)}.",
            status=current.status.value,
        )
    return await MaterialDelivery.get(id=delivery.id)


async def mark_delivered(ctx: Context, delivery_id: str) -> MaterialDelivery:
    """The supplier side reports the delivery arrived on site: DISPATCHED -> DELIVERED."""
    async with ctx.write():
        user, project, delivery = await _authorized_delivery(
            ctx, delivery_id, ProjectAction.RECORD_DELIVERY
        )
        require_status(project, *DELIVERY_STATUSES)
        delivery = await _move(delivery, DeliveryStatus.DELIVERED, delivered_at=datetime.now(UTC))
        await _delivery_step(
            ctx,
            project,
            delivery,
            user,
            f"Delivery {delivery.id} ({_count(delivery.items)}) arrived on site",
            await _receivers(ctx, project),
            "Check it and confirm receipt, listing anything missing.",
        )
    return delivery


async def confirm_receipt(
    ctx: Context,
    delivery_id: str,
    missing_items: Sequence[DeliveryItem] | None,
    note: str | None,
) -> MaterialDelivery:
    """The project manager or the customer confirms a DELIVERED delivery: RECEIVED, or
    SHORTFALL when items are missing (the supplier side is told what)."""
    note = validation.optional_text(note, "note", max_length=2000)
    async with ctx.write():
        user, project, delivery = await _authorized_delivery(
            ctx, delivery_id, ProjectAction.CONFIRM_DELIVERY
        )
        require_status(project, *DELIVERY_STATUSES)
        if delivery.status != DeliveryStatus.DELIVERED:  # the move below re-checks it
            raise InvalidState(
                f"Delivery {delivery.id} is {delivery.status.value}; receipt is confirmed once "
                "it is DELIVERED.",
                status=delivery.status.value,
            )
        if len(missing_items or ()) > MAX_ITEMS:
            raise BadUserInput(f"missingItems may list at most {MAX_ITEMS} items.", "missingItems")
        delivered = {
            str(item["name"]).casefold(): float(item["quantity"]) for item in delivery.items
        }
        missing = _delivery_items(missing_items or (), "missingItems", delivered)
        names = {str(item["name"]).casefold(): str(item["name"]) for item in delivery.items}
        for item in missing:
            item["name"] = names[item["name"].casefold()]
        to = DeliveryStatus.SHORTFALL if missing else DeliveryStatus.RECEIVED
        delivery = await _move(
            delivery,
            to,
            confirmed_by_id=user.id,
            confirmed_at=datetime.now(UTC),
            missing_items=missing,
            confirmation_note=note,
        )
        if missing:
            summary = f"{user.display_name} reported delivery {delivery.id} short: " + ", ".join(
                f"{item['quantity']:g} x {item['name']}" for item in missing
            )
            ask = (
                "Send the missing items: "
                + ", ".join(f"{item['quantity']:g} x {item['name']}" for item in missing)
                + "."
            )
        else:
            summary = f"{user.display_name} confirmed receipt of delivery {delivery.id}"
            ask = "Nothing is missing."
        if note:
            ask += f"\nNote: {note}"
        await _delivery_step(
            ctx, project, delivery, user, summary, await _supplier_side(ctx, project, delivery), ask
        )
    return delivery


async def list_deliveries(
    ctx: Context, project_id: str, first: int, after: str | None = None
) -> list[MaterialDelivery]:
    """The project's deliveries, oldest first, with the plan each followed: the first `first`
    after the delivery id `after`."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    deliveries = await oldest_first(MaterialDelivery.filter(project_id=project.id), first, after)
    await MaterialDelivery.fetch_for_list(deliveries, "plan")
    return deliveries


async def _receivers(ctx: Context, project: Project) -> set[int]:
    """Who confirms receipt: the project manager and the customer."""
    return {ident for ident in (project.project_manager_id, project.customer_id) if ident}


async def _supplier_side(ctx: Context, project: Project, delivery: MaterialDelivery) -> set[int]:
    """Who answers for a delivery: the supplier firm's owner, the material budgeter, and
    whoever recorded it."""
    ids = {project.material_budgeter_id, delivery.recorded_by_id}
    if project.supplier_enterprise_id is not None:
        supplier = await ctx.loaders.enterprise_by_id.load(project.supplier_enterprise_id)
        if supplier is not None:
            ids.add(supplier.owner_id)
    return {ident for ident in ids if ident is not None}


async def _delivery_step(
    ctx: Context,
    project: Project,
    delivery: MaterialDelivery,
    user: User,
    summary: str,
    recipients: set[int],
    ask: str,
) -> None:
    """The feed entry of a delivery step and the notifications of who acts next."""
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.DELIVERY_UPDATED,
        summary,
        actor_id=user.id,
        deliveryId=delivery.id,
        status=delivery.status.value,
    )
    for user_id in sorted(recipients - {user.id}):
        await notify(
            ctx,
            user_id,
            NotificationKind.DELIVERY_UPDATED,
            f"{project.title}: delivery {delivery.id} {delivery.status.value.lower()}",
            f"{summary}. {ask}",
            projectId=project.id,
            deliveryId=delivery.id,
            status=delivery.status.value,
        )


def _count(items: Sequence[dict[str, Any]]) -> str:
    return f"{len(items)} item{'s' if len(items) != 1 else ''}"


def _money(cents: int, currency: str) -> str:
    return f"{cents // 100:,}.{cents % 100:02d} {currency}"
