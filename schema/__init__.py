"""The GraphQL schema: types, inputs and root fields. Knows GraphQL, never SQL."""

import strawberry

from schema.mutation import Mutation
from schema.query import Query
from schema.subscription import SPECS, Subscription, SubscriptionSpec

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

__all__ = ["SPECS", "SubscriptionSpec", "schema"]
