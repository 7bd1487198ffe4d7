"""DataLoaders for every relation, built fresh per HTTP request and per subscription event so
no cached row outlives the operation that read it. Batch functions return in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from models import Enterprise, Job, JobMatch, Project, ProjectRecord, Quote, User, WorkerProfile

K = TypeVar("K")
V = TypeVar("V")


def _in_key_order(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]) -> list[V | None]:
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def _loader(batch: Callable[[list[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
    return DataLoader(load_fn=batch)  # type: ignore[arg-type]


class Loaders:
    def __init__(self) -> None:
        self.user_by_id = _loader(self._users)
        self.worker_profile_by_user_id = _loader(self._profiles)
        self.job_by_id = _loader(self._jobs)
        self.quote_by_id = _loader(self._quotes)
        self.quotes_by_job_id = _loader(self._quotes_by_job)
        self.match_by_job_and_worker = _loader(self._matches)
        self.project_by_id = _loader(self._projects)
        self.enterprise_by_id = _loader(self._enterprises)
        self.record_successor_by_id = _loader(self._record_successors)

    @staticmethod
    async def _users(ids: list[int]) -> list[User | None]:
        return _in_key_order(ids, await User.filter(id__in=ids), lambda u: u.id)

    @staticmethod
    async def _profiles(ids: list[int]) -> list[WorkerProfile | None]:
        rows = await WorkerProfile.filter(user_id__in=ids)
        return _in_key_order(ids, rows, lambda p: p.user_id)

    @staticmethod
    async def _jobs(ids: list[int]) -> list[Job | None]:
        return _in_key_order(ids, await Job.filter(id__in=ids), lambda j: j.id)

    @staticmethod
    async def _quotes(ids: list[int]) -> list[Quote | None]:
        return _in_key_order(ids, await Quote.filter(id__in=ids), lambda q: q.id)

    @staticmethod
    async def _quotes_by_job(job_ids: list[int]) -> list[list[Quote]]:
        grouped: dict[int, list[Quote]] = defaultdict(list)
        for quote in await Quote.filter(job_id__in=job_ids).order_by("id"):
            grouped[quote.job_id].append(quote)
        return [grouped[job_id] for job_id in job_ids]

    @staticmethod
    async def _matches(keys: list[tuple[int, int]]) -> list[JobMatch | None]:
        job_ids = sorted({job_id for job_id, _ in keys})
        worker_ids = sorted({worker_id for _, worker_id in keys})
        rows = await JobMatch.filter(job_id__in=job_ids, worker_id__in=worker_ids)
        return _in_key_order(keys, rows, lambda m: (m.job_id, m.worker_id))

    @staticmethod
    async def _projects(ids: list[int]) -> list[Project | None]:
        return _in_key_order(ids, await Project.filter(id__in=ids), lambda p: p.id)

    @staticmethod
    async def _enterprises(ids: list[int]) -> list[Enterprise | None]:
        return _in_key_order(ids, await Enterprise.filter(id__in=ids), lambda e: e.id)

    @staticmethod
    async def _record_successors(ids: list[int]) -> list[int | None]:
        rows = await ProjectRecord.filter(supersedes_id__in=ids).values_list("supersedes_id", "id")
        successors = dict(rows)
        return [successors.get(i) for i in ids]
