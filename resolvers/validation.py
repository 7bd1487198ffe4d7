"""Input checks at the resolver boundary, with messages a person can act on."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from errors import BadUserInput

# Deliberately simple: one @, no spaces, a dot in the domain. Delivery proves the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_AMOUNT_CENTS = 100_000_000_00  # one hundred million in the currency's main unit
# Row ids are the databases' 32-bit integer keys (64-bit for a few big tables): a larger number
# cannot name a row and would overflow PostgreSQL's `integer` in a comparison (an INTERNAL error
# rather than "nothing found").
MAX_ROW_ID = 2**31 - 1
MAX_BIG_ROW_ID = 2**63 - 1


def row_id(text: str, max_id: int) -> int | None:
    """The row id `text` spells in ASCII digits, or None when it cannot name a row: any other
    character (int() also reads "١٢", " 1" and "1_0") or a number past `max_id`."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(max_id)):
        return None
    number = int(text)
    return number if number <= max_id else None


def list_size(first: int, cap: int, field: str = "first") -> int:
    """How many items of an unpaginated list to return: `first`, between 1 and the list's cap
    (its default is the cap, so leaving it out returns them all)."""
    if not 1 <= first <= cap:
        raise BadUserInput(f"{field} must be between 1 and {cap}.", field)
    return first


def storable(value: str, field: str) -> str:
    """Refuses what no database here can store: NUL (PostgreSQL) and unpaired UTF-16
    surrogates (not encodable as UTF-8). Every text input passes through this."""
    if "\x00" in value:
        raise BadUserInput(f"{field} must not contain NUL (U+0000) characters.", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput(
            f"{field} must be valid Unicode (no unpaired surrogates).", field
        ) from None
    return value


def text(value: str, field: str, *, min_length: int = 1, max_length: int) -> str:
    """Stored verbatim; only surrounding whitespace decides emptiness."""
    if len(value.strip()) < min_length:
        raise BadUserInput(f"{field} must not be empty.", field)
    if len(value) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters.", field)
    return storable(value, field)


def optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    if value is None:
        return None
    if len(value) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters.", field)
    return storable(value, field)


def email(value: str) -> str:
    normalized = value.strip().lower()
    if len(normalized) > 254 or not _EMAIL.match(normalized):
        raise BadUserInput("email must be a valid address like name@example.com.", "email")
    return storable(normalized, "email")


def password(value: str) -> str:
    if len(value) < 8:
        raise BadUserInput("password must be at least 8 characters.", "password")
    if len(value) > 256:
        raise BadUserInput("password must be at most 256 characters.", "password")
    return storable(value, "password")


def coordinates(lat: float, lng: float, field: str = "location") -> tuple[float, float]:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BadUserInput(f"{field}.lat must be between -90 and 90.", f"{field}.lat")
    if not (math.isfinite(lng) and -180.0 <= lng <= 180.0):
        raise BadUserInput(f"{field}.lng must be between -180 and 180.", f"{field}.lng")
    return lat, lng


def number_between(value: float, field: str, low: float, high: float) -> float:
    if not (math.isfinite(value) and low <= value <= high):
        raise BadUserInput(f"{field} must be between {low:g} and {high:g}.", field)
    return value


def amount_cents(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if value <= 0:
        raise BadUserInput(f"{field} must be a positive number of cents.", field)
    if value > MAX_AMOUNT_CENTS:
        raise BadUserInput(f"{field} must be at most {MAX_AMOUNT_CENTS} cents.", field)
    return value


def aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadUserInput(f"{field} must include a timezone, e.g. 2026-05-01T09:00:00Z.", field)
    if not 1900 <= value.year <= 9000:
        # Also keeps the conversion to UTC in range (9999-12-31T23:59:59-14:00 overflows).
        raise BadUserInput(f"{field} must be a date between the years 1900 and 9000.", field)
    return value.astimezone(UTC)


def future(value: datetime, field: str) -> datetime:
    moment = aware(value, field)
    assert moment is not None
    if moment <= datetime.now(UTC):
        raise BadUserInput(f"{field} must be in the future.", field)
    return moment


MAX_URL_LENGTH = 500
MAX_PHOTOS = 20


def url(value: str, field: str) -> str:
    """An absolute http(s) URL: photos, documents and streams are links, never uploads."""
    candidate = value.strip()
    if len(candidate) > MAX_URL_LENGTH:
        raise BadUserInput(f"{field} must be at most {MAX_URL_LENGTH} characters.", field)
    if not re.match(r"^(https?|rtsp)://[^\s/?#]+[^\s]*$", candidate, re.IGNORECASE):
        raise BadUserInput(f"{field} must be an http(s) URL like https://example.com/a.jpg.", field)
    return candidate


def urls(values: list[str], field: str, *, max_count: int = MAX_PHOTOS) -> list[str]:
    if len(values) > max_count:
        raise BadUserInput(f"{field} may list at most {max_count} URLs.", field)
    return [url(value, f"{field}[{index}]") for index, value in enumerate(values)]


def whole_between(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadUserInput(f"{field} must be between {low} and {high}.", field)
    return value
