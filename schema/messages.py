"""Conversations (job threads and project threads): threads, messages, sending, read markers
and the live message stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

import models
from realtime.events import Event
from resolvers import messages
from resolvers.context import Context
from schema.accounts import Worker, load_worker
from schema.common import (
    Connection,
    Customer,
    Info,
    Participant,
    ResumeCursor,
    ServedByTheFanout,
    SubscriptionSpec,
    connection,
)
from schema.jobs import Job
from schema.projects import Project


@strawberry.type(
    description="A conversation. A job thread is between a job's customer and one worker who "
    "quoted for it: only the two of them (and ADMIN, read-only) can see it; it has `job` and "
    "`worker`. A project thread is shared by every participant of a renovation project (ADMIN "
    "reads only); it has `project`."
)
class Thread:
    _thread: strawberry.Private[models.Thread]

    @classmethod
    def from_model(cls, thread: models.Thread) -> Thread:
        return cls(_thread=thread)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._thread.id))

    @strawberry.field(description="The job of a job thread; null for a project thread.")
    async def job(self, info: Info) -> Job | None:
        job = await messages.thread_job(info.context, self._thread)
        return None if job is None else Job.from_model(job)

    @strawberry.field(
        description="The project of a project thread; null for a job thread.",
    )
    async def project(self, info: Info) -> Project | None:
        project = await messages.thread_project(info.context, self._thread)
        return None if project is None else Project.from_model(project)

    @strawberry.field(description="The job's customer, or the project's customer.")
    async def customer(self, info: Info) -> Customer:
        user = await messages.thread_user(info.context, self._thread.customer_id)
        return Customer.from_model(user)

    @strawberry.field(description="The quoting worker of a job thread; null for a project thread.")
    async def worker(self, info: Info) -> Worker | None:
        if self._thread.worker_id is None:
            return None
        worker = await load_worker(info, self._thread.worker_id)
        assert worker is not None
        return worker

    @strawberry.field(description="When the last message was sent; null before any.")
    def last_message_at(self) -> datetime | None:
        return self._thread.last_message_at

    @strawberry.field(description="Messages from others you have not read yet (0 for ADMIN).")
    async def unread_count(self, info: Info) -> int:
        return await messages.unread_count(info.context, self._thread)

    @strawberry.field(
        description="Whether messages may still be sent. Job thread: while the job is OPEN, and "
        "in the hired worker's thread until the job is accepted. Project thread: until the "
        "project is cancelled (an ACCEPTED project's thread stays open for after-care)."
    )
    async def open(self, info: Info) -> bool:
        return await messages.is_open(info.context, self._thread)


@strawberry.type
class Message:
    _message: strawberry.Private[models.Message]

    @classmethod
    def from_model(cls, message: models.Message) -> Message:
        return cls(_message=message)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._message.id))

    @strawberry.field(description="Exactly as sent.")
    def text(self) -> str:
        return self._message.text

    @strawberry.field
    async def sender(self, info: Info) -> Participant:
        user = await messages.thread_user(info.context, self._message.sender_id)
        return Participant.from_model(user)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._message.created_at

    @strawberry.field
    async def thread(self, info: Info) -> Thread:
        return Thread.from_model(await messages.load_thread(info.context, self._message.thread_id))


@strawberry.type
class MessagesQuery:
    @strawberry.field(
        description="Your conversations (job threads you are a party to, and the opened "
        "threads of the projects you take part in), the one with the most recent message first "
        "(those without messages yet follow, newest first)."
    )
    async def threads(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Thread]:
        page = await messages.list_threads(info.context, first, after)
        return connection(page, Thread.from_model)

    @strawberry.field(description="One conversation you take part in.")
    async def thread(self, info: Info, id: strawberry.ID) -> Thread:
        return Thread.from_model(await messages.get_thread(info.context, id))

    @strawberry.field(
        description="The conversation of a renovation project, for its participants (ADMIN "
        "reads only); opened on first use."
    )
    async def project_thread(self, info: Info, project_id: strawberry.ID) -> Thread:
        return Thread.from_model(await messages.project_thread(info.context, project_id))

    @strawberry.field(description="A conversation's messages, newest first.")
    async def messages(
        self,
        info: Info,
        thread_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Message]:
        page = await messages.list_messages(info.context, thread_id, first, after)
        return connection(page, Message.from_model)


@strawberry.type
class MessagesMutation:
    @strawberry.mutation(
        description="Sends a message (1-4000 characters, stored verbatim) to the others in the "
        "conversation."
    )
    async def send_message(self, info: Info, thread_id: strawberry.ID, text: str) -> Message:
        return Message.from_model(await messages.send_message(info.context, thread_id, text))

    @strawberry.mutation(description="Marks every message of a conversation read for you.")
    async def mark_thread_read(self, info: Info, thread_id: strawberry.ID) -> Thread:
        return Thread.from_model(await messages.mark_thread_read(info.context, thread_id))


async def _root(ctx: Context, event: Event) -> Message | None:
    message = await messages.message_of_event(ctx, event)
    return Message.from_model(message) if message else None


SPECS = {
    "messageReceived": SubscriptionSpec(
        channel=lambda ctx, args: messages.message_received_channel(ctx, args["threadId"]),
        root=_root,
        audience=messages.message_audience,
        audience_roles=frozenset({models.Role.ADMIN}),
    )
}


@strawberry.type
class MessagesSubscription:
    @strawberry.subscription(
        description="New messages in a conversation, live (those who may read it)."
    )
    async def message_received(
        self, info: Info, thread_id: strawberry.ID, after: ResumeCursor = None
    ) -> AsyncGenerator[Message, None]:
        raise ServedByTheFanout("messageReceived")
        yield  # an async generator: strawberry reads the item type from it
