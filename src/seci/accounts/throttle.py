"""Login throttling: failed logins in a row lock an account name, or a client address,
for a delay that doubles with every further failure.

The counters live in the database so that all server processes share them. A login
reads the account's row FOR UPDATE (PostgreSQL), so parallel guesses at one account
queue behind each other and see each other's failures; on SQLite a login is a writer
from its first statement anyway. Unknown names are counted like real ones: the answer
never tells whether an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.accounts.models import LoginThrottle
from seci.core.db import insert_if_absent

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class Limit:
    """``threshold`` failures in a row, none more than ``quiet`` apart, lock for
    ``first_lock``, doubled with each further failure up to ``max_lock``."""

    threshold: int
    quiet: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(hours=1)

    def lock_for(self, failures: int) -> timedelta | None:
        if failures < self.threshold:
            return None
        return min(self.first_lock * (1 << min(failures - self.threshold, 20)), self.max_lock)


# One address may be a whole call centre behind NAT, where agents mistype too: higher.
LIMITS = {ACCOUNT: Limit(threshold=5), ADDRESS: Limit(threshold=50)}
# Rows quiet for longer than any streak can last are deleted now and then.
FORGET_AFTER = max(limit.max_lock + limit.quiet for limit in LIMITS.values())
CLEANUP_BATCH = 100


def _keys(username: str, ip: str | None) -> list[tuple[str, str]]:
    keys = [(ACCOUNT, username.strip()[:80])]
    if ip:
        keys.append((ADDRESS, ip[:80]))
    return keys


def _row(session: Session, scope: str, key: str, *, for_update: bool) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def seconds_locked(session: Session, *, username: str, ip: str | None,
                   now: datetime) -> int:
    """Seconds until the account name and the address may try again (0: now)."""
    wait = 0.0
    for scope, key in _keys(username, ip):
        # The account's row is locked until the attempt ends (see the module docstring);
        # an address's only when it fails, so good logins behind one NAT never queue.
        row = _row(session, scope, key, for_update=scope == ACCOUNT)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = max(wait, (row.locked_until - now).total_seconds())
    return math.ceil(wait)


def count_failure(session: Session, *, username: str, ip: str | None, now: datetime) -> None:
    """Add a failure to the account name's and the address's streaks."""
    for scope, key in _keys(username, ip):
        _ensure_row(session, scope, key, now)
        row = _row(session, scope, key, for_update=True)
        assert row is not None
        limit = LIMITS[scope]
        streak_end = max(row.last_failure_at, row.locked_until or row.last_failure_at)
        if now - streak_end > limit.quiet:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        lock = limit.lock_for(row.failures)
        row.locked_until = now + lock if lock is not None else None
    session.flush()
    _forget_old_streaks(session, now)


def clear_account(session: Session, *, username: str) -> None:
    """A successful login ends the account's streak (not the address's: one good password
    must not let an address go on guessing at others)."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.scope == ACCOUNT, LoginThrottle.key == username.strip()[:80]))


def _ensure_row(session: Session, scope: str, key: str, now: datetime) -> None:
    """Create the row unless it exists; two processes may try at once, hence ON CONFLICT."""
    insert_if_absent(session, LoginThrottle, {"scope": scope, "key": key, "failures": 0,
                                              "last_failure_at": now}, ["scope", "key"])


def _forget_old_streaks(session: Session, now: datetime) -> None:
    # SKIP LOCKED: a row another login holds is left alone, so cleaning never waits or
    # deadlocks (SQLite ignores the clause; its writers take turns).
    stale = (select(LoginThrottle.id)
             .where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
             .limit(CLEANUP_BATCH).with_for_update(skip_locked=True))
    session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(stale)))
