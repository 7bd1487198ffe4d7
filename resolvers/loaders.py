"""DataLoaders for every relation, built fresh per HTTP request and per subscription event so
no cached row outlives the operation that read it. Batch functions return in key order.

Domains keep their own loaders in a class of their own, reached through `Loaders.domain`, so
they share this lifetime without widening this class; `by_id` and `grouped_by` build the
common batch functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models import Enterprise, Job, JobMatch, Project, ProjectRecord, Quote, User, WorkerProfile

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=Model)
D = TypeVar("D")


def _in_key_order(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]) -> list[V | None]:
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def _loader(batch: Callable[[list[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
    return DataLoader(load_fn=batch)


def by_id(model: type[M]) -> DataLoader[int, M | None]:
    """A loader of `model` rows by primary key (None for a missing one)."""

    async def batch(ids: list[int]) -> list[M | None]:
        return _in_key_order(ids, await model.filter(id__in=ids), lambda row: row.pk)

    return _loader(batch)


def grouped_by(model: type[M], column: str, *order: str) -> DataLoader[int, list[M]]:
    """A loader of every `model` row whose `column` is the key, in `order` (default: by id)."""

    async def batch(keys: list[int]) -> list[list[M]]:
        grouped: dict[Any, list[M]] = defaultdict(list)
        for row in await model.filter(**{f"{column}__in": keys}).order_by(*(order or ("id",))):
            grouped[getattr(row, column)].append(row)
        return [grouped[key] for key in keys]

    return _loader(batch)


class Loaders:
    def __init__(self) -> None:
        self.user_by_id = by_id(User)
        self.worker_profile_by_user_id = _loader(self._profiles)
        self.job_by_id = by_id(Job)
        self.quote_by_id = by_id(Quote)
        self.quotes_by_job_id = grouped_by(Quote, "job_id")
        self.match_by_job_and_worker = _loader(self._matches)
        self.project_by_id = by_id(Project)
        self.enterprise_by_id = by_id(Enterprise)
        self.record_by_id = by_id(ProjectRecord)
        self.record_successor_by_id = _loader(self._record_successors)
        self._domains: dict[type, Any] = {}

    def domain(self, kind: type[D]) -> D:
        """This operation's instance of a domain's loader class, made on first use."""
        found = self._domains.get(kind)
        if found is None:
            found = self._domains[kind] = kind()
        return found

    @staticmethod
    async def _profiles(ids: list[int]) -> list[WorkerProfile | None]:
        rows = await WorkerProfile.filter(user_id__in=ids)
        return _in_key_order(ids, rows, lambda p: p.user_id)

    @staticmethod
    async def _matches(keys: list[tuple[int, int]]) -> list[JobMatch | None]:
        job_ids = sorted({job_id for job_id, _ in keys})
        worker_ids = sorted({worker_id for _, worker_id in keys})
        rows = await JobMatch.filter(job_id__in=job_ids, worker_id__in=worker_ids)
        return _in_key_order(keys, rows, lambda m: (m.job_id, m.worker_id))

    @staticmethod
    async def _record_successors(ids: list[int]) -> list[int | None]:
        rows = await ProjectRecord.filter(supersedes_id__in=ids).values_list("supersedes_id", "id")
        successors = dict(rows)
        return [successors.get(i) for i in ids]
