"""What every part of the demo shares: the API, the city, the accounts made so far, the
counts for the summary, and the list of steps the progress bar walks through."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from demo.city import EMAIL_DOMAIN, City, Person, Place
from demo.client import Account, GraphQL, client_address

# The ADMIN is made first (as `server.py create-admin` makes one) and the newcomer is the
# last account registered: both there means an earlier run finished.
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
NEWCOMER_EMAIL = f"newcomer@{EMAIL_DOMAIN}"
DEFAULT_PASSWORD = "fixhub-demo-2026"


@dataclass(frozen=True)
class Size:
    customers: int  # besides the key customer and the renovating homeowner
    workers_per_category: int  # besides the key worker
    jobs_per_state: int


SIZES = {
    # Still every job state, category and firm kind: what the tests run.
    "small": Size(customers=3, workers_per_category=1, jobs_per_state=1),
    "default": Size(customers=16, workers_per_category=3, jobs_per_state=3),
    "large": Size(customers=40, workers_per_category=6, jobs_per_state=8),
}

Step = tuple[str, Callable[[], Awaitable[None]]]

REGISTER = """mutation($input: RegisterInput!) {
  register(input: $input) { token user { id } } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token user { id role } } }"""


@dataclass
class Scene:
    gql: GraphQL
    city: City
    password: str
    size: Size
    accounts: list[Account] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    # Named accounts and ids the later parts use ("customer", "worker", "pm", ...).
    key: dict[str, Account] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def admin(self) -> Account:
        return self.key["admin"]

    def next_address(self) -> str:
        return client_address(len(self.accounts))

    async def register(
        self,
        role: str,
        person: Person | None = None,
        *,
        local: str | None = None,
        key: str | None = None,
        sees: str = "",
        home: Place | None = None,
    ) -> Account:
        """A self-registered account (CUSTOMER, WORKER or ENTERPRISE_STAFF) through
        `register`; `key` names it for later parts and `sees` lists it in the summary."""
        person = person or self.city.person()
        email = self.city.email(local or person.email_local)
        account = Account(email, person.display_name, role, self.next_address(), sees=sees)
        data = await self.gql.ok(
            REGISTER,
            {
                "input": {
                    "email": email,
                    "password": self.password,
                    "displayName": person.display_name,
                    "role": role,
                }
            },
            by=account,
        )
        account.id, account.token = data["user"]["id"], data["token"]
        if home is not None:
            account.details["home"] = home
        self.accounts.append(account)
        self.counts[f"accounts: {role}"] += 1
        if key is not None:
            self.key[key] = account
        return account

    async def sign_in_admin(self, name: str) -> Account:
        """The ADMIN made by create-admin, signed in through `login` like anyone else."""
        account = Account(
            ADMIN_EMAIL,
            name,
            "ADMIN",
            self.next_address(),
            sees="the whole platform: enterprise verification, rewards, points, support",
        )
        data = await self.gql.ok(
            LOGIN, {"email": ADMIN_EMAIL, "password": self.password}, by=account
        )
        account.id, account.token = data["user"]["id"], data["token"]
        self.accounts.append(account)
        self.counts["accounts: ADMIN"] += 1
        self.key["admin"] = account
        return account
