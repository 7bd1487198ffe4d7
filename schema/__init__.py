"""The GraphQL schema: types, inputs and root fields. Knows GraphQL, never SQL.

Each domain contributes its own root types; they are merged here into Query, Mutation and
Subscription, and its subscription specs into SPECS (used by the WebSocket fan-out).
"""

import strawberry
from strawberry.tools import merge_types

from schema import (
    acceptance,
    cameras,
    consultations,
    contracts,
    designs,
    enterprises,
    filing,
    materials,
    messages,
    milestones,
    notifications,
    points,
    project_feed,
    projects,
    reviews,
    settlement,
)
from schema.mutation import Mutation as CoreMutation
from schema.query import Query as CoreQuery
from schema.subscription import SPECS as CORE_SPECS
from schema.subscription import Subscription as CoreSubscription
from schema.subscription import SubscriptionSpec

Query = merge_types(
    "Query",
    (
        CoreQuery,
        notifications.NotificationsQuery,
        reviews.ReviewsQuery,
        messages.MessagesQuery,
        points.PointsQuery,
        enterprises.EnterprisesQuery,
        projects.ProjectsQuery,
        filing.FilingQuery,
        project_feed.ProjectFeedQuery,
        milestones.MilestonesQuery,
        cameras.CamerasQuery,
        contracts.ContractsQuery,
        designs.DesignsQuery,
        materials.MaterialsQuery,
        settlement.SettlementQuery,
        acceptance.AcceptanceQuery,
        consultations.ConsultationsQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CoreMutation,
        notifications.NotificationsMutation,
        reviews.ReviewsMutation,
        messages.MessagesMutation,
        points.PointsMutation,
        enterprises.EnterprisesMutation,
        projects.ProjectsMutation,
        milestones.MilestonesMutation,
        cameras.CamerasMutation,
        contracts.ContractsMutation,
        designs.DesignsMutation,
        materials.MaterialsMutation,
        settlement.SettlementMutation,
        acceptance.AcceptanceMutation,
        consultations.ConsultationsMutation,
    ),
)
Subscription = merge_types(
    "Subscription",
    (
        CoreSubscription,
        notifications.NotificationsSubscription,
        messages.MessagesSubscription,
        project_feed.ProjectFeedSubscription,
    ),
)
SPECS: dict[str, SubscriptionSpec] = {
    **CORE_SPECS,
    **notifications.SPECS,
    **messages.SPECS,
    **project_feed.SPECS,
}

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

__all__ = ["SPECS", "SubscriptionSpec", "schema"]
