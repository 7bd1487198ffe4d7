"""The GraphQL schema: types, inputs and root fields. Knows GraphQL, never SQL.

Each domain contributes its own root types; they are merged here into Query, Mutation and
Subscription, and its subscription specs into SPECS (used by the WebSocket fan-out).
"""

import strawberry
from strawberry.tools import merge_types

from schema import filing, messages, notifications, points, project_feed, reviews
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
        filing.FilingQuery,
        project_feed.ProjectFeedQuery,
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
