"""The GraphQL schema: types, inputs and root fields. Knows GraphQL, never SQL.

Each domain contributes its own root types; they are merged here into Query, Mutation and
Subscription, and its subscription specs into SPECS (used by the WebSocket fan-out).

The order below is the order of the fields in the published SDL (schema.graphql), which API
clients diff: the first marketplace's fields come first, in the order they were published, then
each later domain's. Strawberry prints fields in declaration order, so reordering these lists
changes the printed contract.
"""

import strawberry
from graphql import GraphQLSchema
from strawberry.tools import merge_types

from schema import (
    acceptance,
    accounts,
    cameras,
    consultations,
    contracts,
    designs,
    enterprises,
    filing,
    jobs,
    matching,
    materials,
    messages,
    milestones,
    notifications,
    points,
    project_feed,
    projects,
    quotes,
    realtime,
    records,
    reviews,
    settlement,
)
from schema.common import SubscriptionSpec

Query = merge_types(
    "Query",
    (
        accounts.AccountsQuery,
        jobs.JobsQuery,
        matching.MatchingQuery,
        accounts.WorkerProfilesQuery,
        notifications.NotificationsQuery,
        records.RecordsQuery,
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
        realtime.RealtimeQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        accounts.AccountsMutation,
        jobs.JobsMutation,
        quotes.QuotesMutation,
        jobs.JobLifecycleMutation,
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
        quotes.QuotesSubscription,
        matching.MatchingSubscription,
        jobs.JobsSubscription,
        notifications.NotificationsSubscription,
        messages.MessagesSubscription,
        project_feed.ProjectFeedSubscription,
    ),
)
SPECS: dict[str, SubscriptionSpec] = {
    **quotes.SPECS,
    **matching.SPECS,
    **jobs.SPECS,
    **notifications.SPECS,
    **messages.SPECS,
    **project_feed.SPECS,
}

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

# The graphql-core schema strawberry built, which web/engine.py executes. Strawberry has no
# public accessor for it (0.341: Schema offers as_str, introspect, get_type_by_name, execute,
# subscribe; its maintainers point to `Schema._schema`, strawberry issue #2590), so this is the
# one place that reaches in.
graphql_schema: GraphQLSchema = schema._schema

__all__ = ["SPECS", "SubscriptionSpec", "graphql_schema", "schema"]
