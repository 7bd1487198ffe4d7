"""Root mutation fields: each converts its input, calls one use case, wraps the result."""

from __future__ import annotations

import strawberry

from models import JobStatus as ModelJobStatus
from models import Role as ModelRole
from models import ServiceCategory as ModelCategory
from resolvers import accounts, jobs, quotes
from schema.inputs import PostJobInput, RegisterInput, SubmitQuoteInput, WorkerProfileInput
from schema.types import AuthPayload, DateTimeArg, Info, Job, Quote, User, Worker


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        auth = await accounts.register(
            info.context,
            input.email,
            input.password,
            input.display_name,
            ModelRole(input.role.value),
        )
        return AuthPayload(token=auth.token, user=User.from_model(auth.user))

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        auth = await accounts.login(info.context, email, password)
        return AuthPayload(token=auth.token, user=User.from_model(auth.user))

    @strawberry.mutation
    async def update_worker_profile(self, info: Info, input: WorkerProfileInput) -> Worker:
        profile = await accounts.update_worker_profile(
            info.context,
            accounts.WorkerProfileChange(
                categories=[ModelCategory(c.value) for c in input.categories],
                lat=input.location.lat,
                lng=input.location.lng,
                service_radius_km=input.service_radius_km,
                bio=input.bio,
                available=input.available,
            ),
        )
        viewer = info.context.viewer
        assert viewer is not None
        return Worker.from_model(viewer, profile)

    @strawberry.mutation
    async def post_job(self, info: Info, input: PostJobInput) -> Job:
        job = await jobs.post_job(
            info.context,
            jobs.NewJob(
                category=ModelCategory(input.category.value),
                title=input.title,
                description=input.description,
                lat=input.location.lat,
                lng=input.location.lng,
                address=input.address,
                budget_min_cents=input.budget_min_cents,
                budget_max_cents=input.budget_max_cents,
                preferred_start=input.preferred_start,
                preferred_end=input.preferred_end,
            ),
        )
        return Job.from_model(job)

    @strawberry.mutation
    async def submit_quote(self, info: Info, input: SubmitQuoteInput) -> Quote:
        quote = await quotes.submit_quote(
            info.context, input.job_id, input.amount_cents, input.message, input.earliest_start
        )
        return Quote.from_model(quote)

    @strawberry.mutation
    async def withdraw_quote(self, info: Info, quote_id: strawberry.ID) -> Quote:
        return Quote.from_model(await quotes.withdraw_quote(info.context, quote_id))

    @strawberry.mutation(description="The customer hires the quote's worker.")
    async def accept_quote(self, info: Info, quote_id: strawberry.ID) -> Job:
        return Job.from_model(await quotes.accept_quote(info.context, quote_id))

    @strawberry.mutation(description="The hired worker books (or re-books) a time.")
    async def schedule_job(
        self, info: Info, job_id: strawberry.ID, scheduled_at: DateTimeArg
    ) -> Job:
        return Job.from_model(await jobs.schedule_job(info.context, job_id, scheduled_at))

    @strawberry.mutation(description="The hired worker starts the work.")
    async def start_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.move_job(info.context, job_id, ModelJobStatus.IN_PROGRESS))

    @strawberry.mutation(description="The hired worker reports the work done.")
    async def complete_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.move_job(info.context, job_id, ModelJobStatus.COMPLETED))

    @strawberry.mutation(description="The customer accepts the completed work.")
    async def accept_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.accept_job(info.context, job_id))

    @strawberry.mutation(description="The customer cancels, before the work started.")
    async def cancel_job(self, info: Info, job_id: strawberry.ID, reason: str) -> Job:
        return Job.from_model(await jobs.cancel_job(info.context, job_id, reason))
