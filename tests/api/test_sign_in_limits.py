"""Sign-in and registration limits against an attacker: counted before argon2 runs, so they
cannot be raced; a stranger's guesses lock out the stranger's address, not the owner."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest

import resolvers.accounts
from models import User
from settings import Settings
from tests.support.api import Api

LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { token user { email } } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { user { email } } }"""
PASSWORD = "correct horse battery"
WRONG = "wrong password"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.2"
# 100.5 s into a 300 s login window, and into a 3600 s account and registration window.
MOMENT = 3600 * 500_000 + 100.5


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every counter in one window, and retryAfterSeconds exact."""
    monkeypatch.setattr("resolvers.ratelimit.time", SimpleNamespace(time=lambda: MOMENT))


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Counts the calls of resolvers.accounts.<name> (argon2 verify_password or hash_password)."""
    calls: list[int] = []
    original: Callable[..., Awaitable[Any]] = getattr(resolvers.accounts, name)

    async def counted(*args: Any) -> Any:
        calls.append(1)
        return await original(*args)

    monkeypatch.setattr(resolvers.accounts, name, counted)
    return calls


async def sign_in(api: Api, email: str, password: str) -> dict[str, Any]:
    return await api.call(LOGIN, {"e": email, "p": password})


def refusal(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    assert body["data"] is None, body
    [error] = body["errors"]
    return error["message"], error["extensions"]


PAIR_REFUSAL = (
    "Too many failed sign-ins for this account from this address; try again in 200 s.",
    {"code": "RATE_LIMITED", "retryAfterSeconds": 200},
)
WRONG_PASSWORD = ("Email or password is wrong.", {"code": "UNAUTHENTICATED"})


async def test_concurrent_wrong_guesses_are_counted_before_the_password_is_checked(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await api.register("CUSTOMER")
    verifications = counting(monkeypatch, "verify_password")

    bodies = await asyncio.gather(*(sign_in(api, owner.email, WRONG) for _ in range(20)))

    answers = sorted(refusal(body) for body in bodies)
    assert answers == sorted([WRONG_PASSWORD] * 5 + [PAIR_REFUSAL] * 15)
    assert len(verifications) == 5  # argon2 ran only for the attempts within the limit


async def test_a_strangers_guesses_do_not_lock_the_owner_out(
    api_from: Callable[[str], Api],
) -> None:
    attacker, owner_device = api_from(ATTACKER), api_from(OWNER)
    owner = await owner_device.register("CUSTOMER")

    answers = [refusal(await sign_in(attacker, owner.email, WRONG)) for _ in range(6)]
    assert answers == [WRONG_PASSWORD] * 5 + [PAIR_REFUSAL]
    # The attacker's address stays refused for this account, even with the right password...
    assert refusal(await sign_in(attacker, owner.email, PASSWORD)) == PAIR_REFUSAL

    # ...while the owner signs in from her own address.
    body = await sign_in(owner_device, owner.email, PASSWORD)
    assert "errors" not in body, body
    assert body["data"]["login"]["user"] == {"email": owner.email}
    assert body["data"]["login"]["token"]


async def test_a_successful_sign_in_clears_that_addresses_failures(api: Api) -> None:
    owner = await api.register("CUSTOMER")
    for _ in range(4):
        assert refusal(await sign_in(api, owner.email, WRONG)) == WRONG_PASSWORD
    assert "errors" not in await sign_in(api, owner.email, PASSWORD)

    answers = [refusal(await sign_in(api, owner.email, WRONG)) for _ in range(6)]
    assert answers == [WRONG_PASSWORD] * 5 + [PAIR_REFUSAL]


async def test_unknown_emails_are_limited_like_accounts(api: Api) -> None:
    answers = [refusal(await sign_in(api, "nobody@example.com", WRONG)) for _ in range(6)]
    assert answers == [WRONG_PASSWORD] * 5 + [PAIR_REFUSAL]


class TestPerAccountCeiling:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(login_failures_per_account=7)

    async def test_concurrent_guesses_from_many_addresses_stop_at_the_account_ceiling(
        self, api_from: Callable[[str], Api], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner = await api_from(OWNER).register("CUSTOMER")
        verifications = counting(monkeypatch, "verify_password")
        attackers = [api_from(f"203.0.113.{n}") for n in range(1, 21)]

        bodies = await asyncio.gather(*(sign_in(a, owner.email, WRONG) for a in attackers))

        account_refusal = (
            "Too many failed sign-ins for this account; try again in 3500 s.",
            {"code": "RATE_LIMITED", "retryAfterSeconds": 3500},
        )
        assert sorted(refusal(body) for body in bodies) == sorted(
            [WRONG_PASSWORD] * 7 + [account_refusal] * 13
        )
        assert len(verifications) == 7

    async def test_failures_from_every_address_add_up_to_the_ceiling(
        self, api_from: Callable[[str], Api], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner_device = api_from(OWNER)
        owner = await owner_device.register("CUSTOMER")
        for address, failures in (("203.0.113.1", 5), ("203.0.113.2", 2)):
            attacker = api_from(address)
            for _ in range(failures):
                assert refusal(await sign_in(attacker, owner.email, WRONG)) == WRONG_PASSWORD
        verifications = counting(monkeypatch, "verify_password")

        # The ceiling holds for every address, the owner's too, until the hour's window ends.
        account_refusal = (
            "Too many failed sign-ins for this account; try again in 3500 s.",
            {"code": "RATE_LIMITED", "retryAfterSeconds": 3500},
        )
        assert refusal(await sign_in(api_from("203.0.113.3"), owner.email, WRONG)) == (
            account_refusal
        )
        assert refusal(await sign_in(owner_device, owner.email, PASSWORD)) == account_refusal
        assert verifications == []
        # Other accounts are not affected.
        other = await owner_device.register("CUSTOMER")
        assert "errors" not in await sign_in(owner_device, other.email, PASSWORD)

    async def test_a_successful_sign_in_does_not_count_as_a_failure(
        self, api_from: Callable[[str], Api]
    ) -> None:
        owner_device = api_from(OWNER)
        owner = await owner_device.register("CUSTOMER")
        for _ in range(10):
            assert "errors" not in await sign_in(owner_device, owner.email, PASSWORD)
        for n in range(7):
            assert refusal(await sign_in(api_from(f"203.0.113.{n}"), owner.email, WRONG)) == (
                WRONG_PASSWORD
            )


class TestRegistrationLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(registrations_per_address=2)

    async def test_registering_over_the_limit_is_refused_before_any_hash(
        self, api_from: Callable[[str], Api], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        registrar = api_from(ATTACKER)
        await registrar.register("CUSTOMER")
        await registrar.register("WORKER")
        hashes = counting(monkeypatch, "hash_password")

        new_account = {
            "email": "third@example.com",
            "password": PASSWORD,
            "displayName": "Third",
            "role": "CUSTOMER",
        }
        body = await registrar.call(REGISTER, {"input": new_account})
        assert refusal(body) == (
            "Too many registrations from this address; try again in 3500 s.",
            {"code": "RATE_LIMITED", "retryAfterSeconds": 3500},
        )
        assert hashes == []
        assert not await User.filter(email="third@example.com").exists()

        # Another address registers as usual.
        body = await api_from(OWNER).call(REGISTER, {"input": new_account})
        assert body == {"data": {"register": {"user": {"email": "third@example.com"}}}}
        assert len(hashes) == 1

    async def test_concurrent_registrations_cannot_race_the_limit(
        self, api_from: Callable[[str], Api], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hashes = counting(monkeypatch, "hash_password")
        registrar = api_from(ATTACKER)
        bodies = await asyncio.gather(
            *(
                registrar.call(
                    REGISTER,
                    {
                        "input": {
                            "email": f"racer{n}@example.com",
                            "password": PASSWORD,
                            "displayName": "Racer",
                            "role": "CUSTOMER",
                        }
                    },
                )
                for n in range(10)
            )
        )
        codes = sorted(b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b)
        assert codes == ["RATE_LIMITED"] * 8
        assert len(hashes) == 2
        assert await User.filter(email__startswith="racer").count() == 2
