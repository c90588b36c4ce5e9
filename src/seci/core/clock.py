"""The one place that says what time and which day it is (tests pin it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator

from seci.core.config import get_settings


def utcnow() -> datetime:
    """Naive UTC timestamp, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the centre's time zone: validity dates are local calendar days."""
    return datetime.now(get_settings().tz).date()


def as_utc(moment: datetime) -> datetime:
    """A stored (naive UTC) moment made explicit: the same instant with its UTC offset."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_utc(moment: datetime | None) -> datetime | None:
    """A moment from a request as the database keeps it: naive UTC (no offset: UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


# Timestamps in API responses: the database keeps naive UTC, clients get an RFC 3339
# ``date-time`` with its offset ("2026-05-01T08:30:00Z"). Use it for every response field.
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
