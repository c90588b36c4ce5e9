"""The one place that says what time and which day it is (tests pin it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from seci.core.config import get_settings


def utcnow() -> datetime:
    """Naive UTC timestamp, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the centre's time zone: validity dates are local calendar days."""
    return datetime.now(get_settings().tz).date()
