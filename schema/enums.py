"""The domain enums, exposed to GraphQL by value."""

import strawberry

from models import enums

Role = strawberry.enum(enums.Role, description="ADMIN is never self-registered.")
ServiceCategory = strawberry.enum(enums.ServiceCategory)
JobStatus = strawberry.enum(enums.JobStatus)
QuoteStatus = strawberry.enum(enums.QuoteStatus)
