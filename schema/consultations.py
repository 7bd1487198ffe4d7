"""The consultation desk: a user's question to support, its answers and follow-ups."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import consultations, validation
from schema.common import Connection, Info, Participant, connection
from schema.enums import ConsultationStatus


@strawberry.input
class OpenConsultationInput:
    subject: str = strawberry.field(description="One line, 1-200 characters.")
    text: str = strawberry.field(description="The question, 1-4000 characters, kept verbatim.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project it is about: one you take part in."
    )


@strawberry.type(description="The question, or an answer or follow-up to it.")
class ConsultationEntry:
    _entry: strawberry.Private[models.ConsultationEntry]

    @classmethod
    def from_model(cls, entry: models.ConsultationEntry) -> ConsultationEntry:
        return cls(_entry=entry)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._entry.id))

    @strawberry.field(description="Exactly as written.")
    def text(self) -> str:
        return self._entry.text

    @strawberry.field
    async def author(self, info: Info) -> Participant:
        return Participant.from_model(
            await consultations.user_of(info.context, self._entry.author_id)
        )

    @strawberry.field(description="Written by support (ADMIN) rather than by the asker.")
    def from_support(self) -> bool:
        return self._entry.from_support

    @strawberry.field
    def created_at(self) -> datetime:
        return self._entry.created_at


@strawberry.type(
    description="A question to support. OPEN: waiting for support; ANSWERED: waiting for the "
    "asker; CLOSED: finished (no more replies). Only the asker and ADMIN see it."
)
class Consultation:
    _consultation: strawberry.Private[models.Consultation]

    @classmethod
    def from_model(cls, consultation: models.Consultation) -> Consultation:
        return cls(_consultation=consultation)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._consultation.id))

    @strawberry.field
    def subject(self) -> str:
        return self._consultation.subject

    @strawberry.field
    def status(self) -> ConsultationStatus:
        return self._consultation.status

    @strawberry.field(description="Who asked.")
    async def asker(self, info: Info) -> Participant:
        user = await consultations.user_of(info.context, self._consultation.user_id)
        return Participant.from_model(user)

    @strawberry.field(description="The project it is about, if the asker named one.")
    def project_id(self) -> strawberry.ID | None:
        ident = self._consultation.project_id
        return None if ident is None else strawberry.ID(str(ident))

    @strawberry.field(
        description="The question first, then every answer and follow-up: the first `first` "
        f"(all, at most {consultations.MAX_ENTRIES}, by default)."
    )
    async def entries(
        self, info: Info, first: int = consultations.MAX_ENTRIES
    ) -> list[ConsultationEntry]:
        size = validation.list_size(first, consultations.MAX_ENTRIES)
        rows = await consultations.entries(info.context, self._consultation)
        return [ConsultationEntry.from_model(row) for row in rows[:size]]

    @strawberry.field
    def last_entry_at(self) -> datetime:
        return self._consultation.last_entry_at

    @strawberry.field
    def closed_at(self) -> datetime | None:
        return self._consultation.closed_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self._consultation.created_at


@strawberry.type
class ConsultationsQuery:
    @strawberry.field(description="Your consultations (ADMIN: everyone's), newest first.")
    async def consultations(
        self,
        info: Info,
        status: ConsultationStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Consultation]:
        page = await consultations.list_consultations(info.context, status, first, after)
        return connection(page, Consultation.from_model)

    @strawberry.field(description="One of your consultations (ADMIN: any).")
    async def consultation(self, info: Info, id: strawberry.ID) -> Consultation:
        return Consultation.from_model(await consultations.get_consultation(info.context, id))


@strawberry.type
class ConsultationsMutation:
    @strawberry.mutation(description="Asks support a question; every ADMIN is notified.")
    async def open_consultation(self, info: Info, input: OpenConsultationInput) -> Consultation:
        return Consultation.from_model(
            await consultations.open_consultation(
                info.context, input.subject, input.text, input.project_id
            )
        )

    @strawberry.mutation(
        description="Support's answer (the consultation becomes ANSWERED and the asker is "
        "notified) or the asker's follow-up (OPEN again, support is notified)."
    )
    async def reply_to_consultation(
        self, info: Info, consultation_id: strawberry.ID, text: str
    ) -> Consultation:
        return Consultation.from_model(
            await consultations.reply_to_consultation(info.context, consultation_id, text)
        )

    @strawberry.mutation(
        description="Closes a consultation for good (the asker or ADMIN); the other side is "
        "notified."
    )
    async def close_consultation(self, info: Info, consultation_id: strawberry.ID) -> Consultation:
        return Consultation.from_model(
            await consultations.close_consultation(info.context, consultation_id)
        )
